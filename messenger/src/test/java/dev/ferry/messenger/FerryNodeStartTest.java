package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.x3dh.PrekeyBundle;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryNodeStartTest {
    @TempDir
    Path dir;

    @Test
    void nodesJoinThroughTheFirstAndFindEachOthersPrekeyBundles() {
        try (MessengerTestNetwork network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig())) {
            List<FerryNode> nodes = network.start(10);
            Optional<PrekeyBundle> found = join(nodes.get(9).prekeyDirectory().lookup(nodes.get(3).peerId()));
            assertThat(found).isPresent();
            assertThat(found.get().identity().peerId()).isEqualTo(nodes.get(3).peerId());
            assertThat(found.get()).isEqualTo(nodes.get(3).ownKeys().bundle());
        }
    }

    @Test
    void aRestartedNodeKeepsItsIdentityAndMessagingKeys() {
        try (MessengerTestNetwork network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig())) {
            FerryNode first = network.start(1).getFirst();
            PrekeyBundle before = first.ownKeys().bundle();
            network.stop(0);
            FerryNode again = network.start(0, UnaryOperator.identity());
            assertThat(again.peerId()).isEqualTo(before.identity().peerId());
            assertThat(again.ownKeys().bundle()).isEqualTo(before);
        }
    }
}
