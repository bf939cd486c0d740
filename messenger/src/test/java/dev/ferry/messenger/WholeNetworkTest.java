package dev.ferry.messenger;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every whole-network test shares: a directory for the nodes' data, the network the test
 * starts in it, and closing that network after each test whatever happened.
 */
abstract class WholeNetworkTest {
    @TempDir
    Path dir;

    /** The test's network, once it started one. */
    MessengerTestNetwork network;

    @AfterEach
    void closeNetwork() {
        if (network != null) network.close();
    }
}
