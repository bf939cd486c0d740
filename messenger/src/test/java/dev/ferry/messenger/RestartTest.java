package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.store.EnvelopeId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Whole nodes on loopback, restarted (RocksDB kept) in the middle of a conversation. */
class RestartTest extends WholeNetworkTest {
    private void restart(int index) {
        network.stop(index);
        network.start(index, UnaryOperator.identity());
    }

    /**
     * Restarts the two nodes holding shards of the most of {@code envelopes}, checking that they
     * held some and still hold them when they are back.
     */
    private void restartTwoBusiestHolders(List<EnvelopeId> envelopes) {
        await("two nodes hold shards of the messages bob is away for", () -> network.holdersOf(envelopes).size() >= 2);
        for (int holder : network.holdersOf(envelopes).subList(0, 2)) {
            List<EnvelopeId> held = envelopes.stream().filter(e -> network.node(holder).store().shards().has(e)).toList();
            assertThat(held).as("what node %d holds before its restart", holder).isNotEmpty();
            restart(holder);
            assertThat(envelopes).filteredOn(e -> network.node(holder).store().shards().has(e))
                    .as("what node %d holds after its restart", holder).containsAll(held);
        }
    }

    @Test
    void restartingSenderRecipientAndHoldersMidTrafficLosesNothingAndKeepsTheSessionsInStep() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        network.start(20);
        int aliceIndex = 3;
        int bobIndex = 10;
        PeerId alice = network.node(aliceIndex).peerId();
        PeerId bob = network.node(bobIndex).peerId();
        List<String> toBob = new ArrayList<>();
        List<String> toAlice = new ArrayList<>();
        List<EnvelopeId> whileBobAway = new ArrayList<>();

        for (int i = 0; i < 200; i++) {
            String text = "to bob " + i;
            EnvelopeId sent = join(network.node(aliceIndex).send(bob, text));
            if (!network.isRunning(bobIndex)) whileBobAway.add(sent);
            toBob.add(text);
            if (i % 10 == 0 && network.isRunning(bobIndex)) {
                String reply = "to alice " + i;
                join(network.node(bobIndex).send(alice, reply));
                toAlice.add(reply);
            }
            switch (i) {
                case 40 -> restart(bobIndex);          // the recipient, while messages are on their way
                case 80 -> network.stop(bobIndex);     // the recipient goes away for a while
                case 100 -> restart(aliceIndex);       // the sender, with envelopes in its outbox
                case 120 -> restartTwoBusiestHolders(whileBobAway); // holders of what waits for bob
                case 150 -> network.start(bobIndex, UnaryOperator.identity());
                case 170 -> restart(bobIndex);
                default -> { }
            }
        }

        await("bob has every message", () -> network.node(bobIndex).conversation(alice, 0, 1000).size() >= toBob.size(),
                () -> "bob has " + network.node(bobIndex).conversation(alice, 0, 1000).size());
        assertThat(network.node(bobIndex).conversation(alice, 0, 1000)).extracting(ReceivedMessage::text).containsExactlyElementsOf(toBob);
        await("alice has every reply", () -> network.node(aliceIndex).conversation(bob, 0, 1000).size() >= toAlice.size());
        assertThat(network.node(aliceIndex).conversation(bob, 0, 1000)).extracting(ReceivedMessage::text).containsExactlyElementsOf(toAlice);

        // The sessions are in step: one more message each way arrives at once.
        join(network.node(aliceIndex).send(bob, "after it all"));
        join(network.node(bobIndex).send(alice, "after it all too"));
        await("the last messages arrive", () -> network.node(bobIndex).conversation(alice, 0, 1000).size() == toBob.size() + 1
                && network.node(aliceIndex).conversation(bob, 0, 1000).size() == toAlice.size() + 1);
    }
}
