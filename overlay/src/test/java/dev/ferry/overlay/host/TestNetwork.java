package dev.ferry.overlay.host;

import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionFactory;

/**
 * Test fixture: real nodes on 127.0.0.1 in this JVM, and raw TCP peers that speak as much of the
 * protocol as a test wants. Every node serves {@link EchoProtocol}. {@link #close()} shuts it all
 * down; call it from {@code @AfterEach}.
 */
final class TestNetwork implements AutoCloseable {
    /** How long anything in these tests may take; generous, for a loaded two-core machine. */
    static final Duration WAIT = Duration.ofSeconds(20);
    static final SecureRandom RANDOM = new SecureRandom();

    private final List<OverlayNode> nodes = new ArrayList<>();
    private final List<RawPeer> rawPeers = new ArrayList<>();
    private EventLoopGroup rawGroup;

    /** A node with default limits. */
    OverlayNode node() {
        return node(b -> b);
    }

    /** A node whose limits {@code settings} adjusts, listening on 127.0.0.1. */
    OverlayNode node(UnaryOperator<HostConfig.Builder> settings) {
        return node(settings, false);
    }

    synchronized OverlayNode node(UnaryOperator<HostConfig.Builder> settings, boolean servePerf) {
        return node(IdentityKeyPair.generate(RANDOM), settings, servePerf);
    }

    synchronized OverlayNode node(IdentityKeyPair identity, UnaryOperator<HostConfig.Builder> settings, boolean servePerf) {
        HostConfig config = settings.apply(HostConfig.builder(identity).ioThreads(2)).build();
        return started(OverlayNode.create(config, servePerf));
    }

    /**
     * A node whose buffers are plain heap arrays instead of pooled memory, so that heap in use
     * after a collection is exactly what it holds: pooled buffers that an earlier test released
     * would hide what this node pins.
     */
    synchronized OverlayNode measuredNode(UnaryOperator<HostConfig.Builder> settings, boolean servePerf) {
        HostConfig config = settings.apply(HostConfig.builder(IdentityKeyPair.generate(RANDOM)).ioThreads(2)).build();
        return started(OverlayNode.create(config, servePerf, new UnpooledByteBufAllocator(false)));
    }

    private OverlayNode started(OverlayNode node) {
        nodes.add(node);
        EchoProtocol.serve(node.host());
        join(node.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        return node;
    }

    /** Where {@code node} listens, without {@code /p2p/}. */
    static Multiaddr addressOf(OverlayNode node) {
        return node.host().listenAddresses().getFirst();
    }

    /** Where {@code node} listens, with its {@code /p2p/} identity. */
    static Multiaddr fullAddressOf(OverlayNode node) {
        return addressOf(node).withPeerId(node.host().peerId());
    }

    static Connection connect(OverlayNode from, OverlayNode to) {
        return join(from.host().dial(fullAddressOf(to)));
    }

    static NettyHost hostOf(OverlayNode node) {
        return (NettyHost) node.host();
    }

    /** A raw TCP connection to {@code node} that has sent nothing yet. */
    synchronized RawPeer raw(OverlayNode node) {
        RawPeer peer = RawPeer.connect(rawGroup(), addressOf(node));
        rawPeers.add(peer);
        return peer;
    }

    /**
     * A raw connection to {@code node} that went through multistream-select, Noise (as
     * {@code identity}) and multistream-select to yamux, and speaks no yamux itself: what it sends
     * next is up to the test.
     */
    synchronized RawPeer secured(OverlayNode node, IdentityKeyPair identity) {
        return secured(node, identity, 0);
    }

    /** As above, with a TCP receive buffer of {@code receiveBufferBytes} (0 for the default). */
    synchronized RawPeer secured(OverlayNode node, IdentityKeyPair identity, int receiveBufferBytes) {
        CompletableFuture<RawPeer> upgrading = RawPeer.upgrade(rawGroup(), fullAddressOf(node), identity, receiveBufferBytes);
        RawPeer peer = join(upgrading);
        rawPeers.add(peer);
        return peer;
    }

    private EventLoopGroup rawGroup() {
        if (rawGroup == null) rawGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        return rawGroup;
    }

    @Override
    public synchronized void close() {
        rawPeers.forEach(RawPeer::close);
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (OverlayNode node : nodes) closing.add(node.host().close());
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("nodes did not close within " + WAIT, e);
        } finally {
            if (rawGroup != null) rawGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
        }
    }

    // ------------------------------------------------------------------ waiting, bounded

    /** Waits (at most {@link #WAIT}) for a condition. */
    static ConditionFactory eventually() {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(20));
    }

    /** The value of {@code future}, which must succeed within {@link #WAIT}. */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, but failed: " + unwrap(e), unwrap(e));
        } catch (TimeoutException e) {
            throw new AssertionError("did not complete within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Why {@code future} failed; it must fail within {@link #WAIT}. */
    static Throwable failureOf(CompletableFuture<?> future) {
        Object value;
        try {
            value = future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return unwrap(e);
        } catch (TimeoutException e) {
            throw new AssertionError("expected a failure, but nothing happened within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
        throw new AssertionError("expected a failure, but got " + value);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Heap in use after a full collection: a coarse measure of what a flood left behind. */
    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
