package dev.ferry.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.messenger.DeliveryState;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.messenger.delivery.RetrySchedule;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A js-libp2p node running kad-dht and GossipSub among Ferry nodes, as a relay would: it answers
 * lookups and takes part in the gossip mesh, but speaks neither Ferry protocol, so shards meant
 * for it must go elsewhere. Delivery must not notice.
 *
 * <p>The test also makes sure the js node really is in the way: every Ferry node joins through it
 * and keeps it in its routing table although it refuses their {@code /ferry/} records, and every
 * Ferry node is in its own; the recipient's identity is picked so that the js node
 * is the peer closest to the recipient's mailbox key, so a lookup puts it first among the holder
 * candidates and the first shard of every envelope is offered to it; and it is subscribed to the
 * group's topic and in each member's mesh when the group talks, and receives every group message.
 */
class MessengerInteropTest {
    /** Issue 6's whole-network size, besides the js node. */
    private static final int FERRY_NODES = 20;
    private static final int ALICE = 2;
    private static final int BOB = 7;
    private static final List<Integer> GROUP_MEMBERS = List.of(1, 4, 9);
    private static final int DIRECT_MESSAGES = 10;
    private static final int AWAY_MESSAGES = 20;
    private static final int GROUP_MESSAGES = 10;
    /** Fresh identities tried for the recipient; one in 20 puts the js node closest, so 10,000 never run out. */
    private static final int MAX_IDENTITY_ATTEMPTS = 10_000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How often a wait asks the js node: each question is a line each way, and the js peer keeps at most 10,000 events. */
    private static final Duration JS_POLL = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private final SecureRandom random = new SecureRandom();
    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final List<FerryNode> nodes = new ArrayList<>();
    private final AtomicLong jsCommands = new AtomicLong();
    private JsPeer js;

    @AfterEach
    void close() {
        nodes.forEach(FerryNode::close);
        if (js != null) js.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
    }

    private FerryNode start(int index, IdentityKeyPair identity, List<Multiaddr> bootstrap) {
        MessengerConfig config = MessengerConfig.defaults()
                .withIntervals(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(1))
                .withRetry(new RetrySchedule(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2), Duration.ofSeconds(5));
        FerryNode node = FerryNode.builder()
                .identity(identity)
                .dataDirectory(dir.resolve("node-" + index))
                .listen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .bootstrap(bootstrap)
                .config(config)
                .eventLoops(group)
                .start();
        join(node.join());
        return node;
    }

    @Test
    void aJsRelayInTheDhtAndTheMeshDoesNotDisturbDelivery() {
        js = JsPeer.start(List.of("listen", "--dht", "--dht-protocol", DhtProtocol.DEFAULT_PROTOCOL_ID, "--pubsub"), 1 << 16);
        PeerId jsPeer = js.awaitEvent("dht:ready", JsPeer.START_TIMEOUT).peer("peer");
        Multiaddr jsAddress = js.events("listening").getFirst().address("addr");

        List<IdentityKeyPair> identities = new ArrayList<>();
        for (int i = 0; i < FERRY_NODES; i++) identities.add(IdentityKeyPair.generate(random));
        identities.set(BOB, ownerOfMailboxClosestTo(jsPeer, identities.stream().filter(k -> k != identities.get(BOB))
                .map(IdentityKeyPair::peerId).toList()));

        // The js relay is there first and every Ferry node joins through it (and the first Ferry
        // node). Each publishes its prekey bundle as a /ferry/ DHT record, which a stock js kad-dht
        // refuses: the relay must stay in every routing table all the same.
        for (int i = 0; i < FERRY_NODES; i++) {
            List<Multiaddr> seeds = nodes.isEmpty() ? List.of(jsAddress) : List.of(jsAddress, nodes.getFirst().addresses().getFirst());
            nodes.add(start(i, identities.get(i), seeds));
        }
        // Right after the joins, not eventually: a relay dropped at each join comes back only with a later lookup.
        assertThat(nodesKnowing(jsPeer)).as("Ferry nodes with the js node in their routing table; their DHT counters:\n%s",
                nodes.stream().map(MessengerInteropTest::dhtCounters).collect(Collectors.joining("\n"))).isEqualTo(FERRY_NODES);
        await("the js node has every Ferry node in its routing table", JS_POLL,
                () -> jsCall("routingTable", "").number("size") == FERRY_NODES);
        assertThat(nodes).as("the js node refused each Ferry node's /ferry/ record and stayed")
                .allSatisfy(n -> assertThat(n.dht().metrics().requestsFailed()).isPositive());

        // Online: direct delivery, with the js node around.
        FerryNode alice = nodes.get(ALICE);
        PeerId bob = nodes.get(BOB).peerId();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < DIRECT_MESSAGES; i++) {
            expected.add("direct " + i);
            join(alice.send(bob, expected.getLast()));
        }
        await("the direct messages arrive", () -> nodes.get(BOB).conversation(alice.peerId(), 0, 100).size() == DIRECT_MESSAGES);
        await("they went directly", () -> counter(alice, "ferry_messenger_envelopes_sent_total{path=\"direct\"}") == DIRECT_MESSAGES);

        // A lookup of Bob's mailbox key puts the js node first: it is the first holder candidate.
        byte[] mailbox = Mailbox.keyFor(bob);
        List<PeerId> closest = KadKey.of(mailbox).closestFirst(join(alice.dht().findClosest(mailbox)).closest()).stream()
                .filter(p -> !p.equals(alice.peerId()) && !p.equals(bob))
                .toList();
        assertThat(closest).as("the peers closest to Bob's mailbox, as Alice's lookup found them").startsWith(jsPeer);

        // Bob goes away: the first shard of each envelope is offered to the js node, which cannot take it.
        nodes.get(BOB).close();
        Map<EnvelopeId, DeliveryState> states = new ConcurrentHashMap<>();
        alice.onDelivery(update -> states.put(update.envelope(), update.state()));
        long notPlacedBefore = sumOfSeries(alice, "ferry_messenger_shards_not_placed_total");
        List<EnvelopeId> envelopes = new ArrayList<>();
        for (int i = 0; i < AWAY_MESSAGES; i++) {
            expected.add("while away " + i);
            envelopes.add(join(alice.send(bob, expected.getLast())));
        }
        await("every envelope is stored", () -> envelopes.stream().allMatch(e -> states.get(e) == DeliveryState.STORED));
        int shardsPerEnvelope = alice.config().erasure().totalShards();
        await("every shard of every envelope is on a Ferry node",
                () -> IntStream.range(0, FERRY_NODES).filter(i -> i != BOB).mapToLong(i -> shardsOf(nodes.get(i), mailbox)).sum()
                        == (long) AWAY_MESSAGES * shardsPerEnvelope);
        assertThat(sumOfSeries(alice, "ferry_messenger_shards_not_placed_total") - notPlacedBefore)
                .as("shards the js node (or any holder) did not take").isGreaterThanOrEqualTo(AWAY_MESSAGES);

        // Bob returns with his data directory (his store); his mailbox lookups meet the js node too.
        FerryNode bobAgain = start(BOB, identities.get(BOB), List.of(jsAddress, nodes.getFirst().addresses().getFirst()));
        nodes.set(BOB, bobAgain);
        await("every message arrives", () -> bobAgain.conversation(alice.peerId(), 0, 100).size() == expected.size());
        await("every envelope is acknowledged", () -> envelopes.stream().allMatch(e -> states.get(e) == DeliveryState.DELIVERED));
        join(bobAgain.fetchMailbox());
        assertThat(texts(bobAgain.conversation(alice.peerId(), 0, 1000))).as("exactly once, in order").isEqualTo(expected);

        // A group across Ferry nodes, with the js node subscribed to its topic and in each member's mesh.
        List<FerryNode> members = GROUP_MEMBERS.stream().map(nodes::get).toList();
        byte[] id = join(members.getFirst().createGroup("with a js relay")).groupId();
        for (FerryNode member : members.subList(1, members.size())) join(members.getFirst().inviteToGroup(id, member.peerId()));
        await("the members have each other's keys", () -> members.stream().allMatch(m -> join(m.groups()).stream().anyMatch(g ->
                Arrays.equals(g.groupId(), id) && members.stream().allMatch(o -> o == m || g.hasSenderKey(g.epoch(), o.peerId())))));
        String topic = join(members.getFirst().groups()).stream().filter(g -> Arrays.equals(g.groupId(), id)).findFirst().orElseThrow()
                .topic();
        jsCall("pubsub.subscribe", JsPubSubNode.str("topic", topic));
        List<PeerId> memberPeers = members.stream().map(FerryNode::peerId).toList();
        await("the js node is in every member's mesh of the group's topic",
                () -> members.stream().allMatch(m -> join(m.pubsub().meshPeers(topic)).contains(jsPeer)));
        await("every member is in the js node's mesh of the group's topic", JS_POLL,
                () -> jsCall("pubsub.meshPeers", JsPubSubNode.str("topic", topic)).strings("peers")
                        .containsAll(memberPeers.stream().map(PeerId::toString).toList()));

        FerryNode groupSender = members.get(1);
        List<String> groupExpected = new ArrayList<>();
        for (int i = 0; i < GROUP_MESSAGES; i++) {
            groupExpected.add("group " + i);
            join(groupSender.sendToGroup(id, groupExpected.getLast()));
        }
        List<FerryNode> readers = members.stream().filter(m -> m != groupSender).toList();
        for (FerryNode reader : readers) {
            await("the group messages arrive", () -> reader.groupConversation(id, 0, 100).size() == GROUP_MESSAGES);
        }
        // The copies in the group's mailbox must not be delivered a second time.
        for (FerryNode reader : readers) join(reader.fetchMailbox());
        for (FerryNode reader : readers) {
            assertThat(texts(reader.groupConversation(id, 0, 1000))).as("exactly once, in order").isEqualTo(groupExpected);
        }
        // The js node got each of them once from its mesh, authored by the sender (it cannot read them: they are sealed).
        await("the js node receives every group message", () -> js.events("pubsub:message").size() >= GROUP_MESSAGES);
        List<JsEvent> jsReceived = js.events("pubsub:message");
        assertThat(jsReceived).hasSize(GROUP_MESSAGES)
                .allSatisfy(m -> {
                    assertThat(m.string("topic")).isEqualTo(topic);
                    assertThat(m.peer("from")).isEqualTo(groupSender.peerId());
                    assertThat(m.peer("receivedFrom")).isIn(memberPeers);
                });
        assertThat(jsReceived.stream().map(m -> m.string("msgId")).distinct()).hasSize(GROUP_MESSAGES);
    }

    /**
     * A fresh identity whose mailbox key is XOR-closer to {@code target} than to any of {@code
     * others}: a lookup of that mailbox then returns {@code target} first, whatever the other ids.
     */
    private IdentityKeyPair ownerOfMailboxClosestTo(PeerId target, List<PeerId> others) {
        List<PeerId> everyone = new ArrayList<>(others);
        everyone.add(target);
        for (int attempt = 0; attempt < MAX_IDENTITY_ATTEMPTS; attempt++) {
            IdentityKeyPair candidate = IdentityKeyPair.generate(random);
            if (KadKey.of(Mailbox.keyFor(candidate.peerId())).closestFirst(everyone).getFirst().equals(target)) return candidate;
        }
        throw new AssertionError("no identity in " + MAX_IDENTITY_ATTEMPTS + " has its mailbox closest to " + target);
    }

    /**
     * Sends {@code {"id":N,"cmd":cmd,<fields>}} to the js node and waits for its answer ({@code
     * dht:result} or {@code pubsub:result}); fails on an error answer.
     */
    private JsEvent jsCall(String cmd, String fields) {
        long id = jsCommands.incrementAndGet();
        String line = "{\"id\":" + id + ",\"cmd\":\"" + cmd + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
        js.send(line);
        JsEvent answer = js.awaitMatching("answer " + line, e -> (e.name().endsWith(":result") || e.name().endsWith(":error"))
                && e.fields().get("id") instanceof Number n && n.longValue() == id, JsPubSubNode.COMMAND_TIMEOUT);
        if (answer.name().endsWith(":error")) throw new AssertionError("the js node failed " + line + ": " + answer + "\n" + js.describe());
        return answer;
    }

    private static long shardsOf(FerryNode node, byte[] mailbox) {
        return node.store().shards().usage(MailboxKey.of(mailbox)).shards();
    }

    /** The value of the counter series {@code name} (with its labels, if any) in {@code node}'s metrics. */
    private static long counter(FerryNode node, String name) {
        return node.metrics().scrapeText().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no counter " + name));
    }

    /** The sum of a labelled counter's series, 0 before its first (a series appears with its first count). */
    private static long sumOfSeries(FerryNode node, String name) {
        return node.metrics().scrapeText().lines().filter(l -> l.startsWith(name + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1).trim())).sum();
    }

    /** How many Ferry nodes have {@code peer} in their routing table. */
    private long nodesKnowing(PeerId peer) {
        return nodes.stream().filter(n -> join(n.dht().routingTablePeers()).contains(peer)).count();
    }

    /** {@code node}'s non-zero DHT counters, for a failure message. */
    private static String dhtCounters(FerryNode node) {
        return node.metrics().scrapeText().lines().filter(l -> l.startsWith("ferry_dht") && !l.contains("bucket") && !l.endsWith(" 0.0"))
                .toList().toString();
    }

    private static List<String> texts(List<ReceivedMessage> messages) {
        return messages.stream().map(ReceivedMessage::text).toList();
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("did not complete in " + WAIT + ": " + e, e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        await(what, Duration.ofMillis(20), condition);
    }

    /** Waits for {@code condition}, checking it every {@code poll}. */
    private static void await(String what, Duration poll, BooleanSupplier condition) {
        await(what, poll, condition, () -> "");
    }

    /** Waits for {@code condition}, checking it every {@code poll}; a failure says what {@code details} says. */
    private static void await(String what, Duration poll, BooleanSupplier condition, Supplier<String> details) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT + ": " + what + "\n" + details.get());
            try {
                TimeUnit.MILLISECONDS.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
