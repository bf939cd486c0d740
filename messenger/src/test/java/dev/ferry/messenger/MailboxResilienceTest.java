package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.heldBy;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static dev.ferry.messenger.MessengerTestNetwork.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.store.EnvelopeId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Whole nodes on loopback: mailbox holders going away, and envelopes expiring, while the recipient is away. */
class MailboxResilienceTest extends WholeNetworkTest {
    @Test
    void everythingIsDeliveredWhenTwoOfTheSixHoldersStopBeforeTheRecipientReturns() {
        // Without repair, nothing puts the stopped holders' shards back: Bob rebuilds from k = 4.
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.withoutRepair(MessengerTestNetwork.fastConfig()));
        List<FerryNode> nodes = network.start(20);
        FerryNode alice = nodes.get(2);
        int bobIndex = 11;
        PeerId bob = network.meetThenStop(alice, bobIndex);

        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        List<String> sent = texts("while away", 100);
        List<EnvelopeId> envelopes = MessengerTestNetwork.sendAndAwaitStored(alice, bob, sent, states);
        await("every envelope has six shards out", () -> envelopes.stream().allMatch(e -> network.liveShards(e) == 6));

        // Stop the two nodes that hold the most of these shards (Bob is away: only holders run).
        List<Integer> holders = network.holdersOf(envelopes);
        assertThat(holders).hasSizeGreaterThanOrEqualTo(6);
        network.stop(holders.get(0));
        network.stop(holders.get(1));
        assertThat(envelopes).as("envelopes of which other than four shards are live").filteredOn(e -> network.liveShards(e) != 4).isEmpty();

        FerryNode back = network.start(bobIndex, UnaryOperator.identity());
        await("every message arrives", () -> back.conversation(alice.peerId(), 0, 200).size() == sent.size() + 1);
        assertThat(back.conversation(alice.peerId(), 0, 200).subList(1, sent.size() + 1)).extracting(ReceivedMessage::text)
                .containsExactlyElementsOf(sent);
    }

    @Test
    void afterRepairTwoMoreHoldersMayStopAndEverythingIsStillDelivered() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        int size = 20;
        network.start(size);
        FerryNode alice = network.node(2);
        int bobIndex = 11;
        PeerId bob = network.meetThenStop(alice, bobIndex);

        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        List<String> sent = texts("while away", 40);
        List<EnvelopeId> envelopes = MessengerTestNetwork.sendAndAwaitStored(alice, bob, sent, states);

        stopTwoBusiestHolders(bobIndex, envelopes);
        // Every remaining holder runs repair rounds (as its timer would): the leaders rebuild the
        // missing shards onto new peers. A round may leave some for the next (a leader's view of
        // who is gone can lag), so up to three rounds.
        for (int round = 0; round < 3 && !envelopesShortOfShards(size, envelopes).isEmpty(); round++) {
            for (int i = 0; i < size; i++) {
                if (network.isRunning(i)) join(network.node(i).repairNow());
            }
        }
        assertThat(envelopesShortOfShards(size, envelopes)).as("envelopes the live holders do not have all six shards of").isEmpty();

        stopTwoBusiestHolders(bobIndex, envelopes);
        assertThat(envelopes).as("envelopes with fewer than k = 4 distinct shards live").filteredOn(e -> liveIndices(size, e).size() < 4)
                .isEmpty();
        FerryNode back = network.start(bobIndex, UnaryOperator.identity());
        await("every message arrives", () -> back.conversation(alice.peerId(), 0, 100).size() == sent.size() + 1,
                () -> (back.conversation(alice.peerId(), 0, 100).size() - 1) + " of " + sent.size() + " arrived; live shard indices "
                        + "of each envelope: " + envelopes.stream().map(e -> liveIndices(size, e).toString()).toList() + "; Bob: "
                        + MessengerTestNetwork.summary(back) + "; his DHT: " + back.metrics().scrapeText().lines()
                                .filter(l -> l.startsWith("ferry_dht_") && !l.contains("bucket") && !l.endsWith(" 0.0")).toList()
                        + "; his routing table " + join(back.dht().routingTablePeers()).size()
                        + " peers, a lookup of his mailbox " + join(back.dht().findClosest(Mailbox.keyFor(bob))).closest().size()
                        + "; FETCHes each running node served: " + IntStream.range(0, size).filter(network::isRunning)
                                .mapToObj(i -> i + " " + fetchesServed(network.node(i))).toList());
        assertThat(back.conversation(alice.peerId(), 0, 100).subList(1, sent.size() + 1)).extracting(ReceivedMessage::text)
                .containsExactlyElementsOf(sent);
    }

    /** The envelopes of which the running nodes hold fewer than all six shards. */
    private List<EnvelopeId> envelopesShortOfShards(int size, List<EnvelopeId> envelopes) {
        return envelopes.stream().filter(e -> liveIndices(size, e).size() < 6).toList();
    }

    /** The FETCH requests {@code node} answered, by status, as its metrics count them. */
    private static String fetchesServed(FerryNode node) {
        return node.metrics().scrapeText().lines().filter(l -> l.startsWith("ferry_mailbox_requests_total{") && l.contains("type=\"fetch\""))
                .map(l -> l.substring(l.indexOf('{'))).toList().toString();
    }

    /** The distinct shard indices of {@code envelope} the running nodes hold. */
    private java.util.SortedSet<Integer> liveIndices(int size, EnvelopeId envelope) {
        java.util.SortedSet<Integer> indices = new java.util.TreeSet<>();
        for (int i = 0; i < size; i++) {
            if (network.isRunning(i)) network.node(i).store().shards().getAll(envelope).forEach(s -> indices.add(s.index()));
        }
        return indices;
    }

    private void stopTwoBusiestHolders(int except, List<EnvelopeId> envelopes) {
        List<Integer> holders = network.holdersOf(envelopes).stream().filter(i -> i != except).toList();
        network.stop(holders.get(0));
        network.stop(holders.get(1));
    }

    @Test
    void aMessageHeldBehindOneThatExpiredIsDeliveredAfterTheSendersFloorUpdate() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig().withTtl(Duration.ofSeconds(8)));
        network.start(10);
        FerryNode alice = network.node(1);
        int bobIndex = 6;
        PeerId bob = network.meetThenStop(alice, bobIndex);

        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        EnvelopeId lost = join(alice.send(bob, "expires unread"));
        java.time.Instant later = java.time.Instant.now().plusSeconds(4);
        await("some time passes", () -> java.time.Instant.now().isAfter(later));
        EnvelopeId kept = join(alice.send(bob, "sent while the other was still on its way"));
        await("the first one expires", () -> states.get(lost) == DeliveryState.EXPIRED);

        // The second carries a floor below the first, so it waits behind it until the floor update says it never comes.
        FerryNode back = network.start(bobIndex, UnaryOperator.identity());
        await("the second message is delivered", () -> back.conversation(alice.peerId(), 0, 10).size() == 2,
                () -> "bob has " + back.conversation(alice.peerId(), 0, 10).size() + ", kept is " + states.get(kept));
        assertThat(back.conversation(alice.peerId(), 0, 10).get(1).text()).isEqualTo("sent while the other was still on its way");
    }

    @Test
    void envelopesNobodyFetchesExpireEverywhereAndTheSenderSeesIt() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig().withTtl(Duration.ofSeconds(6)));
        List<FerryNode> nodes = network.start(20);
        FerryNode alice = nodes.get(1);
        int bobIndex = 7;
        PeerId bob = network.meetThenStop(alice, bobIndex);

        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        List<EnvelopeId> envelopes = MessengerTestNetwork.sendAndAwaitStored(alice, bob, texts("never read", 20), states);
        assertThat(nodes.stream().filter(n -> n != nodes.get(bobIndex)).mapToLong(n -> heldBy(n, envelopes)).sum())
                .isGreaterThanOrEqualTo(20L * 4);

        await("the sender sees every envelope expire", () -> envelopes.stream().allMatch(e -> states.get(e) == DeliveryState.EXPIRED));
        for (FerryNode node : nodes) {
            if (node == nodes.get(bobIndex)) continue;
            await("nothing is left on " + node.peerId(), () -> heldBy(node, envelopes) == 0
                    && envelopes.stream().noneMatch(e -> node.store().tombstones().contains(e)));
        }
        await("the outbox lets them go", () -> envelopes.stream().allMatch(e -> alice.store().outbox().get(e).isEmpty()));
        assertThat(join(alice.deliveryState(envelopes.getFirst()))).isEqualTo(Optional.empty());
    }
}
