package dev.ferry.interop;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A Ferry node with a fresh identity and default limits, as the interop tests run it. */
final class FerryPeer implements AutoCloseable {
    /** What a Ferry node built with the default config announces through identify. */
    static final String AGENT_VERSION = "ferry/" + HostConfig.ferryVersion();

    private final IdentityKeyPair identity;
    private final OverlayNode node;

    private FerryPeer(boolean servePerf) {
        this.identity = IdentityKeyPair.generate(new SecureRandom());
        this.node = OverlayNode.create(HostConfig.builder(identity).build(), servePerf);
    }

    /** A node that serves identify and ping only. */
    static FerryPeer start() {
        return new FerryPeer(false);
    }

    /** A node that also serves {@code /perf/1.0.0}. */
    static FerryPeer startServingPerf() {
        return new FerryPeer(true);
    }

    /** Its identity, for services that sign with it (GossipSub under StrictSign). */
    IdentityKeyPair identity() {
        return identity;
    }

    OverlayNode node() {
        return node;
    }

    Host host() {
        return node.host();
    }

    PeerId peerId() {
        return node.host().peerId();
    }

    /** Listens on an ephemeral loopback port; returns the address with {@code /p2p/}. */
    Multiaddr listenOnLoopback() {
        return resultOf(host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")), JsPeer.EXCHANGE_TIMEOUT)
                .withPeerId(peerId());
    }

    Connection dial(Multiaddr address) {
        return resultOf(host().dial(address), JsPeer.EXCHANGE_TIMEOUT);
    }

    /** The value of {@code future}, or an assertion failure naming why there is none in time. */
    static <T> T resultOf(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
