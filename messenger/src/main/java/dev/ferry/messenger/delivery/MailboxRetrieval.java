package dev.ferry.messenger.delivery;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.delivery.DeliveryPorts.HolderDirectory;
import dev.ferry.messenger.mailbox.FetchedPage;
import dev.ferry.messenger.mailbox.FetchedShard;
import dev.ferry.store.EnvelopeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The recipient's side of store-and-forward for one mailbox: finds the mailbox's holders, keeps a
 * WATCH open on the near ones (the k + m closest and a margin) so that new shards are fetched at
 * once, fetches everything they hold on start and every {@code fetchInterval} (pushes are lost
 * when a holder restarts; the holders further out are listed on start and every few rounds),
 * rebuilds envelopes from any k valid shards, hands each to the intake, and acknowledges it to
 * every holder.
 *
 * <p>One thread (the given executor) owns the state; network answers hop back onto it.
 */
public final class MailboxRetrieval implements AutoCloseable {
    /** Shards asked for per FETCH: a page stays well under the mailbox protocol's message limit. */
    public static final int PAGE_SIZE = 64;
    /** Handfuls of rebuilt envelopes with the intake at once: enough to keep it busy, few enough that the rest wait in order. */
    static final int MAX_OPENING = 2;
    /**
     * Rebuilt envelopes handed to the intake together, which writes them in one store write (a
     * sender's run of them chains its session state through it instead of writing it each time).
     */
    static final int MAX_HANDFUL = 32;
    /** Pages fetched from one holder per round: a holder listing more waits for the next round. */
    public static final int MAX_PAGES_PER_ROUND = 64;
    /** Incomplete envelopes kept between rounds. */
    public static final int MAX_PENDING_ENVELOPES = 4096;
    /** Shard bytes kept between rounds: 64 MiB. */
    public static final long MAX_PENDING_BYTES = 64L << 20;
    /** Wait after a WATCH push before fetching, so that a burst of pushes becomes one fetch. */
    public static final Duration PUSH_COALESCING = Duration.ofMillis(20);
    /**
     * Longest rebuilt envelopes wait for the listings still running while no page of theirs comes
     * in, before they are opened anyway: waiting for them puts them in order with the envelopes
     * they bring (see {@link #openNext}). A listing that keeps bringing pages is waited for to
     * its end, however long a large mailbox takes; a holder that stops answering is not.
     */
    public static final Duration ORDERING_WAIT = Duration.ofSeconds(1);
    /**
     * Holders listed past the k + m closest in an ordinary round: a sender places shards on the
     * closest peers it reaches, skipping itself and any that fail, so they can sit a little further out.
     */
    public static final int NEAR_MARGIN = 2;
    /**
     * Every this many rounds, all the holders found are listed, not only the near ones: shards
     * placed far out (the near holders were down when they were sent) are found within this many rounds.
     */
    public static final int FULL_ROUND_EVERY = 5;

    /** What the intake made of a rebuilt envelope. */
    public sealed interface IntakeOutcome {
        /** Taken, now or before: acknowledge it to its holders with {@code secret}. */
        record Acknowledge(byte[] secret) implements IntakeOutcome {}

        /** Nothing to acknowledge, and nothing more to do with it (refused for good, or a group envelope, which stays). */
        record Done() implements IntakeOutcome {}

        /**
         * Not now: it may open once envelopes sealed before it are in (a session refuses a
         * message too far ahead of the last one it had). It is rebuilt from a later listing.
         */
        record Later() implements IntakeOutcome {}
    }

    /** Opens rebuilt envelopes: the node's intake, or a group's reader. */
    @FunctionalInterface
    public interface Intake {
        /** Takes these envelopes, in this order; gives what became of each, in order. */
        List<CompletableFuture<IntakeOutcome>> take(List<EnvelopeIntake.Arrival> envelopes);

        /** An intake that takes each envelope on its own. */
        static Intake oneByOne(BiFunction<EnvelopeHeader, byte[], CompletableFuture<IntakeOutcome>> open) {
            return envelopes -> envelopes.stream().map(e -> open.apply(e.header(), e.ciphertext())).toList();
        }
    }

    /** The mailbox protocol as the recipient uses it. */
    public interface MailboxReader {
        /** A page of what {@code holder} keeps in {@code owner}'s mailbox; each shard already matched its header's hash. */
        CompletableFuture<FetchedPage> fetch(PeerId holder, IdentityKeyPair owner, Optional<byte[]> cursor, int limit);

        /**
         * Acknowledges an envelope of {@code shardCount} shards (k + m) to {@code holder}, naming
         * the other holders it is acknowledged to.
         */
        CompletableFuture<Boolean> acknowledge(PeerId holder, byte[] envelopeId, byte[] secret, Collection<PeerId> notified,
                int shardCount);

        /**
         * Opens a WATCH: {@code onPush} runs for each new shard the holder announces, {@code onEnd}
         * once when the watch ends; the future gives the handle that ends it.
         */
        CompletableFuture<AutoCloseable> watch(PeerId holder, IdentityKeyPair owner, Runnable onPush, Runnable onEnd);
    }

    private final byte[] mailbox;
    private final IdentityKeyPair owner;
    private final PeerId ownerPeer;
    private final boolean acknowledge;
    private final HolderDirectory directory;
    private final MailboxReader reader;
    private final Intake intake;
    private final ScheduledExecutorService executor;
    private final Duration fetchInterval;
    /** Holders listed in an ordinary round, the closest first. */
    private final int nearHolders;
    /** Rounds run by the schedule, to make every {@link #FULL_ROUND_EVERY}th a full one. */
    private long scheduledRounds;
    /** Rebuilt envelopes waiting for the intake, oldest sealed first; owned by the executor. */
    private final PriorityQueue<Rebuilt> toOpen = new PriorityQueue<>(
            Comparator.comparing((Rebuilt r) -> r.header().created()).thenComparing(Rebuilt::id));
    /** Envelopes with the intake now. */
    private int opening;
    /** Listings whose pages are still coming; rebuilt envelopes wait for them while pages keep coming (see {@link #ORDERING_WAIT}). */
    private int pagingListings;
    /** When rebuilt envelopes began to wait for listings, or the last page came in since; -1 when none waits. */
    private long waitingSince = -1;
    /** Whether a look at the waiting envelopes is scheduled for when {@link #ORDERING_WAIT} passed. */
    private boolean orderingCheckScheduled;
    /** Set once envelopes went to the intake without waiting; cleared when none is left to open. */
    private boolean draining;
    /** Something is left on the holders that a listing now would bring: envelopes to try later, or pages past the budget. */
    private boolean relistWanted;
    /** An envelope was taken since the last listing asked for by {@link #relistWanted}: a new one makes progress. */
    private boolean takenSinceRelist;
    /** Ciphertext bytes in {@link #toOpen}. */
    private long queuedBytes;
    /** Page fetches waiting for {@link #toOpen} to shrink. */
    private final List<CompletableFuture<Void>> waitingForRoom = new ArrayList<>();
    /** Listings running, each until the envelopes it rebuilt went through the intake. */
    private int listings;
    /** Holders to list once the retrieval {@link #settled}, with what completes when they are listed. */
    private final Map<PeerId, CompletableFuture<Void>> listWhenSettled = new java.util.LinkedHashMap<>();
    /** ACKs sent and not yet answered. */
    private int acknowledging;
    private final ShardCollector collector = new ShardCollector(MAX_PENDING_ENVELOPES, MAX_PENDING_BYTES);
    private final Map<PeerId, AutoCloseable> watches = new HashMap<>();
    private final Set<PeerId> fetchScheduled = new HashSet<>();
    /** Envelopes taken recently, oldest first, with whom they were acknowledged to: a holder that lists one later gets its ACK then. */
    private final Map<EnvelopeId, Taken> taken = new java.util.LinkedHashMap<>();
    /** Holders seen listing each envelope being collected, oldest first, to acknowledge it to them. */
    private final Map<EnvelopeId, Set<PeerId>> sources = new java.util.LinkedHashMap<>();
    private List<PeerId> holders = List.of();
    private ScheduledFuture<?> rounds;
    private boolean closed;
    private volatile long tamperedShards;

    /**
     * @param mailbox the mailbox key
     * @param owner the key that authorises FETCH and WATCH for it (the node key, or a group's mailbox key)
     * @param ownerPeer the mailbox owner's PeerId (never asked to hold its own mailbox)
     * @param acknowledge whether envelopes are acknowledged to the holders (not for group mailboxes,
     *     whose envelopes stay for every member until they expire)
     * @param intake opens rebuilt envelopes and says of each whether to acknowledge it or rebuild it later
     * @param shardsPerEnvelope k + m of the envelopes expected: an ordinary round lists that many
     *     of the closest holders and {@link #NEAR_MARGIN} more
     */
    public MailboxRetrieval(byte[] mailbox, IdentityKeyPair owner, PeerId ownerPeer, boolean acknowledge, HolderDirectory directory,
            MailboxReader reader, Intake intake,
            ScheduledExecutorService executor, Duration fetchInterval, int shardsPerEnvelope) {
        if (shardsPerEnvelope < 1) throw new IllegalArgumentException("shardsPerEnvelope must be positive, got " + shardsPerEnvelope);
        this.mailbox = mailbox.clone();
        this.owner = owner;
        this.ownerPeer = ownerPeer;
        this.acknowledge = acknowledge;
        this.directory = directory;
        this.reader = reader;
        this.intake = intake;
        this.executor = executor;
        this.fetchInterval = fetchInterval;
        this.nearHolders = shardsPerEnvelope + NEAR_MARGIN;
    }

    /**
     * Starts: a first round now, then one every {@code fetchInterval}. The first lists every
     * holder found, as does every {@link #FULL_ROUND_EVERY}th; the others list the near ones.
     */
    public void start() {
        executor.execute(() -> {
            if (closed || rounds != null) return;
            rounds = executor.scheduleWithFixedDelay(this::round, 0, fetchInterval.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Runs a round now that lists every holder found (after the node (re)joined the network, say);
     * completes when its lookups and fetches are done.
     */
    public CompletableFuture<Void> fetchNow() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> roundThen(true, done));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("closed"));
        }
        return done;
    }

    /** Rebuilt envelopes waiting for the intake; for tests. */
    CompletableFuture<Integer> waitingToOpen() {
        return CompletableFuture.supplyAsync(toOpen::size, executor);
    }

    /** Shards that did not match their header's hash, served by some holder. */
    public long tamperedShards() {
        return tamperedShards;
    }

    private void round() {
        // A full round also when an envelope is still missing shards: they may be further out.
        boolean full = scheduledRounds++ % FULL_ROUND_EVERY == 0 || collector.pendingEnvelopes() > 0;
        roundThen(full, new CompletableFuture<>());
    }

    /** Looks the holders up and lists them: all of them if {@code full}, else the near ones. */
    private void roundThen(boolean full, CompletableFuture<Void> done) {
        if (closed) {
            done.complete(null);
            return;
        }
        directory.holders(mailbox, ownerPeer).whenCompleteAsync((found, failure) -> {
            if (failure != null || closed) {
                done.complete(null);
                return;
            }
            holders = List.copyOf(found);
            refreshWatches();
            fetchHolders(full ? holders : near()).whenComplete((v, e) -> done.complete(null));
        }, executor);
    }

    /**
     * Lists {@code holders}' parts of the mailbox from the start, now if nothing an earlier
     * listing brought is still on its way (see {@link #settled}), otherwise as soon as it is:
     * a listing of a holder that runs while its earlier shards wait to be opened or acknowledged
     * brings them all again. However often a holder is asked for meanwhile, it is listed once.
     * Completes when the listings that cover this request are done.
     */
    private CompletableFuture<Void> fetchHolders(Collection<PeerId> asked) {
        List<CompletableFuture<Void>> listed = new ArrayList<>();
        boolean now = settled();
        for (PeerId holder : asked) {
            listed.add(now ? listHolder(holder) : listWhenSettled.computeIfAbsent(holder, h -> new CompletableFuture<>()));
        }
        return CompletableFuture.allOf(listed.toArray(CompletableFuture[]::new));
    }

    /**
     * Whether everything the listings brought went through: no listing runs, no rebuilt envelope
     * waits for or is with the intake, and every ACK sent was answered.
     */
    private boolean settled() {
        return listings == 0 && toOpen.isEmpty() && opening == 0 && acknowledging == 0;
    }

    /** Starts the listings asked for while the retrieval was busy, once it settled. */
    private void listIfSettled() {
        if (closed || listWhenSettled.isEmpty() || !settled()) return;
        Map<PeerId, CompletableFuture<Void>> due = new java.util.LinkedHashMap<>(listWhenSettled);
        listWhenSettled.clear();
        due.forEach((holder, done) -> listHolder(holder).whenComplete((v, e) -> done.complete(null)));
    }

    /** Lists {@code holder}'s part of the mailbox from the start; completes when its envelopes went through the intake. */
    private CompletableFuture<Void> listHolder(PeerId holder) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        listings++;
        CompletableFuture<Void> paged = new CompletableFuture<>();
        pagingListings++;
        paged.whenComplete((v, e) -> {
            pagingListings--;
            openNext();
        });
        fetchAll(holder, Optional.empty(), 0, paged).whenCompleteAsync((v, e) -> {
            paged.complete(null); // already, unless the listing broke off
            listings--;
            done.complete(null);
            listIfSettled();
        }, executor);
        return done;
    }

    /**
     * Fetches a holder's pages one after another from {@code cursor}, offering their shards;
     * completes {@code paged} when no more pages will be asked for, and the result when the
     * envelopes they rebuilt went through the intake too.
     */
    private CompletableFuture<Void> fetchAll(PeerId holder, Optional<byte[]> cursor, int pages, CompletableFuture<Void> paged) {
        return reader.fetch(holder, owner, cursor, PAGE_SIZE).handleAsync((page, failure) -> {
            if (failure != null || closed) {
                paged.complete(null);
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (waitingSince >= 0) waitingSince = System.nanoTime(); // the listings make progress: keep waiting for them
            List<CompletableFuture<Void>> opened = new ArrayList<>();
            for (FetchedShard shard : page.shards()) opened.add(offer(holder, shard));
            tamperedShards += page.rejected();
            // The next page once the envelopes waiting for the intake leave room for it.
            CompletableFuture<Void> rest;
            if (page.nextCursor().isPresent() && pages + 1 < MAX_PAGES_PER_ROUND) {
                rest = room().thenComposeAsync(v -> fetchAll(holder, page.nextCursor(), pages + 1, paged), executor);
            } else {
                // Past the page budget: the rest comes with a listing once these are through.
                if (page.nextCursor().isPresent()) relistWanted = true;
                paged.complete(null);
                rest = CompletableFuture.completedFuture(null);
            }
            opened.add(rest);
            return CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new));
        }, executor).thenCompose(f -> f);
    }

    private CompletableFuture<Void> offer(PeerId from, FetchedShard shard) {
        if (!java.util.Arrays.equals(shard.header().mailbox(), mailbox)) return CompletableFuture.completedFuture(null);
        EnvelopeId id = EnvelopeId.of(shard.header().envelopeId());
        Taken known = taken.get(id);
        if (known != null) {
            // Taken already, yet this holder lists it: it was not among those acknowledged to, or
            // that ACK failed on the way. (One on its way is not sent again.)
            if (acknowledge && known.acknowledgedTo.add(from)) acknowledgeTo(List.of(from), id, known);
            return CompletableFuture.completedFuture(null);
        }
        if (sources.size() >= MAX_PENDING_ENVELOPES && !sources.containsKey(id)) sources.remove(sources.keySet().iterator().next());
        sources.computeIfAbsent(id, e -> new HashSet<>()).add(from);
        ShardCollector.Outcome outcome = collector.offer(shard.header(), shard.index(), shard.data());
        if (outcome instanceof ShardCollector.Tampered) tamperedShards++;
        if (!(outcome instanceof ShardCollector.Complete complete)) return CompletableFuture.completedFuture(null);
        Rebuilt rebuilt = new Rebuilt(id, complete.header(), complete.ciphertext());
        toOpen.add(rebuilt);
        queuedBytes += rebuilt.ciphertext().length;
        openNext();
        return rebuilt.done;
    }

    /**
     * Hands rebuilt envelopes to the intake oldest first, a couple at a time. A listing comes in
     * envelope-id order, which is random; opened in that order, a sender's messages would arrive
     * shuffled, and each one out of order costs the ratchet a skipped key and the session a held
     * message, both rewritten with every message after (a backlog of thousands opened shuffled
     * costs time quadratic in its length); a message more than
     * {@code SessionLimits.MAX_SEQUENCE_AHEAD} ahead is refused until the ones before it are in.
     * So they wait until the listings running now have brought their pages (or until no page came
     * for {@link #ORDERING_WAIT}, or until they fill the queue), and then go in the order they
     * were sealed.
     */
    private void openNext() {
        if (closed) return;
        if (!draining && !toOpen.isEmpty()) {
            boolean waitedEnough = waitingSince >= 0 && System.nanoTime() - waitingSince >= ORDERING_WAIT.toNanos();
            if (pagingListings > 0 && !waitedEnough && waitingForRoom.isEmpty() && toOpen.size() < MAX_PENDING_ENVELOPES) {
                if (waitingSince < 0) waitingSince = System.nanoTime();
                scheduleOrderingCheck();
                return;
            }
            waitingSince = -1;
            draining = true;
        }
        while (opening < MAX_OPENING && !toOpen.isEmpty()) {
            List<Rebuilt> handful = new ArrayList<>();
            while (handful.size() < MAX_HANDFUL && !toOpen.isEmpty()) {
                Rebuilt next = toOpen.poll();
                queuedBytes -= next.ciphertext().length;
                handful.add(next);
            }
            if (queuedBytes <= MAX_PENDING_BYTES / 2 && !waitingForRoom.isEmpty()) {
                List<CompletableFuture<Void>> ready = List.copyOf(waitingForRoom);
                waitingForRoom.clear();
                ready.forEach(f -> f.complete(null));
            }
            opening++;
            open(handful).whenCompleteAsync((v, e) -> {
                opening--;
                handful.forEach(r -> r.done.complete(null));
                openNext();
            }, executor);
        }
        if (toOpen.isEmpty()) draining = false;
        if (opening == 0 && toOpen.isEmpty()) {
            relistIfWanted();
            listIfSettled();
        }
    }

    /** Looks at the waiting envelopes again once {@link #ORDERING_WAIT} passed since the wait began or the last page came. */
    private void scheduleOrderingCheck() {
        if (orderingCheckScheduled) return;
        orderingCheckScheduled = true;
        long due = Math.max(1, waitingSince + ORDERING_WAIT.toNanos() - System.nanoTime());
        executor.schedule(() -> {
            orderingCheckScheduled = false;
            openNext();
        }, due, TimeUnit.NANOSECONDS);
    }

    /**
     * Lists every holder again once everything rebuilt went through the intake, if something was
     * left for a later listing and the last one made progress; otherwise the next round does it.
     */
    private void relistIfWanted() {
        if (!relistWanted || !takenSinceRelist || closed) return;
        relistWanted = false;
        takenSinceRelist = false;
        fetchHolders(holders);
    }

    /** Completes when the envelopes waiting for the intake hold at most {@link #MAX_PENDING_BYTES}. */
    private CompletableFuture<Void> room() {
        if (queuedBytes <= MAX_PENDING_BYTES) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> room = new CompletableFuture<>();
        waitingForRoom.add(room);
        return room;
    }

    /** Hands a handful of rebuilt envelopes to the intake; completes when each outcome was dealt with. */
    private CompletableFuture<Void> open(List<Rebuilt> handful) {
        List<CompletableFuture<IntakeOutcome>> outcomes = intake.take(
                handful.stream().map(r -> new EnvelopeIntake.Arrival(r.header(), r.ciphertext())).toList());
        CompletableFuture<?>[] handled = new CompletableFuture<?>[handful.size()];
        for (int i = 0; i < handled.length; i++) {
            Rebuilt rebuilt = handful.get(i);
            handled[i] = outcomes.get(i).handleAsync((outcome, failure) -> {
                taken(rebuilt, outcome, failure);
                return null;
            }, executor);
        }
        return CompletableFuture.allOf(handled);
    }

    /** What the intake made of {@code rebuilt}: acknowledge it, drop it, or rebuild it later. */
    private void taken(Rebuilt rebuilt, IntakeOutcome outcome, Throwable failure) {
        EnvelopeId id = rebuilt.id;
        EnvelopeHeader header = rebuilt.header;
        // A failure (the store, say) may pass: the envelope stays on its holders for a later try.
        if (failure != null || outcome instanceof IntakeOutcome.Later) {
            collector.forgetCompleted(id);
            sources.remove(id);
            relistWanted = true;
            return;
        }
        if (!(outcome instanceof IntakeOutcome.Acknowledge(byte[] secret))) return;
        takenSinceRelist = true;
        Taken entry = new Taken(secret, header.dataShards() + header.parityShards());
        taken.put(id, entry);
        if (taken.size() > MAX_PENDING_ENVELOPES) taken.remove(taken.keySet().iterator().next());
        Set<PeerId> listed = sources.remove(id);
        if (!acknowledge) return;
        // To the holders that listed a shard of it, naming them (the first of them forwards) and
        // the k + m closest of ours: the ACK is forwarded only to holders outside both. Any other
        // holder of a shard lists it to us in a later round and gets its ACK then.
        if (listed == null) return;
        entry.acknowledgedTo.addAll(listed);
        entry.covered.addAll(holders.subList(0, Math.min(holders.size(), entry.shardCount)));
        acknowledgeTo(List.copyOf(listed), id, entry);
    }

    /** Sends the ACK of {@code id} to {@code targets}; a holder whose ACK fails on the way may get one again. */
    private void acknowledgeTo(List<PeerId> targets, EnvelopeId id, Taken entry) {
        Set<PeerId> named = new java.util.LinkedHashSet<>(entry.acknowledgedTo);
        named.addAll(entry.covered);
        List<PeerId> notified = List.copyOf(named);
        // Only the holder named first forwards, and only it needs the whole list; the others learn
        // from its name alone that they are not to forward (a quarter of the bytes of six ACKs).
        List<PeerId> forwarderOnly = notified.isEmpty() ? List.of() : List.of(notified.getFirst());
        for (PeerId holder : targets) {
            acknowledging++;
            List<PeerId> told = notified.isEmpty() || notified.getFirst().equals(holder) ? notified : forwarderOnly;
            reader.acknowledge(holder, id.bytes(), entry.secret, told, entry.shardCount).whenCompleteAsync((answered, failure) -> {
                acknowledging--;
                if (failure != null) entry.acknowledgedTo.remove(holder);
                listIfSettled();
            }, executor);
        }
    }

    /** An envelope rebuilt and waiting for the intake; {@code done} completes once the intake had it. */
    private record Rebuilt(EnvelopeId id, EnvelopeHeader header, byte[] ciphertext, CompletableFuture<Void> done) {
        Rebuilt(EnvelopeId id, EnvelopeHeader header, byte[] ciphertext) {
            this(id, header, ciphertext, new CompletableFuture<>());
        }
    }

    /**
     * An envelope taken: its ACK secret and shard count, the holders it was acknowledged to (or is
     * on its way to), and the closest peers it was expected on, which its ACKs name as covered too.
     */
    private static final class Taken {
        final byte[] secret;
        final int shardCount;
        final Set<PeerId> acknowledgedTo = new java.util.LinkedHashSet<>();
        final Set<PeerId> covered = new java.util.LinkedHashSet<>();

        Taken(byte[] secret, int shardCount) {
            this.secret = secret;
            this.shardCount = shardCount;
        }
    }

    /** The holders an ordinary round lists and watches: the closest k + m and {@link #NEAR_MARGIN} more. */
    private List<PeerId> near() {
        return holders.subList(0, Math.min(holders.size(), nearHolders));
    }

    private void refreshWatches() {
        List<PeerId> watched = near();
        for (PeerId holder : watched) {
            if (watches.containsKey(holder)) continue;
            watches.put(holder, () -> {});
            reader.watch(holder, owner, () -> executor.execute(() -> pushed(holder)),
                    () -> executor.execute(() -> watches.remove(holder))).whenCompleteAsync((handle, failure) -> {
                        if (failure != null) {
                            watches.remove(holder);
                        } else if (closed || !watches.containsKey(holder)) {
                            closeQuietly(handle);
                        } else {
                            watches.put(holder, handle);
                        }
                    }, executor);
        }
        for (PeerId gone : new ArrayList<>(watches.keySet())) {
            if (!watched.contains(gone)) closeQuietly(watches.remove(gone));
        }
    }

    private void pushed(PeerId holder) {
        if (closed || !fetchScheduled.add(holder)) return;
        executor.schedule(() -> {
            fetchScheduled.remove(holder);
            fetchHolders(List.of(holder));
        }, PUSH_COALESCING.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void closeQuietly(AutoCloseable handle) {
        if (handle == null) return;
        try {
            handle.close();
        } catch (Exception e) {
            // a watch that fails to close is gone anyway
        }
    }

    /** Stops the rounds and closes the watches. */
    @Override
    public void close() {
        try {
            executor.execute(() -> {
                closed = true;
                if (rounds != null) rounds.cancel(false);
                watches.values().forEach(MailboxRetrieval::closeQuietly);
                watches.clear();
                listWhenSettled.values().forEach(waiting -> waiting.complete(null));
                listWhenSettled.clear();
            });
        } catch (RejectedExecutionException e) {
            // the executor is gone already
        }
    }
}
