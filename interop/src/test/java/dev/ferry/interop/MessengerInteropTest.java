package dev.ferry.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.messenger.DeliveryState;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.messenger.delivery.RetrySchedule;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.EnvelopeId;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A js-libp2p node running kad-dht and GossipSub among Ferry nodes, as a relay would: it answers
 * lookups and takes part in the gossip mesh, but speaks neither Ferry protocol, so shards meant
 * for it must go elsewhere. Delivery must not notice.
 */
class MessengerInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final List<FerryNode> nodes = new ArrayList<>();
    private JsPeer js;

    @AfterEach
    void close() {
        nodes.forEach(FerryNode::close);
        if (js != null) js.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
    }

    private FerryNode start(int index, List<Multiaddr> bootstrap) {
        MessengerConfig config = MessengerConfig.defaults()
                .withIntervals(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(1))
                .withRetry(new RetrySchedule(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2), Duration.ofSeconds(5));
        FerryNode node = FerryNode.builder()
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
        js.awaitEvent("dht:ready", JsPeer.START_TIMEOUT);
        Multiaddr jsAddress = js.events("listening").getFirst().address("addr");

        // Every Ferry node joins through the js node first, so it sits in every routing table.
        for (int i = 0; i < 12; i++) {
            List<Multiaddr> seeds = new ArrayList<>(List.of(jsAddress));
            if (!nodes.isEmpty()) seeds.add(nodes.getFirst().addresses().getFirst());
            nodes.add(start(i, seeds));
        }
        FerryNode alice = nodes.get(2);
        int bobIndex = 7;
        PeerId bob = nodes.get(bobIndex).peerId();
        join(alice.send(bob, "hello"));
        await("the direct message arrives", () -> nodes.get(bobIndex).conversation(alice.peerId(), 0, 10).size() == 1);

        // Bob goes away; his mailbox's closest peers may include the js node, which cannot hold shards.
        nodes.get(bobIndex).close();
        Map<EnvelopeId, DeliveryState> states = new ConcurrentHashMap<>();
        alice.onDelivery(update -> states.put(update.envelope(), update.state()));
        List<EnvelopeId> envelopes = new ArrayList<>();
        for (int i = 0; i < 20; i++) envelopes.add(join(alice.send(bob, "while away " + i)));
        await("every envelope is stored", () -> envelopes.stream().allMatch(e -> states.get(e) == DeliveryState.STORED));
        // Bob returns with his data directory (his key and store).
        FerryNode bobAgain = start(bobIndex, List.of(jsAddress, nodes.getFirst().addresses().getFirst()));
        assertThat(bobAgain.peerId()).isEqualTo(bob);
        nodes.set(bobIndex, bobAgain);
        await("every message arrives", () -> bobAgain.conversation(alice.peerId(), 0, 100).size() == envelopes.size() + 1);

        // A group across the Ferry nodes, with the js node in the gossip mesh.
        List<FerryNode> members = List.of(nodes.get(1), nodes.get(4), nodes.get(9));
        byte[] id = join(members.getFirst().createGroup("with a js relay")).groupId();
        for (FerryNode member : members.subList(1, 3)) join(members.getFirst().inviteToGroup(id, member.peerId()));
        await("the members have each other's keys", () -> members.stream().allMatch(m -> join(m.groups()).stream().anyMatch(g ->
                java.util.Arrays.equals(g.groupId(), id) && members.stream().allMatch(o -> o == m || g.hasSenderKey(g.epoch(), o.peerId())))));
        join(members.get(1).sendToGroup(id, "hello group"));
        for (FerryNode member : List.of(members.get(0), members.get(2))) {
            await("the group message arrives", () -> member.groupConversation(id, 0, 10).stream().map(ReceivedMessage::text)
                    .anyMatch("hello group"::equals));
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("did not complete in " + WAIT + ": " + e, e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT + ": " + what);
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
