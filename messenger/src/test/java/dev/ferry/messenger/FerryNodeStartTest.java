package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
            assertThat(join(nodes.get(9).prekeyDirectory().lookup(nodes.getFirst().peerId())))
                    .as("the first node, which had no one to join, published its bundle too")
                    .contains(nodes.getFirst().ownKeys().bundle());
        }
    }

    @Test
    void aSignedPrekeyDueForRotationIsReplacedAndPublishedAndANewContactStartsFromIt() {
        ManualClock clock = new ManualClock(Instant.now());
        try (MessengerTestNetwork network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig())) {
            List<FerryNode> nodes = new ArrayList<>();
            for (int i = 0; i < 6; i++) nodes.add(network.start(i, builder -> builder.clock(clock)));
            FerryNode bob = nodes.get(1);
            PrekeyBundle before = bob.ownKeys().bundle();
            assertThat(join(bob.rotatePrekeysIfDue())).as("not due yet").isFalse();

            clock.advance(PrekeyPolicy.DEFAULT.rotationInterval().plusHours(1));
            assertThat(join(bob.rotatePrekeysIfDue())).isTrue();
            PrekeyBundle after = bob.ownKeys().bundle();
            assertThat(after.prekeyId()).isNotEqualTo(before.prekeyId());
            assertThat(bob.ownKeys().ring().find(before.prekeyId(), clock.instant(), PrekeyPolicy.DEFAULT)).as("the old prekey stays for its grace period").isPresent();

            FerryNode carol = nodes.get(4);
            MessengerTestNetwork.await("Bob's new bundle is what others find",
                    () -> join(carol.prekeyDirectory().lookup(bob.peerId())).filter(after::equals).isPresent());
            join(carol.send(bob.peerId(), "from the new prekey"));
            MessengerTestNetwork.await("a new contact's first message arrives", () -> bob.conversation(carol.peerId(), 0, 10).size() == 1);

            // A node that was off past its rotation rotates as it joins, before it publishes.
            network.stop(1);
            clock.advance(PrekeyPolicy.DEFAULT.rotationInterval().plusHours(1));
            FerryNode bobAgain = network.start(1, builder -> builder.clock(clock));
            assertThat(bobAgain.ownKeys().bundle().prekeyId()).isNotEqualTo(after.prekeyId());
            assertThat(join(carol.prekeyDirectory().lookup(bob.peerId()))).contains(bobAgain.ownKeys().bundle());
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
