package dev.ferry.messenger.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.messenger.DeliveryState;
import dev.ferry.messenger.DeliveryUpdate;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.messenger.delivery.DeliveryPorts.DirectOutcome;
import dev.ferry.messenger.delivery.DeliveryPorts.StoreOutcome;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.monitoring.Metrics;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.OutboxState;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox against holders and a recipient simulated in the test: the ports are told what to
 * answer, the service's real logic runs on its real executor.
 */
class OutboxServiceTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final InMemoryFerryStore store = InMemoryFerryStore.create(StoreLimits.DEFAULTS);
    private final MessengerConfig config = MessengerConfig.defaults()
            .withRetry(new RetrySchedule(Duration.ofMillis(20), Duration.ofMillis(100), 0.2), Duration.ofMillis(200))
            .withIntervals(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMinutes(1), Duration.ofMinutes(1));
    private final List<DeliveryUpdate> updates = new CopyOnWriteArrayList<>();
    private final Set<EnvelopeId> storedToldBeforeWritten = ConcurrentHashMap.newKeySet();
    private final PeerId recipient = IdentityKeyPair.generate(RANDOM).peerId();
    private final List<PeerId> holders = new ArrayList<>();

    /** The simulated network. */
    private volatile DirectOutcome directAnswer = DirectOutcome.UNREACHABLE;
    private final Set<PeerId> refusing = ConcurrentHashMap.newKeySet();
    private volatile MailboxStatus refusal = MailboxStatus.PEER_QUOTA;
    private final Set<PeerId> down = ConcurrentHashMap.newKeySet();
    private final Map<PeerId, Map<Integer, byte[]>> held = new ConcurrentHashMap<>();
    private final Set<PeerId> knowAcknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicInteger storeAttempts = new AtomicInteger();
    private final AtomicInteger acknowledgementQueries = new AtomicInteger();

    private final DeliveryPorts.HolderDirectory directory = (mailbox, owner) -> CompletableFuture.completedFuture(List.copyOf(holders));
    /** Whether the recipient counts as connected now. */
    private volatile boolean recipientConnected;
    private final AtomicInteger directAttempts = new AtomicInteger();
    private final DeliveryPorts.DirectTransport direct = new DeliveryPorts.DirectTransport() {
        @Override
        public CompletableFuture<DirectOutcome> deliver(PeerId peer, EnvelopeHeader header, byte[] ciphertext, Duration timeout) {
            directAttempts.incrementAndGet();
            return CompletableFuture.completedFuture(directAnswer);
        }

        @Override
        public boolean connected(PeerId peer) {
            return recipientConnected;
        }
    };
    private final DeliveryPorts.ShardTransport transport = new DeliveryPorts.ShardTransport() {
        @Override
        public CompletableFuture<StoreOutcome> store(PeerId holder, EnvelopeHeader header, int index, byte[] shard) {
            storeAttempts.incrementAndGet();
            if (down.contains(holder)) return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
            if (refusing.contains(holder)) return CompletableFuture.completedFuture(StoreOutcome.of(refusal));
            assertThat(header.shardMatches(index, shard)).isTrue();
            held.computeIfAbsent(holder, h -> new ConcurrentHashMap<>()).put(index, shard);
            return CompletableFuture.completedFuture(StoreOutcome.STORED);
        }

        @Override
        public CompletableFuture<java.util.Set<EnvelopeId>> acknowledged(PeerId holder, List<EnvelopeId> envelopes) {
            acknowledgementQueries.incrementAndGet();
            return CompletableFuture.completedFuture(knowAcknowledged.contains(holder) ? java.util.Set.copyOf(envelopes) : java.util.Set.of());
        }
    };

    private OutboxService service;
    private DeliveryMetrics metrics;

    private OutboxService start() {
        metrics = new DeliveryMetrics(Metrics.create());
        service = new OutboxService(store, config, Clock.systemUTC(), executor, directory, direct, transport, RANDOM, update -> {
            // STORED is told only once written: a sender that restarts after hearing it finds it so.
            if (update.state() == DeliveryState.STORED
                    && store.outbox().get(update.envelope()).map(e -> e.state() != OutboxState.STORED).orElse(true)) {
                storedToldBeforeWritten.add(update.envelope());
            }
            updates.add(update);
        }, metrics);
        join(service.resume());
        return service;
    }

    @AfterEach
    void stop() {
        if (service != null) service.close();
        executor.shutdownNow();
        store.close();
    }

    private void holders(int count) {
        for (int i = 0; i < count; i++) holders.add(IdentityKeyPair.generate(RANDOM).peerId());
    }

    private OutgoingEnvelope envelope(Duration ttl) {
        X25519.KeyPair recipientKey = X25519.generate(RANDOM);
        Instant now = Instant.now();
        byte[] payload = new byte[300];
        RANDOM.nextBytes(payload);
        InnerContent content = InnerContent.create(ContentType.SESSION_MESSAGE, IdentityKeyPair.generate(RANDOM).publicKey(), now,
                payload, RANDOM);
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, recipientKey.publicKey(), Mailbox.keyFor(recipient), now,
                now.plus(ttl), RANDOM);
        EncodedShards shards = new ReedSolomonCodec(ErasureParameters.DEFAULT).encode(sealed.ciphertext());
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) hashes.add(shards.shardHash(i));
        return OutgoingEnvelope.queued(recipient, sealed.codedHeader(4, 2, hashes), sealed.ciphertext(), 1, now, false);
    }

    private void send(OutgoingEnvelope envelope) {
        store.outbox().put(envelope.entry(OutboxState.PENDING));
        join(service.submit(envelope));
    }

    private List<DeliveryState> statesOf(OutgoingEnvelope envelope) {
        return updates.stream().filter(u -> u.envelope().equals(envelope.id())).map(DeliveryUpdate::state).toList();
    }

    @Test
    void aRecipientWhoAnswersGetsItDirectly() {
        holders(6);
        directAnswer = DirectOutcome.DELIVERED;
        start();
        OutgoingEnvelope envelope = envelope(Duration.ofHours(1));
        send(envelope);
        await(() -> statesOf(envelope).contains(DeliveryState.DELIVERED));
        assertThat(statesOf(envelope)).containsExactly(DeliveryState.QUEUED, DeliveryState.DELIVERED);
        assertThat(held).isEmpty();
        dev.ferry.store.OutboxEntry acknowledged = store.outbox().get(envelope.id()).orElseThrow();
        assertThat(acknowledged.state()).isEqualTo(OutboxState.ACKNOWLEDGED);
        // Delivered: the entry keeps the header, not the ciphertext it will never push again.
        assertThat(acknowledged.bytes().length).isLessThan(envelope.entry(OutboxState.PENDING).bytes().length - envelope.ciphertext().length + 8);
        assertThat(metrics.sentDirectCount()).isEqualTo(1);
    }

    @Test
    void aRecipientFoundUnreachableIsSkippedUntilItIsConnectedAgain() {
        holders(6);
        start();
        OutgoingEnvelope first = envelope(Duration.ofHours(1));
        send(first);
        await(() -> statesOf(first).contains(DeliveryState.STORED));
        assertThat(directAttempts).hasValue(1);

        OutgoingEnvelope second = envelope(Duration.ofHours(1));
        send(second);
        await(() -> statesOf(second).contains(DeliveryState.STORED));
        assertThat(directAttempts).as("remembered unreachable: straight to the mailbox").hasValue(1);

        // Connected again: tried directly at once, though the memory of it has not run out.
        recipientConnected = true;
        directAnswer = DirectOutcome.DELIVERED;
        OutgoingEnvelope third = envelope(Duration.ofHours(1));
        send(third);
        await(() -> statesOf(third).contains(DeliveryState.DELIVERED));
        assertThat(directAttempts).hasValue(2);
        assertThat(statesOf(third)).containsExactly(DeliveryState.QUEUED, DeliveryState.DELIVERED);
    }

    @Test
    void anAbsentRecipientsEnvelopeIsStoredOnSixHoldersAndDeliveredWhenAHolderSaysSo() {
        holders(8);
        start();
        OutgoingEnvelope envelope = envelope(Duration.ofHours(1));
        send(envelope);
        await(() -> statesOf(envelope).contains(DeliveryState.STORED));
        // Shard i on the i-th closest holder; the two farther peers hold nothing.
        for (int i = 0; i < 6; i++) assertThat(held.get(holders.get(i))).containsOnlyKeys(i);
        assertThat(held).doesNotContainKeys(holders.get(6), holders.get(7));
        assertThat(store.outbox().get(envelope.id()).orElseThrow().state()).isEqualTo(OutboxState.STORED);
        assertThat(OutgoingEnvelope.fromEntry(store.outbox().get(envelope.id()).orElseThrow()).confirmedHolders())
                .containsExactlyInAnyOrderElementsOf(holders.subList(0, 6));

        knowAcknowledged.add(holders.get(3));
        await(() -> statesOf(envelope).contains(DeliveryState.DELIVERED));
        assertThat(statesOf(envelope)).containsExactly(DeliveryState.QUEUED, DeliveryState.STORED, DeliveryState.DELIVERED);
        assertThat(metrics.deliveredCount()).isEqualTo(1);
    }

    @Test
    void manyStoredEnvelopesAreCheckedInBatchesPerHolder() {
        holders(6);
        start();
        List<OutgoingEnvelope> envelopes = new ArrayList<>();
        for (int i = 0; i < 600; i++) envelopes.add(envelope(Duration.ofHours(1)));
        envelopes.forEach(this::send);
        await(() -> envelopes.stream().allMatch(e -> statesOf(e).contains(DeliveryState.STORED)));
        // Their STORED entries go in a few store writes, each before the envelopes in it are announced.
        assertThat(storedToldBeforeWritten).isEmpty();
        assertThat(envelopes).allSatisfy(e -> assertThat(store.outbox().get(e.id()).orElseThrow().state()).isEqualTo(OutboxState.STORED));

        // Counted from here: how many rounds ran while the test waited for STORED depends on the machine.
        long before = acknowledgementQueries.get();
        knowAcknowledged.addAll(holders);

        await(() -> envelopes.stream().allMatch(e -> statesOf(e).contains(DeliveryState.DELIVERED)));
        assertThat(acknowledgementQueries.get() - before).as("ACKED requests to learn of 600 acknowledgements, each about many envelopes")
                .isLessThan(100);
    }

    @Test
    void shardsRefusedByTwoHoldersGoToTheNextClosest() {
        holders(10);
        refusing.add(holders.get(1));
        down.add(holders.get(4));
        start();
        OutgoingEnvelope envelope = envelope(Duration.ofHours(1));
        send(envelope);
        await(() -> statesOf(envelope).contains(DeliveryState.STORED));
        await(() -> held.values().stream().mapToInt(Map::size).sum() == 6);
        assertThat(held).doesNotContainKeys(holders.get(1), holders.get(4));
        assertThat(held.keySet()).contains(holders.get(6), holders.get(7));
    }

    @Test
    void whileEveryHolderRefusesItStaysQueuedAndTheSenderSeesTheirStatus() {
        holders(8);
        refusal = MailboxStatus.MAILBOX_FULL;
        refusing.addAll(holders);
        start();
        OutgoingEnvelope envelope = envelope(Duration.ofHours(1));
        send(envelope);
        await(() -> metrics.shardsNotPlacedCount("mailbox_full") >= 2 * 8);
        assertThat(statesOf(envelope)).containsExactly(DeliveryState.QUEUED);
        assertThat(service.lastRefusal(envelope.id()).join()).contains(MailboxStatus.MAILBOX_FULL);
        assertThat(metrics.shardsNotPlacedCount("peer_quota")).isZero();

        refusing.clear();
        await(() -> statesOf(envelope).contains(DeliveryState.STORED));
        assertThat(service.lastRefusal(envelope.id()).join()).as("stored now: the refusal is no longer why it waits").isEmpty();
    }

    @Test
    void whileNoHolderAnswersItStaysQueuedAndIsPushedAgainUntilOneDoes() {
        holders(6);
        down.addAll(holders);
        start();
        OutgoingEnvelope envelope = envelope(Duration.ofHours(1));
        send(envelope);
        await(() -> storeAttempts.get() >= 3 * 6);
        assertThat(statesOf(envelope)).containsExactly(DeliveryState.QUEUED);
        down.clear();
        await(() -> statesOf(envelope).contains(DeliveryState.STORED));
    }

    @Test
    void anEnvelopeNobodyAcknowledgesExpires() {
        holders(6);
        start();
        OutgoingEnvelope envelope = envelope(Duration.ofMillis(600));
        send(envelope);
        await(() -> statesOf(envelope).contains(DeliveryState.EXPIRED));
        assertThat(statesOf(envelope)).containsExactly(DeliveryState.QUEUED, DeliveryState.STORED, DeliveryState.EXPIRED);
        assertThat(metrics.expiredCount()).isEqualTo(1);
    }

    @Test
    void aRestartedSenderPushesWhatWasPendingAndWatchesWhatWasStored() {
        holders(6);
        OutgoingEnvelope pending = envelope(Duration.ofHours(1));
        OutgoingEnvelope stored = envelope(Duration.ofHours(1)).withConfirmedHolders(holders.subList(0, 6));
        store.outbox().put(pending.entry(OutboxState.PENDING));
        store.outbox().put(stored.entry(OutboxState.STORED));
        knowAcknowledged.add(holders.get(0));

        OutboxService resumed = start();
        await(() -> statesOf(pending).contains(DeliveryState.STORED) && statesOf(stored).contains(DeliveryState.DELIVERED));
        assertThat(join(resumed.state(stored.id()))).isEmpty();
        assertThat(store.outbox().get(stored.id()).orElseThrow().state()).isEqualTo(OutboxState.ACKNOWLEDGED);
    }

    @Test
    void theFloorIsTheLowestSequenceStillOnItsWay() {
        holders(6);
        down.addAll(holders);
        start();
        assertThat(join(service.lowestInFlight(recipient))).isEmpty();
        OutgoingEnvelope first = envelope(Duration.ofHours(1));
        send(first);
        assertThat(join(service.lowestInFlight(recipient))).contains(1L);
        assertThat(join(service.lowestInFlight(holders.get(0)))).isEmpty();
        assertThat(join(service.state(first.id()))).contains(DeliveryState.QUEUED);
        assertThat(join(service.state(EnvelopeId.of(new byte[32])))).isEmpty();
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within " + WAIT);
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
