package dev.ferry.messenger.repair;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.dht.KadKey;
import dev.ferry.messenger.mailbox.EnvelopeHoldings;
import dev.ferry.messenger.mailbox.EnvelopeShard;
import dev.ferry.messenger.mailbox.FetchedShard;
import dev.ferry.messenger.mailbox.MailboxClient;
import dev.ferry.messenger.mailbox.MailboxReply;
import dev.ferry.monitoring.Metrics;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.Shard;
import dev.ferry.store.ShardPage;
import dev.ferry.store.StoreRefusedException;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import dev.ferry.store.erasure.ShardDecodingException;
import dev.ferry.store.erasure.ShardManifest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A mailbox holder's upkeep: every {@link UpkeepConfig#interval()} it walks the mailboxes this node
 * holds shards for and, for each envelope, asks the mailbox's n closest peers what they hold (HAS),
 * decides with {@link RepairPlan} and acts: drops an envelope whose ACK another holder saw (with a
 * tombstone, in one batch), hands its shards to closer peers when it is no longer among the n
 * closest, and, as the leader, rebuilds missing shards from k others onto peers that hold none.
 *
 * <p>Rounds are bounded (mailboxes, envelopes and requests per round; the next round resumes
 * where the last one stopped) and never overlap. All state lives on the one thread of the given
 * executor; network answers hop back onto it, and the store is called from it.
 */
public final class MailboxUpkeep implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MailboxUpkeep.class.getName());

    /**
     * The widest code (k + m) the upkeep maintains. Senders use 4 + 2; a stranger's 200-shard code
     * would cost 400 HAS requests per check, so such envelopes are held but not maintained.
     */
    static final int MAX_MAINTAINED_SHARDS = 32;
    /** Peers kept from a closest-peers answer after sorting: more than twice the widest code. */
    static final int MAX_CANDIDATES = 2 * MAX_MAINTAINED_SHARDS;
    /** Shards read per store listing while walking a mailbox: one bounded read, several envelopes. */
    static final int LIST_PAGE_SHARDS = 256;

    /** Where the next round starts: inside a mailbox the last round did not finish. */
    private record Resume(MailboxKey mailbox, Optional<ShardPage.Cursor> after) {}

    private final PeerId self;
    private final FerryStore store;
    private final MailboxClient client;
    private final ClosestPeers closestPeers;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final UpkeepMetrics metrics;
    private final UpkeepConfig config;

    // Owned by the executor's thread.
    private Round running;
    private ScheduledFuture<?> nextTick;
    private boolean closed;
    private Optional<MailboxKey> walkedUpTo = Optional.empty();
    private Optional<Resume> resume = Optional.empty();
    /** Envelopes found complete or unrecoverable, with when to ask again; oldest first. */
    private final LinkedHashMap<EnvelopeId, Settled> settled = new LinkedHashMap<>();

    /**
     * @param self this node
     * @param store the store the node's {@code MailboxServer} holds shards in
     * @param client a mailbox client on this node's host
     * @param closestPeers who is near a mailbox (see {@link ClosestPeers} for what it may return)
     * @param clock tells expiries and when to recheck
     * @param executor the single thread this service runs on (shared, not owned)
     * @param metrics where to register the {@code ferry_messenger_} upkeep metrics
     * @param config intervals and per-round limits
     */
    public MailboxUpkeep(PeerId self, FerryStore store, MailboxClient client, ClosestPeers closestPeers, Clock clock,
            ScheduledExecutorService executor, Metrics metrics, UpkeepConfig config) {
        this.self = Objects.requireNonNull(self, "self");
        this.store = Objects.requireNonNull(store, "store");
        this.client = Objects.requireNonNull(client, "client");
        this.closestPeers = Objects.requireNonNull(closestPeers, "closestPeers");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.metrics = new UpkeepMetrics(metrics);
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Starts the periodic rounds: the first one an interval from now. A second call does nothing. */
    public void start() {
        post(() -> {
            if (!closed && nextTick == null) scheduleTick();
        });
    }

    /**
     * Runs a round now, or joins the one in progress: completes with its summary. Fails with an
     * {@link IllegalStateException} after {@link #close()}.
     */
    public CompletableFuture<UpkeepSummary> runNow() {
        return runNow(false);
    }

    /**
     * As {@link #runNow()}; with {@code recheckAll}, the envelopes found complete within
     * {@link UpkeepConfig#recheckAfter()} are asked about again too (a holder may have gone
     * since), from this round on (one in progress may have passed some already).
     */
    public CompletableFuture<UpkeepSummary> runNow(boolean recheckAll) {
        CompletableFuture<CompletableFuture<UpkeepSummary>> started = new CompletableFuture<>();
        post(() -> {
            if (closed) {
                started.completeExceptionally(new IllegalStateException("the upkeep is closed"));
                return;
            }
            if (recheckAll) settled.clear();
            started.complete(running != null ? running.result : startRound());
        }, started);
        return started.thenCompose(round -> round);
    }

    /** The upkeep's counters. */
    public UpkeepMetrics metrics() {
        return metrics;
    }

    /** Stops the periodic rounds; a round in progress stops at its next step. */
    @Override
    public void close() {
        post(() -> {
            closed = true;
            if (nextTick != null) nextTick.cancel(false);
        });
    }

    // ---------------------------------------------------------------- rounds

    private void scheduleTick() {
        nextTick = executor.schedule(this::tick, config.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (closed) return;
        if (running != null) {
            // Never two rounds at once: the running one keeps its pace, this tick waits an interval.
            metrics.roundSkipped();
            scheduleTick();
            return;
        }
        startRound().whenCompleteAsync((summary, failure) -> {
            if (!closed) scheduleTick();
        }, executor);
    }

    private CompletableFuture<UpkeepSummary> startRound() {
        Round round = new Round();
        running = round;
        CompletableFuture<Void> walk;
        try {
            walk = walkMailboxes(round, mailboxesToWalk(), 0);
        } catch (RuntimeException e) {
            walk = CompletableFuture.failedFuture(e);
        }
        walk.whenCompleteAsync((v, failure) -> {
            running = null;
            metrics.round();
            if (failure != null) {
                // A store failure or a bug: the walk resumes from the same place next round.
                LOG.log(System.Logger.Level.WARNING, "mailbox upkeep round failed", failure);
                round.result.completeExceptionally(failure);
            } else {
                round.result.complete(round.summary());
            }
        }, executor);
        return round.result;
    }

    /** The mailboxes of this round: where the last one stopped, then onwards; from the first after the last. */
    private List<MailboxKey> mailboxesToWalk() {
        List<MailboxKey> walk = new ArrayList<>();
        Optional<MailboxKey> after = walkedUpTo;
        if (resume.isPresent()) {
            walk.add(resume.get().mailbox());
            after = Optional.of(resume.get().mailbox());
        }
        int room = config.mailboxesPerRound() - walk.size();
        if (room > 0) walk.addAll(store.shards().mailboxes(after, room));
        if (walk.isEmpty() && after.isPresent()) {
            walkedUpTo = Optional.empty();
            walk.addAll(store.shards().mailboxes(Optional.empty(), config.mailboxesPerRound()));
        }
        return walk;
    }

    private CompletableFuture<Void> walkMailboxes(Round round, List<MailboxKey> mailboxes, int next) {
        if (closed || next == mailboxes.size()) {
            if (closed) round.cut = true;
            return CompletableFuture.completedFuture(null);
        }
        if (round.envelopes >= config.envelopesPerRound() || round.requestsLeft() == 0) {
            round.cut = true;
            return CompletableFuture.completedFuture(null);
        }
        MailboxKey mailbox = mailboxes.get(next);
        Optional<ShardPage.Cursor> from = resume.filter(r -> r.mailbox().equals(mailbox)).flatMap(Resume::after);
        round.mailboxes++;
        return call(() -> closestPeers.closest(mailbox)).handleAsync((peers, failure) -> {
            if (failure != null) {
                LOG.log(System.Logger.Level.DEBUG, "no closest peers for {0}: {1}", mailbox, failure.toString());
                return Optional.<List<PeerId>>empty();
            }
            List<PeerId> candidates = candidates(mailbox, peers);
            // Only this node known: nothing to learn or to place, and no reason to think shards are lost.
            return candidates.size() > 1 ? Optional.of(candidates) : Optional.<List<PeerId>>empty();
        }, executor).thenComposeAsync(candidates -> candidates.isEmpty()
                ? CompletableFuture.completedFuture(true)
                : walkEnvelopes(round, mailbox, candidates.get(), from), executor)
                .thenComposeAsync(finished -> {
                    if (!finished) return CompletableFuture.completedFuture(null);
                    walkedUpTo = Optional.of(mailbox);
                    resume = Optional.empty();
                    return walkMailboxes(round, mailboxes, next + 1);
                }, executor);
    }

    /**
     * Peers to ask about {@code mailbox}: without its owner, sorted by XOR distance to its
     * Kademlia key, with this node at its own rank, at most {@link #MAX_CANDIDATES}.
     */
    private List<PeerId> candidates(MailboxKey mailbox, List<PeerId> peers) {
        KadKey target = KadKey.of(mailbox.bytes());
        Set<PeerId> unique = new LinkedHashSet<>(peers);
        unique.add(self);
        unique.removeIf(peer -> Arrays.equals(Mailbox.keyFor(peer), mailbox.bytes()));
        List<PeerId> sorted = target.closestFirst(unique);
        return List.copyOf(sorted.subList(0, Math.min(sorted.size(), MAX_CANDIDATES)));
    }

    /** Checks the mailbox's envelopes from {@code from}; completes with whether the mailbox was finished. */
    private CompletableFuture<Boolean> walkEnvelopes(Round round, MailboxKey mailbox, List<PeerId> candidates,
            Optional<ShardPage.Cursor> from) {
        ShardPage page = store.shards().list(mailbox, from, LIST_PAGE_SHARDS);
        List<EnvelopeId> envelopes = page.shards().stream().map(Shard::envelope).distinct().toList();
        return walkPage(round, mailbox, candidates, envelopes, 0, from, page.next().isPresent());
    }

    private CompletableFuture<Boolean> walkPage(Round round, MailboxKey mailbox, List<PeerId> candidates,
            List<EnvelopeId> envelopes, int next, Optional<ShardPage.Cursor> before, boolean more) {
        if (closed) return stopBefore(round, mailbox, before);
        if (next == envelopes.size()) {
            return more ? walkEnvelopes(round, mailbox, candidates, before) : CompletableFuture.completedFuture(true);
        }
        if (round.envelopes >= config.envelopesPerRound()) return stopBefore(round, mailbox, before);
        EnvelopeId envelope = envelopes.get(next);
        // Past every shard of this envelope, whatever indices it has.
        Optional<ShardPage.Cursor> after = Optional.of(new ShardPage.Cursor(envelope, Shard.MAX_INDEX));
        return check(round, mailbox, candidates, envelope).thenComposeAsync(checked -> {
            if (!checked) return stopBefore(round, mailbox, before);
            return walkPage(round, mailbox, candidates, envelopes, next + 1, after, more);
        }, executor);
    }

    /** Ends the round inside {@code mailbox}: the next round starts after {@code before}. */
    private CompletableFuture<Boolean> stopBefore(Round round, MailboxKey mailbox, Optional<ShardPage.Cursor> before) {
        round.cut = true;
        resume = Optional.of(new Resume(mailbox, before));
        return CompletableFuture.completedFuture(false);
    }

    // ---------------------------------------------------------------- one envelope

    /**
     * An envelope found complete (or unrecoverable) is not asked about again until {@code until},
     * unless the mailbox's closest peers have changed since ({@code view}, a hash of the n closest):
     * a healed partition or new peers make the old answer stale, and the next round hands over or
     * repairs at once instead of an hour later.
     */
    private record Settled(Instant until, int view) {}

    /** What one check knows: the envelope, its header, this node's shards, and the n closest peers it asked (as a hash). */
    private record Check(EnvelopeId id, MailboxKey mailbox, EnvelopeHeader header, List<Shard> mine, int view) {}

    /**
     * Checks one envelope and acts on it; completes with false if the round's request budget ran
     * out before it could be asked about (it is checked first next round), true otherwise.
     */
    private CompletableFuture<Boolean> check(Round round, MailboxKey mailbox, List<PeerId> candidates, EnvelopeId id) {
        List<Shard> mine = store.shards().getAll(id);
        if (mine.isEmpty()) return CompletableFuture.completedFuture(true); // dropped meanwhile
        EnvelopeHeader header;
        try {
            header = EnvelopeHeader.decode(mine.getFirst().header());
        } catch (EnvelopeException e) {
            // The server checked it on arrival; an undecodable one is not ours to repair.
            return CompletableFuture.completedFuture(true);
        }
        Instant now = clock.instant();
        int n = header.dataShards() + header.parityShards();
        Check check = new Check(id, mailbox, header, mine, candidates.subList(0, Math.min(n, candidates.size())).hashCode());
        if (!header.expires().isAfter(now) || n > MAX_MAINTAINED_SHARDS) return CompletableFuture.completedFuture(true);
        if (recentlySettled(check, now)) {
            round.skippedRecent++;
            return CompletableFuture.completedFuture(true);
        }
        List<PeerId> first = new ArrayList<>(candidates.subList(0, Math.min(n, candidates.size())));
        first.remove(self);
        if (first.size() > config.requestsPerRound()) return CompletableFuture.completedFuture(true); // never fits a round
        if (!round.take(first.size())) return CompletableFuture.completedFuture(false);
        round.envelopes++;
        return ask(id, first).thenComposeAsync(answers -> {
            // A peer that did not answer counts as gone this round: ask as many of the next ones instead.
            int silent = first.size() - answers.size();
            List<PeerId> spare = new ArrayList<>();
            for (PeerId peer : candidates.subList(Math.min(n, candidates.size()), candidates.size())) {
                if (spare.size() == Math.min(silent, round.requestsLeft())) break;
                if (!peer.equals(self)) spare.add(peer);
            }
            round.take(spare.size());
            return ask(id, spare).thenApply(more -> {
                Map<PeerId, RepairPlan.Holding> all = new HashMap<>(answers);
                all.putAll(more);
                return all;
            });
        }, executor).thenComposeAsync(answers -> {
            if (answers.isEmpty()) return CompletableFuture.completedFuture(true); // nobody answered: learn nothing
            List<PeerId> live = candidates.stream().filter(peer -> peer.equals(self) || answers.containsKey(peer)).toList();
            Set<Integer> indices = new java.util.TreeSet<>();
            for (Shard shard : mine) indices.add(shard.index());
            RepairPlan.Action action = RepairPlan.decide(self, live, n, header.dataShards(), indices, answers);
            return act(round, check, action).thenApply(v -> true);
        }, executor);
    }

    /** Asks each peer HAS; completes (on the executor) with the answers of those that answered. */
    private CompletableFuture<Map<PeerId, RepairPlan.Holding>> ask(EnvelopeId id, List<PeerId> peers) {
        Map<PeerId, CompletableFuture<Optional<EnvelopeHoldings>>> asked = new LinkedHashMap<>();
        for (PeerId peer : peers) asked.put(peer, settle(() -> client.has(peer, id)));
        return allOf(asked.values()).thenApplyAsync(v -> {
            Map<PeerId, RepairPlan.Holding> answers = new HashMap<>();
            asked.forEach((peer, answer) -> answer.join().ifPresent(
                    held -> answers.put(peer, new RepairPlan.Holding(held.acknowledged(), Set.copyOf(held.indices())))));
            return answers;
        }, executor);
    }

    private CompletableFuture<Void> act(Round round, Check check, RepairPlan.Action action) {
        Instant now = clock.instant();
        switch (action) {
            case RepairPlan.Keep keep -> { }
            case RepairPlan.Complete complete -> rememberSettled(check, now);
            case RepairPlan.Unrecoverable unrecoverable -> {
                round.unrecoverable++;
                metrics.unrecoverable();
                rememberSettled(check, now);
            }
            case RepairPlan.DropAcknowledged drop -> {
                // Shards and tombstone in one batch: a crash between them must not bring the envelope back.
                store.write(batch -> {
                    batch.shards().deleteEnvelope(check.id());
                    batch.tombstones().put(check.id(), check.header().expires());
                });
                settled.remove(check.id());
                round.acknowledged++;
                metrics.acknowledged();
            }
            case RepairPlan.DropSurplus surplus -> {
                store.shards().deleteEnvelope(check.id());
                settled.remove(check.id());
                round.surplusDropped++;
                metrics.surplusDropped();
            }
            case RepairPlan.HandOver handOver -> {
                return handOver(round, check, handOver);
            }
            case RepairPlan.Repair repair -> {
                return repair(round, check, repair);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    // ---------------------------------------------------------------- handover

    private CompletableFuture<Void> handOver(Round round, Check check, RepairPlan.HandOver plan) {
        Map<PeerId, List<EnvelopeShard>> byPeer = new LinkedHashMap<>();
        for (Shard shard : check.mine()) {
            PeerId target = plan.targets().get(shard.index());
            if (target != null) byPeer.computeIfAbsent(target, p -> new ArrayList<>()).add(EnvelopeShard.of(shard));
        }
        List<CompletableFuture<Optional<List<MailboxReply>>>> sent = new ArrayList<>();
        for (Map.Entry<PeerId, List<EnvelopeShard>> entry : byPeer.entrySet()) {
            if (!round.take(1)) break;
            sent.add(settle(() -> client.handover(entry.getKey(), entry.getValue())));
        }
        boolean everyPeerAsked = sent.size() == byPeer.size();
        return allOf(sent).thenRunAsync(() -> {
            int taken = 0;
            boolean allTaken = everyPeerAsked;
            for (CompletableFuture<Optional<List<MailboxReply>>> answer : sent) {
                List<MailboxReply> replies = answer.join().orElse(List.of());
                if (replies.isEmpty()) allTaken = false;
                for (MailboxReply reply : replies) {
                    if (reply.isOk()) taken++;
                    else allTaken = false;
                }
            }
            round.handedOver += taken;
            metrics.handedOver(taken);
            // Only once every new holder said OK: until then this node's copy may be the only one.
            if (allTaken && plan.thenDropAll()) {
                store.shards().deleteEnvelope(check.id());
                settled.remove(check.id());
            }
        }, executor);
    }

    // ---------------------------------------------------------------- repair

    private CompletableFuture<Void> repair(Round round, Check check, RepairPlan.Repair plan) {
        Map<Integer, byte[]> gathered = new TreeMap<>();
        for (Shard shard : check.mine()) gathered.put(shard.index(), shard.data());
        List<Map.Entry<Integer, PeerId>> remote = new ArrayList<>();
        for (Map.Entry<Integer, PeerId> source : plan.sources().entrySet()) {
            if (!source.getValue().equals(self) && !gathered.containsKey(source.getKey())) remote.add(source);
        }
        return gather(round, check, remote.iterator(), gathered).thenComposeAsync(v -> place(round, check, plan, gathered), executor);
    }

    /** Fetches shards from other holders, in waves of as many as still missing, until k are gathered or none is left to ask. */
    private CompletableFuture<Void> gather(Round round, Check check, Iterator<Map.Entry<Integer, PeerId>> sources,
            Map<Integer, byte[]> gathered) {
        int needed = check.header().dataShards() - gathered.size();
        List<CompletableFuture<Optional<Optional<FetchedShard>>>> wave = new ArrayList<>();
        while (wave.size() < needed && sources.hasNext() && round.take(1)) {
            Map.Entry<Integer, PeerId> source = sources.next();
            wave.add(settle(() -> client.shard(source.getValue(), check.id(), source.getKey())));
        }
        if (wave.isEmpty()) return CompletableFuture.completedFuture(null);
        return allOf(wave).thenComposeAsync(v -> {
            for (CompletableFuture<Optional<Optional<FetchedShard>>> answer : wave) {
                // The client checked each shard against the header that came with it; that header must be ours.
                answer.join().flatMap(shard -> shard)
                        .filter(shard -> Arrays.equals(shard.header().envelopeId(), check.id().bytes()))
                        .ifPresent(shard -> gathered.put(shard.index(), shard.data()));
            }
            return gather(round, check, sources, gathered);
        }, executor);
    }

    /** Rebuilds each target shard and stores it on its peer (or here, in a network smaller than n). */
    private CompletableFuture<Void> place(Round round, Check check, RepairPlan.Repair plan, Map<Integer, byte[]> gathered) {
        EnvelopeHeader header = check.header();
        if (gathered.size() < header.dataShards()) {
            round.repairsFailed += plan.targets().size();
            metrics.repairsFailed(plan.targets().size());
            return CompletableFuture.completedFuture(null);
        }
        ErasureParameters parameters = new ErasureParameters(header.dataShards(), header.parityShards());
        ShardManifest manifest = new ShardManifest(parameters, (int) header.ciphertextLength(), header.shardHashes());
        ReedSolomonCodec codec = ReedSolomonCodec.of(parameters);
        List<CompletableFuture<Optional<MailboxReply>>> stores = new ArrayList<>();
        int failed = 0;
        int repairedHere = 0;
        for (Map.Entry<Integer, PeerId> target : plan.targets().entrySet()) {
            int index = target.getKey();
            byte[] rebuilt;
            try {
                rebuilt = codec.repair(manifest, index, gathered);
            } catch (ShardDecodingException e) {
                failed++;
                continue;
            }
            if (target.getValue().equals(self)) {
                if (keepHere(check, index, rebuilt)) repairedHere++;
                else failed++;
            } else if (round.take(1)) {
                stores.add(settle(() -> client.store(target.getValue(), header, index, rebuilt)));
            }
            // Out of requests: neither repaired nor failed; the next round sees it missing again.
        }
        int failedBeforeStores = failed;
        int repairedBeforeStores = repairedHere;
        return allOf(stores).thenRunAsync(() -> {
            int ok = repairedBeforeStores;
            int notOk = failedBeforeStores;
            for (CompletableFuture<Optional<MailboxReply>> answer : stores) {
                if (answer.join().filter(MailboxReply::isOk).isPresent()) ok++;
                else notOk++;
            }
            round.repaired += ok;
            round.repairsFailed += notOk;
            metrics.repaired(ok);
            metrics.repairsFailed(notOk);
        }, executor);
    }

    /** Stores a rebuilt shard in this node's own store, charged to this node. */
    private boolean keepHere(Check check, int index, byte[] rebuilt) {
        Shard shard = new Shard(check.id(), index, check.mailbox(), PeerBytes.of(self.toBytes()), check.header().expires(),
                check.mine().getFirst().header(), rebuilt);
        try {
            store.shards().put(shard);
            return true;
        } catch (StoreRefusedException e) {
            return false;
        }
    }


    // ---------------------------------------------------------------- memory of settled envelopes

    private boolean recentlySettled(Check check, Instant now) {
        Settled known = settled.get(check.id());
        if (known == null) return false;
        if (known.until().isAfter(now) && known.view() == check.view()) return true;
        settled.remove(check.id());
        return false;
    }

    private void rememberSettled(Check check, Instant now) {
        if (config.rememberedEnvelopes() == 0) return;
        settled.remove(check.id());
        settled.put(check.id(), new Settled(now.plus(config.recheckAfter()), check.view()));
        Iterator<EnvelopeId> oldest = settled.keySet().iterator();
        while (settled.size() > config.rememberedEnvelopes()) {
            oldest.next();
            oldest.remove();
        }
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs {@code work} on the executor; a refused post fails {@code onRefusal} if given. */
    private void post(Runnable work, CompletableFuture<?>... onRefusal) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            for (CompletableFuture<?> future : onRefusal) future.completeExceptionally(e);
        }
    }

    /** The future {@code request} returns, or a failed one if it threw. */
    private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The answer of {@code request}, or empty if it failed or threw: a silent peer is a value here. */
    private static <T> CompletableFuture<Optional<T>> settle(Supplier<CompletableFuture<T>> request) {
        return call(request).handle((answer, failure) -> failure == null ? Optional.ofNullable(answer) : Optional.empty());
    }

    private static CompletableFuture<Void> allOf(java.util.Collection<? extends CompletableFuture<?>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }

    /** One round's counters and request budget. */
    private final class Round {
        final CompletableFuture<UpkeepSummary> result = new CompletableFuture<>();
        int mailboxes;
        int envelopes;
        int skippedRecent;
        int requests;
        int acknowledged;
        int handedOver;
        int surplusDropped;
        int repaired;
        int repairsFailed;
        int unrecoverable;
        boolean cut;

        int requestsLeft() {
            return config.requestsPerRound() - requests;
        }

        /** Takes {@code count} requests from the budget if that many are left. */
        boolean take(int count) {
            if (count > requestsLeft()) return false;
            requests += count;
            return true;
        }

        UpkeepSummary summary() {
            return new UpkeepSummary(mailboxes, envelopes, skippedRecent, requests, acknowledged, handedOver,
                    surplusDropped, repaired, repairsFailed, unrecoverable, cut);
        }
    }
}
