package dev.ferry.messenger.repair;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.dht.KadKey;
import dev.ferry.messenger.mailbox.MailboxClient;
import dev.ferry.messenger.mailbox.MailboxConfig;
import dev.ferry.messenger.mailbox.MailboxServer;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.Shard;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import dev.ferry.store.memory.InMemoryFerryStore;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Mailbox holders on loopback, each a real host with a {@link MailboxServer} over an in-memory
 * store and a client, all knowing each other's addresses; plus the one thread upkeeps run on.
 */
final class UpkeepTestNetwork implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Instant START = Instant.parse("2026-12-06T10:00:00Z");
    static final SecureRandom RANDOM = new SecureRandom();
    /** Who stored the shards the test places directly in holders' stores. */
    static final PeerBytes SENDER = PeerBytes.of(IdentityKeyPair.generate(RANDOM).peerId().toBytes());

    /** A real sealed, 4 + 2 coded envelope for a recipient. */
    record Envelope(EnvelopeHeader header, EncodedShards shards, byte[] ciphertext, AckSecret secret) {
        static Envelope to(PeerId recipient) {
            byte[] payload = new byte[3000];
            RANDOM.nextBytes(payload);
            IdentityKeyPair sender = IdentityKeyPair.generate(RANDOM);
            InnerContent content = InnerContent.create(ContentType.SESSION_MESSAGE, sender.publicKey(), START, payload, RANDOM);
            SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, X25519.generate(RANDOM).publicKey(),
                    Mailbox.keyFor(recipient), START, START.plus(Duration.ofDays(1)), RANDOM);
            ErasureParameters code = ErasureParameters.DEFAULT;
            EncodedShards shards = new ReedSolomonCodec(code).encode(sealed.ciphertext());
            EnvelopeHeader header = sealed.codedHeader(code.dataShards(), code.parityShards(), shards.shardHashes());
            return new Envelope(header, shards, sealed.ciphertext(), sealed.ackSecret());
        }

        EnvelopeId id() {
            return EnvelopeId.of(header.envelopeId());
        }

        MailboxKey mailbox() {
            return MailboxKey.of(header.mailbox());
        }
    }

    record Holder(OverlayNode overlay, MailboxServer server, InMemoryFerryStore store, MailboxClient client) {
        PeerId peerId() {
            return overlay.host().peerId();
        }

        /** Places shard {@code index} of {@code envelope} here, as if a sender had stored it. */
        void keep(Envelope envelope, int index) {
            store.shards().put(new Shard(envelope.id(), index, envelope.mailbox(), SENDER, envelope.header().expires(),
                    envelope.header().encode(), envelope.shards().shard(index)));
        }

        /** The indices of the shards of {@code envelope} held here. */
        Set<Integer> indicesOf(Envelope envelope) {
            Set<Integer> indices = new TreeSet<>();
            for (Shard shard : store.shards().getAll(envelope.id())) indices.add(shard.index());
            return indices;
        }

        void stop() {
            join(server.close());
            overlay.close();
        }
    }

    final Clock clock = Clock.fixed(START.plus(Duration.ofMinutes(1)), ZoneOffset.UTC);
    final ScheduledExecutorService scheduler = daemon("upkeep-test-scheduler");
    /** The one thread every upkeep under test runs on. */
    final ScheduledExecutorService upkeepThread = daemon("upkeep-test-upkeep");
    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final List<Holder> holders = new CopyOnWriteArrayList<>();

    /** {@code count} holders that know each other's addresses. */
    List<Holder> holders(int count) {
        return holders(count, MailboxConfig.DEFAULTS);
    }

    /** {@code count} holders serving under {@code config}, knowing each other's addresses. */
    List<Holder> holders(int count, MailboxConfig config) {
        List<Holder> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            OverlayNode overlay = OverlayNode.create(HostConfig.builder(IdentityKeyPair.generate(RANDOM)).sharedEventLoops(group).build(), false);
            join(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
            InMemoryFerryStore store = InMemoryFerryStore.create(StoreLimits.DEFAULTS);
            MailboxServer server = MailboxServer.start(overlay.host(), store, clock, scheduler, Metrics.create(),
                    config, (header, secret, from, notified) -> {});
            MailboxClient client = new MailboxClient(overlay.host(), clock, scheduler,
                    MailboxConfig.DEFAULTS.withRequestTimeout(Duration.ofSeconds(10)));
            created.add(new Holder(overlay, server, store, client));
        }
        for (Holder holder : created) {
            for (Holder other : created) {
                if (other != holder) holder.overlay().host().peerStore().addAddresses(other.peerId(), other.overlay().host().listenAddresses());
            }
        }
        holders.addAll(created);
        return created;
    }

    /** {@code holders} closest to {@code mailbox} first, as the DHT ranks them. */
    static List<Holder> byDistanceTo(MailboxKey mailbox, List<Holder> holders) {
        KadKey target = KadKey.of(mailbox.bytes());
        return holders.stream()
                .sorted(Comparator.comparing(Holder::peerId, (a, b) -> target.compareDistance(KadKey.of(a), KadKey.of(b))))
                .toList();
    }

    /** A closest-peers port that always answers every one of {@code holders}, in the order given. */
    static ClosestPeers everyone(List<Holder> holders) {
        List<PeerId> peers = holders.stream().map(Holder::peerId).toList();
        return mailbox -> CompletableFuture.completedFuture(peers);
    }

    MailboxUpkeep upkeep(Holder holder, ClosestPeers closest, UpkeepConfig config) {
        return new MailboxUpkeep(holder.peerId(), holder.store(), holder.client(), closest, clock, upkeepThread,
                Metrics.create(), config);
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void close() {
        for (Holder holder : holders) {
            try {
                holder.server().close().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
            holder.overlay().close();
            holder.store().close();
        }
        upkeepThread.shutdownNow();
        scheduler.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
