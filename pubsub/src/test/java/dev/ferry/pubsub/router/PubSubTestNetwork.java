package dev.ferry.pubsub.router;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Real hosts on loopback sharing one small event loop group, each with a GossipSub router. */
final class PubSubTestNetwork implements AutoCloseable {
    /** Longest any one operation in these tests may take. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final SecureRandom RANDOM = new SecureRandom();

    /** One node, and every message its subscribers were handed, by topic, in order. */
    record Node(OverlayNode overlay, GossipSubRouter router, IdentityKeyPair identity,
            Map<String, List<ReceivedMessage>> received) {
        PeerId peerId() {
            return overlay.host().peerId();
        }

        Multiaddr fullAddress() {
            return overlay.host().listenAddresses().getFirst().withPeerId(peerId());
        }

        /** Subscribes, recording what arrives in {@link #received}. */
        void subscribe(String topic) {
            List<ReceivedMessage> log = received.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
            join(router.subscribe(topic, log::add));
        }

        List<ReceivedMessage> received(String topic) {
            return received.getOrDefault(topic, List.of());
        }

        PublishResult publish(String topic, String text) {
            return join(router.publish(topic, text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private final EventLoopGroup group;
    final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<OverlayNode> bareHosts = new CopyOnWriteArrayList<>();
    private final Map<OverlayNode, IdentityKeyPair> identities = new ConcurrentHashMap<>();

    PubSubTestNetwork() {
        this(2);
    }

    PubSubTestNetwork(int eventLoopThreads) {
        group = NettyHost.newEventLoopGroup(eventLoopThreads);
    }

    Node start(GossipSubConfig config) {
        return start(config, Metrics.create());
    }

    synchronized Node start(GossipSubConfig config, Metrics metrics) {
        return start(config, metrics, b -> b);
    }

    /** A node whose host limits {@code host} adjusts. */
    synchronized Node start(GossipSubConfig config, Metrics metrics, UnaryOperator<HostConfig.Builder> host) {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        OverlayNode overlay = listening(identity, host);
        GossipSubRouter router = GossipSubRouter.create(overlay.host(), identity, config, metrics).start();
        Node node = new Node(overlay, router, identity, new ConcurrentHashMap<>());
        nodes.add(node);
        return node;
    }

    /** A listening host with no router, for a test to speak pubsub by hand. */
    OverlayNode bareHost() {
        OverlayNode overlay = listening(IdentityKeyPair.generate(RANDOM), b -> b);
        bareHosts.add(overlay);
        return overlay;
    }

    private OverlayNode listening(IdentityKeyPair identity, UnaryOperator<HostConfig.Builder> host) {
        OverlayNode overlay = OverlayNode.create(host.apply(HostConfig.builder(identity).sharedEventLoops(group)).build(), false);
        join(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        identities.put(overlay, identity);
        return overlay;
    }

    /** The identity a host of this network was made with. */
    IdentityKeyPair identityOf(OverlayNode host) {
        return identities.get(host);
    }

    static void connect(Node from, Node to) {
        join(from.overlay().host().dial(to.fullAddress()));
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    /** Stops {@code node} without warning its peers beyond closing its connections. */
    void stop(Node node) {
        node.router().close();
        node.overlay().close();
        nodes.remove(node);
    }

    @Override
    public void close() {
        for (Node node : nodes) node.router().close();
        for (Node node : nodes) node.overlay().close();
        for (OverlayNode host : bareHosts) host.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
