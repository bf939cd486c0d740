package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static dev.ferry.messenger.MessengerTestNetwork.metric;
import static dev.ferry.messenger.MessengerTestNetwork.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.messenger.mailbox.RequestType;
import dev.ferry.store.EnvelopeId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Whole nodes on loopback: 1:1 messages online (direct) and to a recipient who is away (mailbox). */
class OneToOneDeliveryTest extends WholeNetworkTest {
    /** Collects what a node receives, by sender. */
    private static final class Inbox {
        final Map<PeerId, List<String>> bySender = new ConcurrentHashMap<>();

        Inbox(FerryNode node) {
            node.onMessage(m -> bySender.computeIfAbsent(m.sender(), p -> new CopyOnWriteArrayList<>()).add(m.text()));
        }

        List<String> from(FerryNode sender) {
            return bySender.getOrDefault(sender.peerId(), List.of());
        }
    }

    /** Messages a sender keeps on their way at once in the online test. */
    private static final int WINDOW = 32;

    private static void sendWindowed(FerryNode from, FerryNode to, List<String> texts) {
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WINDOW);
        java.util.Set<EnvelopeId> onTheirWay = ConcurrentHashMap.newKeySet();
        java.util.Set<EnvelopeId> finishedEarly = ConcurrentHashMap.newKeySet();
        from.onDelivery(update -> {
            if (!update.state().isFinal()) return;
            if (onTheirWay.remove(update.envelope())) {
                window.release();
            } else {
                finishedEarly.add(update.envelope());
            }
        });
        for (String text : texts) {
            window.acquireUninterruptibly();
            EnvelopeId id = join(from.send(to.peerId(), text));
            onTheirWay.add(id);
            // It may have been delivered before it was added.
            if (finishedEarly.remove(id) && onTheirWay.remove(id)) window.release();
        }
    }

    @Test
    void onlineUsersExchangeMessagesDirectlyExactlyOnceAndInOrder() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(20);
        FerryNode alice = nodes.get(5);
        FerryNode bob = nodes.get(14);
        Inbox aliceInbox = new Inbox(alice);
        Inbox bobInbox = new Inbox(bob);
        int count = 1000;

        List<String> toBob = texts("to bob", count);
        List<String> toAlice = texts("to alice", count);
        // Both send at once, like two chatty users: each keeps at most WINDOW messages on their way.
        CompletableFuture<Void> fromBob = CompletableFuture.runAsync(() -> sendWindowed(bob, alice, toAlice));
        sendWindowed(alice, bob, toBob);
        join(fromBob);

        await("every message arrives", () -> bobInbox.from(alice).size() >= count && aliceInbox.from(bob).size() >= count,
                () -> "bob has " + bobInbox.from(alice).size() + ", alice " + aliceInbox.from(bob).size() + "; " + MessengerTestNetwork.summary(alice) + "; " + MessengerTestNetwork.summary(bob));
        assertThat(bobInbox.from(alice)).containsExactlyElementsOf(toBob);
        assertThat(aliceInbox.from(bob)).containsExactlyElementsOf(toAlice);
        await("every message is delivered", () -> alice.messaging().deliveryMetrics().deliveredCount() == count
                && bob.messaging().deliveryMetrics().deliveredCount() == count, () -> MessengerTestNetwork.summary(alice) + "; " + MessengerTestNetwork.summary(bob));
        for (FerryNode sender : List.of(alice, bob)) {
            assertThat(sender.messaging().deliveryMetrics().sentDirectCount()).as("sent directly by " + sender.peerId()).isEqualTo(count);
            assertThat(sender.messaging().deliveryMetrics().sentStoredCount()).as("sent to the mailbox by " + sender.peerId()).isZero();
        }
        assertThat(bob.conversation(alice.peerId(), 0, count)).extracting(ReceivedMessage::text).containsExactlyElementsOf(toBob);
    }

    @Test
    void aRecipientWhoWasAwayGetsEverythingFromItsMailboxAndHoldersKeepOnlyTombstones() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(20);
        FerryNode alice = nodes.get(3);
        int bobIndex = 17;
        FerryNode bob = nodes.get(bobIndex);
        PeerId bobId = bob.peerId();
        join(alice.send(bobId, "hello before you go"));
        await("the first message arrives", () -> bob.conversation(alice.peerId(), 0, 10).size() == 1,
                () -> "alice " + MessengerTestNetwork.summary(alice) + "; bob " + MessengerTestNetwork.summary(bob));

        network.stop(bobIndex);
        int count = 500;
        List<String> sent = texts("while away", count);
        List<EnvelopeId> envelopes = new ArrayList<>();
        Map<EnvelopeId, DeliveryState> states = new ConcurrentHashMap<>();
        alice.onDelivery(update -> states.put(update.envelope(), update.state()));
        for (String text : sent) envelopes.add(join(alice.send(bobId, text)));
        Instant lastSent = Instant.now();
        await("every envelope is stored", () -> envelopes.stream().allMatch(e -> states.get(e) == DeliveryState.STORED));
        assertThat(metric(alice, "ferry_messenger_outbox_envelopes{state=\"stored\"}")).isEqualTo(count);
        assertThat(metric(alice, "ferry_messenger_outbox_envelopes{state=\"queued\"}")).isZero();

        // The node fetches its mailbox as it joins; what it delivers is in its inbox.
        Instant returned = Instant.now();
        FerryNode back = network.start(bobIndex, UnaryOperator.identity());
        java.util.function.Supplier<List<String>> received = () -> back.conversation(alice.peerId(), 0, count + 10).stream()
                .map(ReceivedMessage::text).toList();
        await("every message arrives", () -> received.get().size() >= count + 1,
                () -> "bob has " + received.get().size() + "; " + MessengerTestNetwork.summary(alice) + "; " + MessengerTestNetwork.summary(back));
        assertThat(received.get()).first().isEqualTo("hello before you go");
        assertThat(received.get().subList(1, count + 1)).containsExactlyElementsOf(sent);
        List<FerryNode> others = nodes.stream().filter(n -> n != bob).toList();
        await("the sender sees every message delivered", () -> envelopes.stream().allMatch(e -> states.get(e) == DeliveryState.DELIVERED),
                () -> envelopes.stream().filter(e -> states.get(e) != DeliveryState.DELIVERED).limit(3)
                        .map(e -> e + " held by " + others.stream().filter(n -> n.store().shards().has(e))
                                .map(n -> n.peerId().toString().substring(46)).toList()
                                + " tombstoned by " + others.stream().filter(n -> n.store().tombstones().contains(e))
                                .map(n -> n.peerId().toString().substring(46)).toList()).toList().toString());
        assertThat(metric(alice, "ferry_messenger_outbox_envelopes{state=\"stored\"}")).isZero();
        // A latency runs from the send to the ACK: for each of these, longer than Bob stayed away after the last send.
        assertThat(metric(alice, "ferry_messenger_delivery_latency_seconds_count")).as("deliveries, the first (direct) one too")
                .isEqualTo(count + 1);
        assertThat(metric(alice, "ferry_messenger_delivery_latency_seconds_sum"))
                .isGreaterThan(count * (Duration.between(lastSent, returned).toNanos() / 1e9));

        await("no holder keeps a shard", () -> others.stream().allMatch(n -> envelopes.stream().noneMatch(e -> n.store().shards().has(e))),
                () -> others.stream().map(n -> n.peerId().toString().substring(48) + "="
                        + envelopes.stream().filter(e -> n.store().shards().has(e)).count()).toList().toString());
        long tombstoned = nodes.stream().filter(n -> n != bob)
                .mapToLong(n -> envelopes.stream().filter(e -> n.store().tombstones().contains(e)).count()).sum();
        assertThat(tombstoned).isGreaterThanOrEqualTo((long) count * 4);

        // Holders pass an ACK on only to holders its sender did not name: not one ACK per pair of holders.
        java.util.function.LongSupplier redundantAcks = () -> others.stream()
                .mapToLong(n -> n.messaging().mailboxServer().metrics().requests(RequestType.ACK, MailboxStatus.ALREADY_ACKNOWLEDGED)).sum();
        sleep(Messaging.ACK_FORWARD_DELAY.plusSeconds(2));
        assertThat(redundantAcks.getAsLong()).as("ACKs that reached a holder which had one already").isLessThan(count * 6L);
    }

    @Test
    void aBacklogFromOneSenderLargerThanTheSessionLooksAheadIsDeliveredWholeAndInOrder() {
        // Listed in envelope-id order, such a backlog opened as listed had messages more than
        // MAX_SEQUENCE_AHEAD past the next expected one: refused then, they must come back later.
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(8);
        FerryNode alice = nodes.get(0);
        int bobIndex = 6;
        PeerId bobId = network.meetThenStop(alice, bobIndex);
        int count = (int) dev.ferry.messenger.session.SessionLimits.MAX_SEQUENCE_AHEAD + 300;
        List<String> sent = texts("backlog", count);
        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        MessengerTestNetwork.sendAndAwaitStored(alice, bobId, sent, states);

        FerryNode bob = network.start(bobIndex, UnaryOperator.identity());
        java.util.function.Supplier<List<String>> received = () -> {
            List<String> texts = new ArrayList<>();
            List<ReceivedMessage> page;
            do {
                page = bob.conversation(alice.peerId(), texts.size(), 1000);
                page.forEach(m -> texts.add(m.text()));
            } while (page.size() == 1000);
            return texts;
        };
        await("every message arrives", () -> received.get().size() >= count + 1,
                () -> "bob has " + received.get().size() + "; " + MessengerTestNetwork.summary(alice) + "; " + MessengerTestNetwork.summary(bob));
        List<String> all = received.get();
        assertThat(all.subList(all.size() - count, all.size())).containsExactlyElementsOf(sent);
    }

    @Test
    void aRecipientWhoConnectsAgainIsTriedDirectlyAtOnceAfterBeingUnreachable() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(8);
        FerryNode alice = nodes.get(0); // a seed: Bob connects to her as he comes back
        int bobIndex = 6;
        PeerId bobId = network.meetThenStop(alice, bobIndex);
        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        MessengerTestNetwork.sendAndAwaitStored(alice, bobId, List.of("while away"), states);
        long directBefore = alice.messaging().deliveryMetrics().sentDirectCount();

        FerryNode bob = network.start(bobIndex, UnaryOperator.identity());
        await("bob is connected to alice", () -> !alice.host().connections(bobId).isEmpty());
        join(alice.send(bobId, "welcome back"));

        await("both messages arrive", () -> bob.conversation(alice.peerId(), 0, 10).size() == 3,
                () -> MessengerTestNetwork.summary(alice) + "; " + MessengerTestNetwork.summary(bob));
        // Bob shows the message as soon as he persisted it; Alice's outbox counts the direct delivery
        // once his ACK came back and hopped onto her delivery thread, a moment later.
        await("sent directly, not to the mailbox for the while Bob counted as unreachable",
                () -> alice.messaging().deliveryMetrics().sentDirectCount() == directBefore + 1,
                () -> "direct answers: Alice " + directLines(alice) + ", Bob " + directLines(bob));
    }

    @Test
    void aFirstMessageFindsTheRecipientsPrekeysWithItsMailboxHoldersWhenTheDhtHasLostThem() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(8);
        int aliceIndex = 1;
        int bobIndex = 7; // the last to join: every other node is there when he gives his holders his bundle
        PeerId bobId = nodes.get(bobIndex).peerId();
        assertThat(join(nodes.get(aliceIndex).prekeyDirectory().lookup(bobId))).as("bob's bundle in the DHT").isPresent();

        // DHT records live in memory, the holders' copies of bundles in their stores: with Bob away
        // (he would serve his own record) and everyone else restarted, only the holders have it.
        network.stop(bobIndex);
        for (int i = 0; i < bobIndex; i++) {
            network.stop(i);
            network.start(i, UnaryOperator.identity());
        }
        FerryNode alice = network.node(aliceIndex);
        assertThat(join(alice.prekeyDirectory().lookup(bobId))).as("bob's bundle in the DHT").isEmpty();

        // Alice has never met Bob: her first message needs his bundle, which only his holders have now.
        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        MessengerTestNetwork.sendAndAwaitStored(alice, bobId, List.of("hello, we have not met"), states);
        long bundlesServed = java.util.stream.IntStream.range(0, bobIndex).mapToLong(i -> network.node(i).messaging().mailboxServer()
                .metrics().requests(RequestType.PREKEYS_GET, MailboxStatus.OK)).sum();
        assertThat(bundlesServed).as("bundles the holders gave out").isPositive();

        FerryNode bob = network.start(bobIndex, UnaryOperator.identity());
        await("the first message arrives", () -> bob.conversation(alice.peerId(), 0, 10).size() == 1,
                () -> MessengerTestNetwork.summary(alice) + "; " + MessengerTestNetwork.summary(bob));
        assertThat(bob.conversation(alice.peerId(), 0, 10).getFirst().text()).isEqualTo("hello, we have not met");
    }

    /** A node's direct-delivery metrics, to tell why a message did not go directly. */
    private static List<String> directLines(FerryNode node) {
        return node.metrics().scrapeText().lines().filter(l -> l.startsWith("ferry_direct") && !l.endsWith(" 0.0")).toList();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
