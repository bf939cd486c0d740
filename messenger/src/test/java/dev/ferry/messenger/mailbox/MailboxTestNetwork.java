package dev.ferry.messenger.mailbox;

import dev.ferry.messenger.ManualClock;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.FerryStore;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Real hosts on loopback sharing one event loop group, a scheduler and a clock the test moves:
 * holders serve the mailbox protocol from a store the test gives; peers are hosts with a client.
 */
final class MailboxTestNetwork implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Instant START = Instant.parse("2026-12-06T10:00:00Z");
    static final SecureRandom RANDOM = new SecureRandom();

    /** An ACK a holder's listener heard. */
    record HeardAck(EnvelopeHeader header, AckSecret secret, PeerId from, List<PeerId> notified) {}

    /** A holder; {@code registry} is the node's whole registry, for tests of the exported metrics. */
    record Holder(OverlayNode overlay, MailboxServer server, FerryStore store, List<HeardAck> acks, Metrics registry) {
        PeerId peerId() {
            return overlay.host().peerId();
        }

        MailboxMetrics metrics() {
            return server.metrics();
        }
    }

    record Peer(OverlayNode overlay, MailboxClient client, IdentityKeyPair identity) {
        PeerId peerId() {
            return identity.peerId();
        }
    }

    final ManualClock clock = new ManualClock(START);
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "mailbox-test-scheduler");
        thread.setDaemon(true);
        return thread;
    });
    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final List<OverlayNode> hosts = new CopyOnWriteArrayList<>();
    private final List<Holder> holders = new CopyOnWriteArrayList<>();
    private final List<FerryStore> stores = new ArrayList<>();

    Holder holder(FerryStore store) {
        return holder(store, MailboxConfig.DEFAULTS);
    }

    /** A holder serving {@code store} (closed with the network) under {@code config}. */
    Holder holder(FerryStore store, MailboxConfig config) {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        OverlayNode overlay = host(identity);
        List<HeardAck> acks = new CopyOnWriteArrayList<>();
        Metrics registry = Metrics.create();
        MailboxServer server = MailboxServer.start(overlay.host(), store, clock, scheduler, registry, config,
                (header, secret, from, notified) -> acks.add(new HeardAck(header, secret, from, notified)));
        Holder holder = new Holder(overlay, server, store, acks, registry);
        holders.add(holder);
        stores.add(store);
        return holder;
    }

    /** A peer that knows every holder's address. */
    Peer peer() {
        return peer(IdentityKeyPair.generate(RANDOM), MailboxConfig.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10)));
    }

    Peer peer(IdentityKeyPair identity, MailboxConfig config) {
        OverlayNode overlay = host(identity);
        for (Holder holder : holders) {
            overlay.host().peerStore().addAddresses(holder.peerId(), holder.overlay().host().listenAddresses());
        }
        return new Peer(overlay, new MailboxClient(overlay.host(), clock, scheduler, config), identity);
    }

    /** A peer whose client signs with {@code clock} instead of the network's. */
    Peer peerWithClock(java.time.Clock own) {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        OverlayNode overlay = host(identity);
        for (Holder holder : holders) {
            overlay.host().peerStore().addAddresses(holder.peerId(), holder.overlay().host().listenAddresses());
        }
        return new Peer(overlay, new MailboxClient(overlay.host(), own, scheduler, MailboxConfig.DEFAULTS), identity);
    }

    private OverlayNode host(IdentityKeyPair identity) {
        OverlayNode overlay = OverlayNode.create(HostConfig.builder(identity).sharedEventLoops(group).build(), false);
        join(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        hosts.add(overlay);
        return overlay;
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    @Override
    public void close() {
        for (Holder holder : holders) {
            try {
                holder.server().close().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
        }
        hosts.forEach(OverlayNode::close);
        stores.forEach(FerryStore::close);
        scheduler.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
