package dev.ferry.overlay.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.multiaddr.MultiaddrFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Multiaddrs arrive in identify (listen and observed addresses), DHT peer records and mailbox
 * provider records: a multiaddr within {@link Multiaddr#MAX_BYTES} and {@link Multiaddr#MAX_COMPONENTS},
 * or {@link MultiaddrFormatException}. (The seeded property test next to the code,
 * {@code multiaddr.MultiaddrFuzzTest}, covers the same contract with a fixed random walk.)
 */
class MultiaddrBytesFuzzTest {
    @FuzzTest
    void multiaddrBytes(byte[] input) {
        Multiaddr address;
        try {
            address = Multiaddr.fromBytes(input);
        } catch (MultiaddrFormatException expected) {
            return;
        }
        if (input.length > Multiaddr.MAX_BYTES || address.components().size() > Multiaddr.MAX_COMPONENTS) {
            throw new AssertionError("accepted a multiaddr beyond the limits");
        }
        if (!Arrays.equals(address.toBytes(), input)) throw new AssertionError("bytes do not round-trip");
        try {
            if (!Multiaddr.parse(address.toString()).equals(address)) throw new AssertionError("text does not round-trip: " + address);
        } catch (MultiaddrFormatException e) {
            throw new AssertionError("the text of an accepted multiaddr is refused: " + address, e);
        }
    }

    @FuzzTest
    void multiaddrText(byte[] input) {
        Multiaddr address;
        try {
            address = Multiaddr.parse(new String(input, StandardCharsets.UTF_8));
        } catch (MultiaddrFormatException expected) {
            return;
        }
        try {
            if (!Multiaddr.fromBytes(address.toBytes()).equals(address)) throw new AssertionError("bytes do not round-trip: " + address);
        } catch (MultiaddrFormatException e) {
            throw new AssertionError("the bytes of an accepted multiaddr are refused: " + address, e);
        }
    }
}
