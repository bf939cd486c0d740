package dev.ferry.messenger.delivery;

import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.DeliveryState;
import dev.ferry.messenger.DeliveryUpdate;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.messenger.delivery.DeliveryPorts.DirectOutcome;
import dev.ferry.messenger.delivery.DeliveryPorts.DirectTransport;
import dev.ferry.messenger.delivery.DeliveryPorts.HolderDirectory;
import dev.ferry.messenger.delivery.DeliveryPorts.ShardTransport;
import dev.ferry.messenger.delivery.DeliveryPorts.StoreOutcome;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.OutboxEntry;
import dev.ferry.store.OutboxState;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The sender's outbox at work: every envelope the user sent is pushed until the recipient has it.
 * First directly, if the recipient answers within {@link MessengerConfig#directTimeout()}; else
 * as k + m shards to the mailbox's closest holders (at least k confirmed makes it
 * {@link DeliveryState#STORED}); failures are retried on the {@link RetrySchedule}; stored
 * envelopes are checked now and then with a holder until one says it was acknowledged
 * ({@link DeliveryState#DELIVERED}); an envelope whose expiry passes first is
 * {@link DeliveryState#EXPIRED}. State changes go to the listener, in order per envelope.
 *
 * <p>One thread (the given single-thread executor) owns all state; the network answers through
 * futures that hop back onto it. The outbox table is the durable truth: {@link #resume()} picks up
 * after a restart where the table says.
 */
public final class OutboxService implements AutoCloseable {
    /**
     * Most envelopes in flight at once. Past it {@link #submit} refuses: a sender that keeps
     * sending to nobody should hear "outbox full", not grow without end.
     */
    public static final int MAX_ACTIVE = 100_000;
    /** Envelopes pushed at once; the rest wait their turn, so a burst does not open thousands of streams. */
    public static final int MAX_PUSHING = 64;
    /**
     * Attempts to place the shards missing after an envelope is already stored (k confirmed):
     * worth a few tries for redundancy, not an endless loop against a network that has too few peers.
     */
    public static final int TOP_UP_ATTEMPTS = 3;
    /**
     * Stored envelopes asked about per acknowledgement round, in ACKED requests of up to
     * {@link DeliveryPorts.ShardTransport#MAX_ACKED_QUERY} per holder; a larger outbox is covered
     * over several rounds, each starting where the last stopped.
     */
    public static final int ACK_CHECKS_PER_ROUND = 4096;
    /**
     * Direct deliveries in flight to one recipient: below what a recipient serves per peer
     * (8 by default), so that an online recipient is never answered BUSY by its own sender.
     */
    public static final int DIRECT_PER_RECIPIENT = 4;
    /**
     * After a recipient did not answer directly, its envelopes go straight to its mailbox for this
     * long: 500 messages to someone who is away should not each wait out a direct timeout.
     */
    public static final Duration UNREACHABLE_MEMORY = Duration.ofSeconds(10);
    /** Recipients remembered as unreachable at once. */
    public static final int MAX_REMEMBERED_UNREACHABLE = 10_000;

    private final class Tracked {
        /** The envelope's id, hashed once: every version of the envelope shares its header. */
        final EnvelopeId id;
        OutgoingEnvelope envelope;
        DeliveryState state;
        int failures;
        int topUps;
        boolean pushing;
        boolean waiting;
        ShardPlacement placement;
        ScheduledFuture<?> retry;
        ScheduledFuture<?> expiry;
        int nextHolderToAsk;
        /** The status a holder last refused one of its shards with, for the sender to see. */
        Optional<MailboxStatus> lastRefusal = Optional.empty();

        Tracked(EnvelopeId id, OutgoingEnvelope envelope, DeliveryState state) {
            this.id = id;
            this.envelope = envelope;
            this.state = state;
        }
    }

    private final FerryStore store;
    private final MessengerConfig config;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final HolderDirectory directory;
    private final DirectTransport direct;
    private final ShardTransport shards;
    private final RandomGenerator random;
    private final Consumer<DeliveryUpdate> listener;
    private final DeliveryMetrics metrics;
    private final Map<EnvelopeId, Tracked> active = new LinkedHashMap<>();
    /** Per recipient, the session sequences (with their counts) of its envelopes in the working set: the floor is the first. */
    private final Map<PeerId, TreeMap<Long, Integer>> sequencesInFlight = new HashMap<>();
    /** Where the next acknowledgement round starts among the stored envelopes. */
    private int nextAcknowledgementCheck;
    private final ArrayDeque<Tracked> waiting = new ArrayDeque<>();
    private int pushing;
    private final Map<PeerId, Integer> directInFlight = new HashMap<>();
    private final Map<PeerId, ArrayDeque<Tracked>> directQueue = new HashMap<>();
    private final Map<PeerId, Instant> recentlyUnreachable = new HashMap<>();
    /**
     * Envelopes that became STORED in this turn of the executor, written in one store write at its
     * end (a busy sender's envelopes reach STORED many at a time); each is announced once written.
     */
    private final List<Tracked> storedUnwritten = new ArrayList<>();
    /** Envelopes in flight per state, kept for metric scrapes on other threads. */
    private final AtomicInteger[] inState = Stream
            .generate(AtomicInteger::new).limit(DeliveryState.values().length)
            .toArray(AtomicInteger[]::new);
    private ScheduledFuture<?> acknowledgementRounds;
    private volatile boolean closed;

    /**
     * @param executor a single-thread executor this service owns the state on (shared with nothing
     *     that blocks for long)
     * @param listener told every state change, on the executor's thread; must not block
     */
    public OutboxService(FerryStore store, MessengerConfig config, Clock clock, ScheduledExecutorService executor,
            HolderDirectory directory, DirectTransport direct, ShardTransport shards, RandomGenerator random,
            Consumer<DeliveryUpdate> listener, DeliveryMetrics metrics) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.executor = executor;
        this.directory = directory;
        this.direct = direct;
        this.shards = shards;
        this.random = random;
        this.listener = listener;
        this.metrics = metrics;
        metrics.outboxSizes(state -> inState[state.ordinal()].get());
    }

    /**
     * Loads the outbox table and carries on with what it holds: pending envelopes are pushed,
     * stored ones checked for acknowledgement, expired ones reported. Call once, before
     * {@link #submit}.
     *
     * @return how many envelopes were picked up
     */
    public CompletableFuture<Integer> resume() {
        return onExecutor(() -> {
            int resumed = 0;
            Optional<EnvelopeId> after = Optional.empty();
            while (true) {
                List<OutboxEntry> page = store.outbox().list(after, 1000);
                if (page.isEmpty()) break;
                for (OutboxEntry entry : page) {
                    if (entry.state() == OutboxState.ACKNOWLEDGED || active.size() >= MAX_ACTIVE) continue;
                    OutgoingEnvelope envelope = OutgoingEnvelope.fromEntry(entry);
                    track(envelope, entry.state() == OutboxState.STORED ? DeliveryState.STORED : DeliveryState.QUEUED, false);
                    resumed++;
                }
                after = Optional.of(page.getLast().envelope());
            }
            scheduleAcknowledgementRounds();
            return resumed;
        });
    }

    /**
     * Takes an envelope whose outbox entry (state {@link OutboxState#PENDING}) the caller has
     * already written, in the same batch as the session state that sealed it.
     *
     * @return completes when the envelope is being pushed; fails with {@link OutboxFullException}
     *     when {@link #MAX_ACTIVE} envelopes are in flight
     */
    public CompletableFuture<Void> submit(OutgoingEnvelope envelope) {
        return onExecutor(() -> {
            if (active.size() >= MAX_ACTIVE) throw new OutboxFullException(MAX_ACTIVE);
            track(envelope, DeliveryState.QUEUED, true);
            return null;
        });
    }

    /** Where an envelope stands, as far as this service knows (empty once delivered and forgotten, or unknown). */
    public CompletableFuture<Optional<DeliveryState>> state(EnvelopeId envelope) {
        return onExecutor(() -> Optional.ofNullable(active.get(envelope)).map(t -> t.state));
    }

    /**
     * The status a mailbox holder last refused a shard of an envelope still on its way with (for
     * example {@link MailboxStatus#MAILBOX_FULL} or {@link MailboxStatus#PEER_QUOTA}); empty if none
     * refused one, or once it is delivered, expired or unknown.
     */
    public CompletableFuture<Optional<MailboxStatus>> lastRefusal(EnvelopeId envelope) {
        return onExecutor(() -> Optional.ofNullable(active.get(envelope)).flatMap(t -> t.lastRefusal));
    }

    /**
     * Whether envelopes for {@code recipient} go to its mailbox without a direct attempt: a direct
     * attempt found it unreachable a moment ago, and we hold no connection to it now (it came back,
     * or dialled us). The connection is looked at here rather than told by a listener, whose news
     * comes a moment after the connection shows.
     */
    private boolean skipsDirect(PeerId recipient) {
        Instant unreachableUntil = recentlyUnreachable.get(recipient);
        if (unreachableUntil == null) return false;
        if (!unreachableUntil.isAfter(clock.instant()) || direct.connected(recipient)) {
            recentlyUnreachable.remove(recipient);
            return false;
        }
        return true;
    }

    /** The lowest session sequence number still in flight to {@code recipient}, or empty: the "floor" a new message carries. */
    public CompletableFuture<Optional<Long>> lowestInFlight(PeerId recipient) {
        return onExecutor(() -> {
            TreeMap<Long, Integer> sequences = sequencesInFlight.get(recipient);
            return sequences == null || sequences.isEmpty() ? Optional.<Long>empty() : Optional.of(sequences.firstKey());
        });
    }

    private void track(OutgoingEnvelope envelope, DeliveryState state, boolean announce) {
        EnvelopeId id = envelope.id();
        if (active.containsKey(id)) return;
        Tracked tracked = new Tracked(id, envelope, state);
        active.put(id, tracked);
        if (!envelope.group() && envelope.sequence() >= 0 && !state.isFinal()) {
            sequencesInFlight.computeIfAbsent(envelope.recipient(), r -> new TreeMap<>()).merge(envelope.sequence(), 1, Integer::sum);
        }
        inState[state.ordinal()].incrementAndGet();
        Instant now = clock.instant();
        if (!envelope.header().expires().isAfter(now)) {
            expire(tracked);
            return;
        }
        tracked.expiry = schedule(() -> expire(tracked), Duration.between(now, envelope.header().expires()));
        if (announce) announce(tracked);
        if (state == DeliveryState.QUEUED) enqueuePush(tracked);
    }

    private void enqueuePush(Tracked tracked) {
        if (tracked.pushing || tracked.waiting || tracked.state.isFinal()) return;
        if (pushing >= MAX_PUSHING) {
            tracked.waiting = true;
            waiting.addLast(tracked);
            return;
        }
        push(tracked);
    }

    private void push(Tracked tracked) {
        tracked.pushing = true;
        pushing++;
        OutgoingEnvelope envelope = tracked.envelope;
        PeerId recipient = envelope.recipient();
        if (envelope.group() || skipsDirect(recipient)) {
            pushShards(tracked);
            return;
        }
        if (directInFlight.getOrDefault(recipient, 0) >= DIRECT_PER_RECIPIENT) {
            // Park it without holding a push slot; the recipient's next finished delivery takes it up.
            tracked.pushing = false;
            pushing--;
            tracked.waiting = true;
            directQueue.computeIfAbsent(recipient, r -> new ArrayDeque<>()).addLast(tracked);
            return;
        }
        directInFlight.merge(recipient, 1, Integer::sum);
        direct.deliver(recipient, envelope.header(), envelope.ciphertext(), config.directTimeout())
                .whenCompleteAsync((outcome, failure) -> {
                    directInFlight.computeIfPresent(recipient, (r, n) -> n > 1 ? n - 1 : null);
                    boolean delivered = failure == null && outcome == DirectOutcome.DELIVERED;
                    if (delivered) {
                        recentlyUnreachable.remove(recipient);
                    } else if (failure != null || outcome == DirectOutcome.UNREACHABLE) {
                        // Only a recipient nobody could connect to is skipped for a while; a slow one is tried again.
                        recentlyUnreachable.put(recipient, clock.instant().plus(UNREACHABLE_MEMORY));
                        trimUnreachable();
                    }
                    if (tracked.state.isFinal()) {
                        pushDone(tracked);
                    } else if (delivered) {
                        metrics.sentDirect();
                        tracked.envelope = envelope.asDeliveredDirectly();
                        delivered(tracked);
                        pushDone(tracked);
                    } else {
                        pushShards(tracked);
                    }
                    releaseParked(recipient, skipsDirect(recipient));
                }, executor);
    }

    /**
     * Lets parked envelopes of {@code recipient} go: one (its direct slot freed), or all (it proved
     * unreachable, so they go to its mailbox without a direct attempt).
     */
    private void releaseParked(PeerId recipient, boolean all) {
        ArrayDeque<Tracked> parked = directQueue.remove(recipient);
        if (parked == null) return;
        List<Tracked> released = new ArrayList<>();
        if (all) {
            released.addAll(parked);
        } else {
            released.add(parked.pollFirst());
            if (!parked.isEmpty()) directQueue.put(recipient, parked);
        }
        for (Tracked next : released) {
            next.waiting = false;
            enqueuePush(next); // may park it again, behind the others: each pass moves forward
        }
    }

    private void trimUnreachable() {
        if (recentlyUnreachable.size() <= MAX_REMEMBERED_UNREACHABLE) return;
        Instant now = clock.instant();
        recentlyUnreachable.values().removeIf(until -> !until.isAfter(now));
        if (recentlyUnreachable.size() > MAX_REMEMBERED_UNREACHABLE) recentlyUnreachable.clear();
    }

    private void pushShards(Tracked tracked) {
        OutgoingEnvelope envelope = tracked.envelope;
        directory.holders(envelope.header().mailbox(), envelope.recipient()).whenCompleteAsync((holders, failure) -> {
            if (tracked.state.isFinal()) {
                pushDone(tracked);
                return;
            }
            if (failure != null || holders.isEmpty()) {
                failedRound(tracked);
                return;
            }
            ErasureParameters parameters = new ErasureParameters(envelope.header().dataShards(), envelope.header().parityShards());
            EncodedShards encoded = ReedSolomonCodec.of(parameters).encode(envelope.ciphertext());
            ShardPlacement placement = new ShardPlacement(parameters.totalShards(), holders);
            tracked.placement = placement;
            Map<Integer, PeerId> open = placement.unconfirmed();
            if (open.isEmpty()) {
                failedRound(tracked);
                return;
            }
            int[] outstanding = {open.size()};
            open.forEach((index, holder) -> storeShard(tracked, placement, encoded, index, holder, outstanding));
        }, executor);
    }

    /** Stores one shard; on a refusal moves it to the next holder; the round ends when every shard has an answer. */
    private void storeShard(Tracked tracked, ShardPlacement placement, EncodedShards encoded, int index, PeerId holder,
            int[] outstanding) {
        shards.store(holder, tracked.envelope.header(), index, encoded.shard(index)).whenCompleteAsync((outcome, failure) -> {
            StoreOutcome result = failure == null ? outcome : StoreOutcome.UNREACHABLE;
            if (result.kind() == StoreOutcome.Kind.STORED) {
                placement.confirmed(index);
                metrics.shardPlaced();
            } else if (result.kind() == StoreOutcome.Kind.ACKNOWLEDGED && !tracked.envelope.group()) {
                delivered(tracked);
            } else {
                metrics.shardNotPlaced(result.reason());
                if (result.kind() == StoreOutcome.Kind.REFUSED) tracked.lastRefusal = result.status();
                Optional<PeerId> next = tracked.state.isFinal() ? Optional.empty() : placement.failed(index);
                if (next.isPresent()) {
                    storeShard(tracked, placement, encoded, index, next.get(), outstanding);
                    return;
                }
            }
            if (--outstanding[0] == 0) roundDone(tracked, placement);
        }, executor);
    }

    private void roundDone(Tracked tracked, ShardPlacement placement) {
        if (tracked.state.isFinal()) {
            pushDone(tracked);
            return;
        }
        int k = tracked.envelope.header().dataShards();
        if (placement.confirmedCount() >= k) {
            List<PeerId> holders = new ArrayList<>(tracked.envelope.confirmedHolders());
            for (PeerId holder : placement.confirmedHolders()) if (!holders.contains(holder)) holders.add(holder);
            tracked.envelope = tracked.envelope.withConfirmedHolders(holders);
            tracked.lastRefusal = Optional.empty();
            if (tracked.state == DeliveryState.QUEUED) {
                metrics.sentStored();
                moveTo(tracked, DeliveryState.STORED);
                writeStoredSoon(tracked);
            }
            tracked.failures = 0;
            pushDone(tracked);
            if (!placement.complete() && ++tracked.topUps < TOP_UP_ATTEMPTS) {
                tracked.retry = schedule(() -> enqueuePush(tracked), config.retry().delayAfter(tracked.topUps, random));
            }
            return;
        }
        failedRound(tracked);
    }

    private void writeStoredSoon(Tracked tracked) {
        storedUnwritten.add(tracked);
        if (storedUnwritten.size() > 1) return; // a write is due already
        try {
            executor.execute(this::writeStored);
        } catch (RejectedExecutionException e) {
            // closing: the entries stay PENDING, and a restart pushes those envelopes again
        }
    }

    /** Writes the STORED entries of the envelopes that got there since the last write, then announces them. */
    private void writeStored() {
        // Delivering or expiring one writes these first, so all are still STORED; the filter keeps it so.
        List<Tracked> due = storedUnwritten.stream().filter(t -> t.state == DeliveryState.STORED).toList();
        storedUnwritten.clear();
        if (due.isEmpty()) return;
        store.write(batch -> due.forEach(t -> batch.outbox().put(t.envelope.entry(OutboxState.STORED))));
        due.forEach(this::announce);
    }

    private void failedRound(Tracked tracked) {
        pushDone(tracked);
        tracked.failures++;
        metrics.pushRetried();
        tracked.retry = schedule(() -> enqueuePush(tracked), config.retry().delayAfter(tracked.failures, random));
    }

    private void pushDone(Tracked tracked) {
        if (!tracked.pushing) return;
        tracked.pushing = false;
        pushing--;
        while (pushing < MAX_PUSHING && !waiting.isEmpty()) {
            Tracked next = waiting.pollFirst();
            next.waiting = false;
            if (!next.state.isFinal()) push(next);
        }
    }

    private void scheduleAcknowledgementRounds() {
        if (acknowledgementRounds != null || closed) return;
        long period = config.acknowledgementCheck().toMillis();
        try {
            acknowledgementRounds = executor.scheduleWithFixedDelay(this::acknowledgementRound, period, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Asks one holder of each stored envelope (a different one each round) whether it was
     * acknowledged: the envelopes for one holder go in a few batched requests.
     */
    private void acknowledgementRound() {
        List<Tracked> stored = active.values().stream()
                .filter(t -> t.state == DeliveryState.STORED && !t.envelope.group() && !t.envelope.confirmedHolders().isEmpty())
                .toList();
        if (stored.isEmpty()) return;
        int start = Math.floorMod(nextAcknowledgementCheck, stored.size());
        int count = Math.min(stored.size(), ACK_CHECKS_PER_ROUND);
        nextAcknowledgementCheck = start + count;
        Map<PeerId, List<Tracked>> byHolder = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            Tracked tracked = stored.get((start + i) % stored.size());
            List<PeerId> holders = tracked.envelope.confirmedHolders();
            PeerId holder = holders.get(tracked.nextHolderToAsk++ % holders.size());
            byHolder.computeIfAbsent(holder, h -> new ArrayList<>()).add(tracked);
        }
        byHolder.forEach((holder, envelopes) -> {
            for (int from = 0; from < envelopes.size(); from += DeliveryPorts.ShardTransport.MAX_ACKED_QUERY) {
                List<Tracked> batch = envelopes.subList(from, Math.min(envelopes.size(), from + DeliveryPorts.ShardTransport.MAX_ACKED_QUERY));
                shards.acknowledged(holder, batch.stream().map(t -> t.id).toList()).whenCompleteAsync((yes, failure) -> {
                    if (failure != null) return;
                    delivered(batch.stream().filter(t -> yes.contains(t.id) && t.state == DeliveryState.STORED).toList());
                }, executor);
            }
        });
    }

    private void delivered(Tracked tracked) {
        delivered(List.of(tracked));
    }

    /** Marks envelopes delivered, their outbox entries in one store write (a holder answers for up to 256 at once). */
    private void delivered(List<Tracked> envelopes) {
        List<Tracked> open = envelopes.stream().filter(t -> !t.state.isFinal()).toList();
        if (open.isEmpty()) return;
        writeStored(); // STORED is written and told before DELIVERED
        store.write(batch -> open.forEach(t -> batch.outbox().put(t.envelope.entry(OutboxState.ACKNOWLEDGED))));
        for (Tracked tracked : open) {
            moveTo(tracked, DeliveryState.DELIVERED);
            metrics.delivered(Duration.between(tracked.envelope.queuedAt(), clock.instant()));
            finish(tracked);
        }
    }

    private void expire(Tracked tracked) {
        if (tracked.state.isFinal()) return;
        writeStored();
        moveTo(tracked, DeliveryState.EXPIRED);
        metrics.expired();
        // The sweep deletes the outbox entry at its expiry; nothing is pushed again.
        finish(tracked);
    }

    private void moveTo(Tracked tracked, DeliveryState next) {
        inState[tracked.state.ordinal()].decrementAndGet();
        tracked.state = next;
        // Final states leave the outbox's working set at once: they are counted by their counters.
        if (!next.isFinal()) inState[next.ordinal()].incrementAndGet();
    }

    private void finish(Tracked tracked) {
        announce(tracked);
        if (tracked.retry != null) tracked.retry.cancel(false);
        if (tracked.expiry != null) tracked.expiry.cancel(false);
        active.remove(tracked.id);
        OutgoingEnvelope envelope = tracked.envelope;
        TreeMap<Long, Integer> sequences = envelope.group() ? null : sequencesInFlight.get(envelope.recipient());
        if (sequences != null) {
            sequences.computeIfPresent(envelope.sequence(), (s, n) -> n > 1 ? n - 1 : null);
            if (sequences.isEmpty()) sequencesInFlight.remove(envelope.recipient());
        }
    }

    private void announce(Tracked tracked) {
        try {
            listener.accept(new DeliveryUpdate(tracked.id, tracked.envelope.recipient(), tracked.envelope.sequence(),
                    tracked.state, clock.instant()));
        } catch (RuntimeException e) {
            metrics.listenerFailed();
        }
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private <T> CompletableFuture<T> onExecutor(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(work.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the outbox is closed"));
        }
        return result;
    }

    /** Stops scheduling; envelopes stay in the outbox table for the next start. */
    @Override
    public void close() {
        closed = true;
        if (acknowledgementRounds != null) acknowledgementRounds.cancel(false);
        onExecutor(() -> {
            for (Tracked t : active.values()) {
                if (t.retry != null) t.retry.cancel(false);
                if (t.expiry != null) t.expiry.cancel(false);
            }
            return null;
        });
    }
}
