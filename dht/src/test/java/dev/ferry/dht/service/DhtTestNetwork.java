package dev.ferry.dht.service;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.record.Validators;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Real hosts on loopback sharing one small event loop group, each with a DHT service. */
final class DhtTestNetwork implements AutoCloseable {
    /** Longest any one operation in these tests may take. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final SecureRandom RANDOM = new SecureRandom();

    record Node(OverlayNode overlay, DhtService dht, IdentityKeyPair identity) {
        PeerId peerId() {
            return overlay.host().peerId();
        }

        Multiaddr fullAddress() {
            return overlay.host().listenAddresses().getFirst().withPeerId(peerId());
        }
    }

    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    final List<Node> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<OverlayNode> bareHosts = new ArrayList<>();

    Node start(DhtConfig config) {
        return start(config, Metrics.create());
    }

    /** A node whose DHT metrics go to {@code metrics}. */
    Node start(DhtConfig config, Metrics metrics) {
        return start(config, metrics, b -> b);
    }

    /** A node whose DHT metrics go to {@code metrics} and whose host limits {@code host} adjusts. */
    synchronized Node start(DhtConfig config, Metrics metrics, UnaryOperator<HostConfig.Builder> host) {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        OverlayNode overlay = OverlayNode.create(host.apply(HostConfig.builder(identity).sharedEventLoops(group)).build(), false);
        join(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        DhtService dht = DhtService.create(overlay.host(), config, Validators.standard(), Clock.systemUTC(), metrics);
        Node node = new Node(overlay, dht, identity);
        nodes.add(node);
        return node;
    }

    /** The {@code count} peers among {@code candidates} closest to the hash of {@code key}. */
    static List<PeerId> trueClosest(byte[] key, List<PeerId> candidates, int count) {
        KadKey target = KadKey.of(key);
        return candidates.stream()
                .sorted(Comparator.comparing(KadKey::of, target::compareDistance))
                .limit(count)
                .toList();
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    /** A host on the shared loops with no DHT service, for a test to give a protocol handler of its own. */
    synchronized OverlayNode bareHost() {
        OverlayNode overlay = OverlayNode.create(HostConfig.builder(IdentityKeyPair.generate(RANDOM)).sharedEventLoops(group).build(), false);
        join(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        bareHosts.add(overlay);
        return overlay;
    }

    /** Stops {@code node} without warning anyone: its DHT and its host go, its peers find out by failing. */
    void stop(Node node) {
        try {
            node.dht().close().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // stopping anyway
        }
        node.overlay().close();
        nodes.remove(node);
    }

    @Override
    public void close() {
        nodes.forEach(this::stop); // a copy-on-write list: removing while iterating is safe
        bareHosts.forEach(OverlayNode::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
