package dev.ferry.pubsub.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pubsub streams between real hosts on loopback: linking, fallback, framing, bounded queues. */
class RpcLinksTest {
    private static final String V11 = "/meshsub/1.1.0";
    private static final String V10 = "/meshsub/1.0.0";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final List<OverlayNode> nodes = new ArrayList<>();
    private final List<RpcLinks> links = new ArrayList<>();

    @AfterEach
    void stop() {
        links.forEach(RpcLinks::close);
        nodes.forEach(OverlayNode::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }

    /** What one side's listener saw. */
    static final class Seen implements RpcLinks.Listener {
        final Map<PeerId, String> up = new ConcurrentHashMap<>();
        final List<PeerId> down = new CopyOnWriteArrayList<>();
        final List<byte[]> rpcs = new CopyOnWriteArrayList<>();

        @Override
        public void peerUp(PeerId peer, String protocol) {
            up.put(peer, protocol);
        }

        @Override
        public void peerDown(PeerId peer) {
            down.add(peer);
        }

        @Override
        public void rpc(PeerId peer, byte[] rpc) {
            rpcs.add(rpc);
        }
    }

    private OverlayNode node() {
        OverlayNode node = OverlayNode.create(HostConfig.builder(IdentityKeyPair.generate(RANDOM)).sharedEventLoops(group).build(), false);
        node.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).join();
        nodes.add(node);
        return node;
    }

    private RpcLinks links(OverlayNode node, List<String> protocols, RpcLinks.Limits limits, Seen seen) {
        RpcLinks l = new RpcLinks(node.host(), protocols, limits, seen);
        l.start();
        links.add(l);
        return l;
    }

    private static void connect(OverlayNode from, OverlayNode to) {
        from.host().dial(to.host().listenAddresses().getFirst().withPeerId(to.host().peerId())).join();
    }

    @Test
    void shouldLinkBothWaysOnConnectAndDeliverRpcsInOrder() {
        OverlayNode a = node();
        OverlayNode b = node();
        Seen seenA = new Seen();
        Seen seenB = new Seen();
        RpcLinks linksA = links(a, List.of(V11, V10), RpcLinks.Limits.DEFAULT, seenA);
        links(b, List.of(V11, V10), RpcLinks.Limits.DEFAULT, seenB);

        connect(a, b);

        await().atMost(WAIT).until(() -> seenA.up.containsKey(b.host().peerId()) && seenB.up.containsKey(a.host().peerId()));
        assertThat(seenA.up.get(b.host().peerId())).isEqualTo(V11);
        for (int i = 0; i < 100; i++) assertThat(linksA.send(b.host().peerId(), new byte[] {(byte) i, 1, 2}, false)).isTrue();
        await().atMost(WAIT).until(() -> seenB.rpcs.size() == 100);
        for (int i = 0; i < 100; i++) assertThat(seenB.rpcs.get(i)).containsExactly((byte) i, 1, 2);
    }

    @Test
    void shouldFallBackToTheOlderProtocolWhenThePeerSpeaksOnlyThat() {
        OverlayNode a = node();
        OverlayNode b = node();
        Seen seenA = new Seen();
        links(a, List.of(V11, V10), RpcLinks.Limits.DEFAULT, seenA);
        links(b, List.of(V10), RpcLinks.Limits.DEFAULT, new Seen());

        connect(a, b);

        await().atMost(WAIT).until(() -> seenA.up.containsKey(b.host().peerId()));
        assertThat(seenA.up.get(b.host().peerId())).isEqualTo(V10);
    }

    @Test
    void shouldLeaveAPeerWithoutPubsubAlone() throws Exception {
        OverlayNode a = node();
        OverlayNode plain = node();
        Seen seenA = new Seen();
        RpcLinks linksA = links(a, List.of(V11, V10), RpcLinks.Limits.DEFAULT, seenA);

        connect(a, plain);
        Thread.sleep(300);

        assertThat(seenA.up).isEmpty();
        assertThat(linksA.send(plain.host().peerId(), new byte[] {1}, false)).isFalse();
    }

    @Test
    void shouldDropGossipFirstAndEverythingPastTheQueueLimit() {
        OverlayNode a = node();
        OverlayNode b = node();
        Seen seenA = new Seen();
        Seen seenB = new Seen();
        RpcLinks.Limits small = new RpcLinks.Limits(64 * 1024, 100 * 1024, 50 * 1024, 2);
        RpcLinks linksA = links(a, List.of(V11), small, seenA);
        links(b, List.of(V11), RpcLinks.Limits.DEFAULT, seenB);
        connect(a, b);
        await().atMost(WAIT).until(() -> seenA.up.containsKey(b.host().peerId()));
        PeerId peer = b.host().peerId();

        int gossipQueued = 0;
        for (int i = 0; i < 200; i++) if (linksA.send(peer, new byte[10 * 1024], true)) gossipQueued++;
        int messagesQueued = 0;
        for (int i = 0; i < 200; i++) if (linksA.send(peer, new byte[10 * 1024], false)) messagesQueued++;

        assertThat(gossipQueued).as("gossip frames taken in a burst").isLessThan(200);
        assertThat(messagesQueued).as("message frames taken in a burst").isLessThan(200);
        assertThat(linksA.droppedFrames()).isEqualTo(400 - gossipQueued - messagesQueued);
        int sent = gossipQueued + messagesQueued;
        await().atMost(WAIT).until(() -> seenB.rpcs.size() == sent);
        assertThat(linksA.queuedBytes(peer)).isZero();
    }

    @Test
    void shouldReportAPeerDownWhenItsConnectionCloses() {
        OverlayNode a = node();
        OverlayNode b = node();
        Seen seenA = new Seen();
        links(a, List.of(V11), RpcLinks.Limits.DEFAULT, seenA);
        links(b, List.of(V11), RpcLinks.Limits.DEFAULT, new Seen());
        connect(a, b);
        await().atMost(WAIT).until(() -> seenA.up.containsKey(b.host().peerId()));

        b.close();

        await().atMost(WAIT).until(() -> seenA.down.contains(b.host().peerId()));
    }

    @Test
    void shouldStopReopeningStreamsToAPeerThatResetsEveryOne() throws InterruptedException {
        OverlayNode a = node();
        OverlayNode resetter = node();
        AtomicInteger opened = new AtomicInteger();
        resetter.host().setProtocolHandler(V11, stream -> {
            opened.incrementAndGet();
            stream.reset();
        });
        Seen seen = new Seen();
        links(a, List.of(V11, V10), RpcLinks.Limits.DEFAULT, seen);

        connect(a, resetter);

        await().atMost(WAIT).until(() -> opened.get() >= RpcLinks.MAX_QUICK_RELINKS);
        Thread.sleep(1500);
        assertThat(opened.get()).isEqualTo(RpcLinks.MAX_QUICK_RELINKS);
        assertThat(a.host().connections(resetter.host().peerId())).isNotEmpty();
    }

    @Test
    void shouldOpenOneStreamToAPeerThatConnectsAndOpensItsOwnAtOnce() throws InterruptedException {
        // The connection and the peer's stream both ask for a link, usually while the first
        // stream is still being negotiated: a second stream would be opened only to be reset.
        OverlayNode a = node();
        links(a, List.of(V11), RpcLinks.Limits.DEFAULT, new Seen());
        Map<PeerId, AtomicInteger> streamsFromA = new ConcurrentHashMap<>();
        AtomicInteger resets = new AtomicInteger();
        List<OverlayNode> peers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            OverlayNode peer = node();
            peers.add(peer);
            peer.host().setProtocolHandler(V11, stream -> {
                streamsFromA.computeIfAbsent(peer.host().peerId(), p -> new AtomicInteger()).incrementAndGet();
                stream.closeFuture().whenComplete((v, e) -> {
                    if (e != null) resets.incrementAndGet();
                });
                stream.setReceiver((s, data) -> {});
            });
            connect(peer, a);
            peer.host().newStream(a.host().peerId(), V11).join();
        }

        await().atMost(WAIT).until(() -> streamsFromA.size() == peers.size());
        Thread.sleep(300);
        for (OverlayNode peer : peers) assertThat(streamsFromA.get(peer.host().peerId())).as("streams to one peer").hasValue(1);
        assertThat(resets).as("streams reset").hasValue(0);
    }
}
