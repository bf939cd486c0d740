package dev.ferry.dht.service;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.lookup.ClosestPeersLookup;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtMessage.AddProvider;
import dev.ferry.dht.message.DhtMessage.FindNode;
import dev.ferry.dht.message.DhtMessage.GetProviders;
import dev.ferry.dht.message.DhtMessage.GetValue;
import dev.ferry.dht.message.DhtMessage.Ping;
import dev.ferry.dht.message.DhtMessage.PutValue;
import dev.ferry.dht.message.DhtMessages;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.dht.message.DhtRecord;
import dev.ferry.dht.record.Validation;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.routing.RoutingTable;
import dev.ferry.dht.store.ProviderStore;
import dev.ferry.dht.store.PutResult;
import dev.ferry.dht.store.RecordStore;
import dev.ferry.dht.store.StoredRecord;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The network side of the libp2p kad-dht: serves requests (in {@linkplain DhtMode#SERVER server
 * mode}), sends them, and runs lookups, puts, gets and provider records.
 *
 * <p>One thread, the executor given to the constructor, owns the routing table, the record and
 * provider stores and every lookup; public methods post work to it and return futures, and
 * stream callbacks hop to it. Peers enter the routing table only by answering one of our
 * requests (the spec). A peer that sends us a request is asked one FIND_NODE back, a probe, so
 * that DHT servers which dial us are learnt; a client never answers it (it serves no DHT
 * protocol) and so never enters.
 *
 * <p>Upkeep runs on the same thread every {@link DhtConfig#maintenanceInterval()}: expired
 * records and provider records are swept, stale buckets are refreshed by lookups of random keys
 * in them (and the self-lookup repeated), and the records and provider keys this node owns are
 * republished. A peer that fails a request leaves the routing table, and a candidate from the
 * bucket's replacement cache takes its place.
 *
 * <p>Bounded: lookups at once, outbound requests at once, probes at once and remembered, inbound
 * requests waiting for the service thread, requests waiting per stream, records and provider
 * keys owned, republishes per round; the table and stores have their own limits.
 */
public final class DhtService {
    /** Lookups running at once; more fail at once. Each sends at most alpha requests at a time. */
    public static final int MAX_CONCURRENT_LOOKUPS = 64;
    /**
     * Outbound requests in flight at once, over all lookups, puts and probes: a put fans out to
     * k peers, lookups to alpha each; this is well above their sum at the lookup limit's typical use.
     */
    public static final int MAX_OUTBOUND_REQUESTS = 512;
    /** Inbound requests waiting for the service thread; past it new ones reset their stream. */
    public static final int MAX_PENDING_INBOUND = 1024;
    /** Probes of requesting peers in flight at once; requesters past it are not probed. */
    public static final int MAX_CONCURRENT_PROBES = 16;
    /** Peers whose last probe is remembered, so a chatty client is not probed on every request. */
    public static final int MAX_REMEMBERED_PROBES = 1024;
    /** How long a probed peer is not probed again. */
    public static final Duration PROBE_INTERVAL = Duration.ofMinutes(5);
    /** Seed addresses one bootstrap dials. */
    public static final int MAX_BOOTSTRAP_PEERS = 64;
    /**
     * Records this node republishes as their owner. A Ferry user owns a handful (a prekey
     * bundle, a public key); the limit keeps a misbehaving caller from filling memory.
     */
    public static final int MAX_OWNED_RECORDS = 4096;
    /** Keys this node announces itself a provider of and republishes; as records. */
    public static final int MAX_PROVIDED_KEYS = 4096;
    /**
     * Republishes started per maintenance round: each stores at k peers after a lookup, so a
     * node that owns many records spreads them over rounds rather than bursting.
     */
    public static final int MAX_REPUBLISHES_PER_ROUND = 8;
    /**
     * Peers not heard from for a refresh interval that one refresh checks, well under
     * {@link #MAX_OUTBOUND_REQUESTS}; the rest are checked by the next refresh.
     */
    public static final int MAX_LIVENESS_CHECKS_PER_REFRESH = 128;
    /** Liveness checks of one refresh in flight at once: a refresh is upkeep, not a burst. */
    public static final int LIVENESS_CHECKS_IN_FLIGHT = 8;
    /** Expired records (and as many provider records) deleted per maintenance round. */
    public static final int SWEEP_BATCH = 4096;

    private final Host host;
    private final DhtConfig config;
    private final Validators validators;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final DhtMessages codec = DhtMessages.withDefaultLimit();
    private final DhtMetrics metrics;
    private final PeerId self;
    private final byte[] selfKey;
    private final ClosestPeersLookup.Config lookupConfig;

    // Owned by the executor thread.
    private final RoutingTable table;
    private final RecordStore records;
    private final ProviderStore providers;
    private final Republishing owned;
    private final Random random = new SecureRandom();
    private final Set<LookupRun> running = new HashSet<>();
    private final Set<PeerId> probing = new HashSet<>();
    private final LinkedHashMap<PeerId, Instant> probed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Instant> eldest) {
            return size() > MAX_REMEMBERED_PROBES;
        }
    };
    private boolean closed;
    /** The refresh under way, null if none. */
    private CompletableFuture<Integer> refreshRun;
    private Instant lastSelfLookup;
    private final ScheduledFuture<?> maintenance;

    private final AtomicInteger outboundInFlight = new AtomicInteger();
    private final AtomicInteger pendingInbound = new AtomicInteger();

    /**
     * A service on {@code host}. {@code executor} must be single-threaded; the service owns it and
     * shuts it down on {@link #close()}.
     */
    public DhtService(Host host, DhtConfig config, Validators validators, Clock clock, ScheduledExecutorService executor,
            Metrics metrics) {
        this.host = Objects.requireNonNull(host, "host");
        this.config = Objects.requireNonNull(config, "config");
        this.validators = Objects.requireNonNull(validators, "validators");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.self = host.peerId();
        this.selfKey = self.toBytes();
        this.metrics = new DhtMetrics(Objects.requireNonNull(metrics, "metrics"));
        this.table = new RoutingTable(self, config.k(), RoutingTable.DEFAULT_REPLACEMENT_CACHE_SIZE, config.refreshInterval());
        this.records = new RecordStore(validators);
        this.providers = new ProviderStore();
        this.owned = new Republishing(MAX_OWNED_RECORDS, MAX_PROVIDED_KEYS,
                config.recordRepublishInterval(), config.providerRepublishInterval());
        this.lookupConfig = new ClosestPeersLookup.Config(config.alpha(), config.k(), config.requestTimeout(),
                ClosestPeersLookup.Config.DEFAULT_MAX_CLOSER_PEERS_PER_RESPONSE,
                Math.max(config.k(), ClosestPeersLookup.Config.DEFAULT_MAX_TRACKED_PEERS));
        if (config.mode() == DhtMode.SERVER) {
            host.setProtocolHandler(config.protocolId(),
                    stream -> stream.setReceiver(new InboundRequests(codec, this::answer, this.metrics)));
        }
        long every = config.maintenanceInterval().toMillis();
        this.maintenance = executor.scheduleWithFixedDelay(this::maintain, every, every, TimeUnit.MILLISECONDS);
    }

    /** A service with its own service thread, its metrics in a registry of its own. */
    public static DhtService create(Host host, DhtConfig config, Validators validators, Clock clock) {
        return create(host, config, validators, clock, Metrics.create());
    }

    /** A service with its own service thread, its metrics registered in {@code metrics}. */
    public static DhtService create(Host host, DhtConfig config, Validators validators, Clock clock, Metrics metrics) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dht-" + host.peerId().toBase58().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        return new DhtService(host, config, validators, clock, executor, metrics);
    }

    public PeerId peerId() {
        return self;
    }

    public DhtConfig config() {
        return config;
    }

    /** What this service counted; the same figures as its {@code ferry_dht_} Prometheus metrics. */
    public DhtMetrics metrics() {
        return metrics;
    }

    /** The peers of the routing table, read on the service thread. */
    public CompletableFuture<List<PeerId>> routingTablePeers() {
        return onServiceThread(table::peers);
    }

    /** The live record this node holds under {@code key}, without asking anyone. */
    public CompletableFuture<Optional<byte[]>> localValue(byte[] key) {
        byte[] k = key.clone();
        return onServiceThread(() -> records.get(k, clock.instant()).map(StoredRecord::value));
    }

    /** The provider records this node holds for {@code key}, without asking anyone. */
    public CompletableFuture<List<DhtPeer>> localProviders(byte[] key) {
        byte[] k = key.clone();
        return onServiceThread(() -> providers.get(k, clock.instant(), DhtProtocol.MAX_PROVIDER_PEERS));
    }

    // ---------------------------------------------------------------- client side

    /**
     * Sends {@code request} to {@code peer} on a new stream and completes with its answer
     * (ADD_PROVIDER: with the request once written), or fails after the request timeout.
     */
    public CompletableFuture<DhtMessage> request(PeerId peer, DhtMessage request) {
        if (outboundInFlight.incrementAndGet() > MAX_OUTBOUND_REQUESTS) {
            outboundInFlight.decrementAndGet();
            return CompletableFuture.failedFuture(DhtException.local("too many requests in flight"));
        }
        CompletableFuture<DhtMessage> result = new CompletableFuture<>();
        // Set once the stream is open: the peer is there and speaks the protocol.
        AtomicBoolean reached = new AtomicBoolean();
        result.whenComplete((m, e) -> {
            outboundInFlight.decrementAndGet();
            metrics.requestFinished(request.type(), e == null);
            if (e != null && !(e instanceof DhtException d && d.isLocal()) && !(reached.get() && isStoreRequest(request))) {
                onServiceThread(() -> {
                    evictFailed(peer, e instanceof TimeoutException);
                    return null;
                });
            }
        });
        try {
            ScheduledFuture<?> timeout = executor.schedule(
                    () -> result.completeExceptionally(new TimeoutException(request.type() + " request timed out")),
                    config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            result.whenComplete((m, e) -> timeout.cancel(false));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(DhtException.local("the DHT service is closed"));
            return result;
        }
        host.newStream(peer, config.protocolId()).whenComplete((stream, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                reached.set(true);
                OutboundRequest.start(stream, codec, request, result, metrics);
            }
        });
        return result;
    }

    /**
     * Whether {@code request} asks a peer to keep something. A peer that refuses one it cannot
     * validate (stock js and go nodes refuse {@code /ferry/} records) still routes as well as any:
     * such a failure, once the stream was open, does not cost it its place in the table.
     */
    private static boolean isStoreRequest(DhtMessage request) {
        return request instanceof PutValue || request instanceof AddProvider;
    }

    /** The peers closest to {@code key} (the remote hashes it, as the spec's FIND_NODE). */
    public CompletableFuture<LookupResult> findClosest(byte[] key) {
        byte[] k = key.clone();
        return startLookup(k, peer -> FindNode.request(k), (from, answer) -> ((FindNode) answer).closerPeers())
                .thenApply(LookupRun::result);
    }

    /** The addresses of {@code peer}: from the peer store if it is in our table, else by a lookup; empty if not found. */
    public CompletableFuture<List<Multiaddr>> findPeer(PeerId peer) {
        return onServiceThread(() -> table.contains(peer) ? host.peerStore().addresses(peer) : List.<Multiaddr>of())
                .thenCompose(known -> {
                    if (!known.isEmpty()) return CompletableFuture.completedFuture(known);
                    LinkedHashSet<Multiaddr> found = new LinkedHashSet<>();
                    byte[] key = peer.toBytes();
                    return startLookup(key, p -> FindNode.request(key), (from, answer) -> {
                        List<DhtPeer> closer = ((FindNode) answer).closerPeers();
                        for (DhtPeer p : closer) {
                            if (p.id().equals(peer) && found.size() < DhtProtocol.MAX_ADDRESSES_PER_PEER) {
                                found.addAll(limited(p.addresses()));
                            }
                        }
                        return closer;
                    }, run -> !found.isEmpty()).thenApply(run -> {
                        if (found.isEmpty() && run.result().closest().contains(peer)) {
                            return host.peerStore().addresses(peer);
                        }
                        return List.copyOf(found);
                    });
                });
    }

    /**
     * Stores {@code value} under {@code key} here and at the k closest peers, and republishes it
     * every {@link DhtConfig#recordRepublishInterval()} while this service runs (a later put
     * under the same key replaces it). Completes with how many peers stored it; fails if the
     * record is not valid, if a better record is already held here, or if this node owns
     * {@link #MAX_OWNED_RECORDS} records already.
     */
    public CompletableFuture<Integer> putValue(byte[] key, byte[] value) {
        DhtRecord record;
        try {
            record = DhtRecord.of(key, value);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (validators.validate(key, value) instanceof Validation.Invalid invalid) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("the record is not valid for its key: "
                    + invalid.detail()));
        }
        return onServiceThread(() -> {
            Instant now = clock.instant();
            if (records.put(key, value, now) instanceof PutResult.KeptExisting) {
                throw new IllegalArgumentException("a better record is already stored under this key");
            }
            if (!owned.ownRecord(key, value, now)) {
                throw DhtException.local("this node already republishes its maximum of " + MAX_OWNED_RECORDS + " records");
            }
            updateSizes();
            return null;
        }).thenCompose(v -> storeAtClosest(record));
    }

    /** Stops republishing the record under {@code key}; it lives on at its holders until it expires. */
    public CompletableFuture<Boolean> stopRepublishing(byte[] key) {
        byte[] k = key.clone();
        return onServiceThread(() -> owned.disown(k));
    }

    /** Looks up the k closest peers to the record's key and sends each a PUT_VALUE; completes with how many took it. */
    private CompletableFuture<Integer> storeAtClosest(DhtRecord record) {
        return findClosest(record.key()).thenCompose(found -> {
            List<CompletableFuture<Boolean>> puts = new ArrayList<>();
            for (PeerId peer : found.closest()) {
                puts.add(request(peer, PutValue.request(record)).handle((answer, e) -> e == null));
            }
            return countSucceeded(puts);
        });
    }

    private static CompletableFuture<Integer> countSucceeded(List<CompletableFuture<Boolean>> sends) {
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .thenApply(v -> (int) sends.stream().filter(CompletableFuture::join).count());
    }

    /**
     * The best valid value under {@code key}, by its namespace's rules, among the local one and
     * those the closest peers hold; the lookup stops early once {@code getValueQuorum} peers
     * answered with valid values. Peers that answered with an older value are sent the best
     * one (a correction, as the spec's quorum reads do). Empty if nobody had one.
     */
    public CompletableFuture<Optional<byte[]>> getValue(byte[] key) {
        byte[] k = key.clone();
        if (validators.forKey(k).isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no validator for the namespace of this key"));
        }
        LinkedHashMap<PeerId, byte[]> answers = new LinkedHashMap<>();
        return startLookup(k, peer -> GetValue.request(k), (from, answer) -> {
            GetValue got = (GetValue) answer;
            got.record().ifPresent(r -> {
                if (!validators.validate(k, r.value()).isValid()) metrics.invalidRecordReceived();
                else if (answers.size() < config.getValueQuorum()) answers.put(from, r.value());
            });
            return got.closerPeers();
        }, run -> answers.size() >= config.getValueQuorum())
                .thenApplyAsync(run -> bestAndCorrect(k, answers), executor);
    }

    /**
     * Picks the best of the values the peers answered with and the one held here, and sends it
     * to the peers that held another. Service thread.
     */
    private Optional<byte[]> bestAndCorrect(byte[] key, Map<PeerId, byte[]> answers) {
        Optional<byte[]> local = records.get(key, clock.instant()).map(StoredRecord::value);
        List<byte[]> values = new ArrayList<>(answers.values());
        local.ifPresent(values::add);
        if (values.isEmpty()) return Optional.empty();
        byte[] best = values.get(validators.select(key, values));
        DhtRecord correction = DhtRecord.of(key, best);
        for (Map.Entry<PeerId, byte[]> e : answers.entrySet()) {
            if (Arrays.equals(e.getValue(), best)) continue;
            metrics.recordCorrected();
            request(e.getKey(), PutValue.request(correction));
        }
        if (local.isPresent() && !Arrays.equals(local.get(), best)) records.put(key, best, clock.instant());
        return Optional.of(best.clone());
    }

    /**
     * Announces this node as a provider of {@code key} (a multihash) here and at the k closest
     * peers, and again every {@link DhtConfig#providerRepublishInterval()} until
     * {@link #stopProviding}; completes with how many peers it was sent to.
     */
    public CompletableFuture<Integer> provide(byte[] key) {
        byte[] k = key.clone();
        if (k.length == 0 || k.length > DhtProtocol.MAX_PROVIDER_KEY_LENGTH) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a provider key is 1.."
                    + DhtProtocol.MAX_PROVIDER_KEY_LENGTH + " bytes"));
        }
        return onServiceThread(() -> {
            if (!owned.provide(k, clock.instant())) {
                throw DhtException.local("this node already provides its maximum of " + MAX_PROVIDED_KEYS + " keys");
            }
            return null;
        }).thenCompose(v -> announceAtClosest(k));
    }

    /** Stops announcing this node as a provider of {@code key}; the records at others expire on their own. */
    public CompletableFuture<Boolean> stopProviding(byte[] key) {
        byte[] k = key.clone();
        return onServiceThread(() -> owned.stopProviding(k));
    }

    /** Adds us as a provider here, then at the k closest peers; completes with how many took it. */
    private CompletableFuture<Integer> announceAtClosest(byte[] key) {
        DhtPeer me = DhtPeer.of(self, limited(host.listenAddresses()));
        return onServiceThread(() -> {
            providers.add(key, me, clock.instant());
            updateSizes();
            return null;
        }).thenCompose(v -> findClosest(key)).thenCompose(found -> {
            List<CompletableFuture<Boolean>> sends = new ArrayList<>();
            for (PeerId peer : found.closest()) {
                sends.add(request(peer, AddProvider.request(key, List.of(me))).handle((answer, e) -> e == null));
            }
            return countSucceeded(sends);
        });
    }

    /** Up to {@code max} providers of {@code key}, known here or to the peers closest to it. */
    public CompletableFuture<List<DhtPeer>> findProviders(byte[] key, int max) {
        byte[] k = key.clone();
        if (k.length == 0 || k.length > DhtProtocol.MAX_PROVIDER_KEY_LENGTH) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a provider key is 1.."
                    + DhtProtocol.MAX_PROVIDER_KEY_LENGTH + " bytes"));
        }
        int limit = Math.min(Math.max(max, 1), DhtProtocol.MAX_PROVIDER_PEERS);
        LinkedHashMap<PeerId, DhtPeer> found = new LinkedHashMap<>();
        return onServiceThread(() -> {
            for (DhtPeer p : providers.get(k, clock.instant(), limit)) found.putIfAbsent(p.id(), p);
            return null;
        }).thenCompose(v -> startLookup(k, peer -> GetProviders.request(k), (from, answer) -> {
            GetProviders got = (GetProviders) answer;
            for (DhtPeer p : got.providerPeers()) {
                if (found.size() >= limit) break;
                // As js-libp2p writes them, addresses may end in /p2p/<the provider>: kept without it.
                found.putIfAbsent(p.id(), DhtPeer.of(p.id(), limited(p.addresses())));
                learnAddresses(p);
            }
            return got.closerPeers();
        }, run -> found.size() >= limit)).thenApplyAsync(run -> List.copyOf(found.values()), executor);
    }

    /**
     * Dials the seeds, adds those that answer a FIND_NODE for our own key to the routing table,
     * then runs a self-lookup, whose result this completes with. The buckets are refreshed at
     * the next maintenance round.
     */
    public CompletableFuture<LookupResult> bootstrap(List<Multiaddr> seeds) {
        List<CompletableFuture<Void>> joins = new ArrayList<>();
        for (Multiaddr seed : seeds.subList(0, Math.min(seeds.size(), MAX_BOOTSTRAP_PEERS))) {
            joins.add(host.dial(seed).thenCompose(connection -> {
                PeerId peer = connection.remotePeer();
                if (seed.components().size() > 1 || seed.peerId().isEmpty()) {
                    host.peerStore().addAddresses(peer, List.of(seed.withoutPeerId()));
                }
                return request(peer, FindNode.request(selfKey)).thenAcceptAsync(answer -> {
                    ((FindNode) answer).closerPeers().forEach(this::learnAddresses);
                    responded(peer);
                }, executor);
            }).exceptionally(e -> null));
        }
        return CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).thenCompose(v -> selfLookup());
    }

    /**
     * Refreshes the routing table now: asks each peer that has not answered us for a refresh
     * interval one FIND_NODE (those that fail leave the table, replaced from the replacement
     * cache), then runs a self-lookup if one is due and a lookup of a random key in each bucket
     * due for refresh (see {@link RoutingTable#bucketsDueForRefresh}), one after another.
     * Completes with the number of lookups run; joins the refresh under way if there is one.
     * Maintenance calls this every round; call it to heal a table sooner.
     */
    public CompletableFuture<Integer> refresh() {
        return onServiceThread(this::startRefresh).thenCompose(run -> run);
    }

    /** Stops serving and maintaining, fails running lookups, and shuts the service thread down. */
    public CompletableFuture<Void> close() {
        if (config.mode() == DhtMode.SERVER) host.removeProtocolHandler(config.protocolId());
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                closed = true;
                maintenance.cancel(false);
                for (LookupRun run : List.copyOf(running)) run.fail(DhtException.local("the DHT service is closed"));
                executor.shutdown();
                done.complete(null);
            });
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    // ---------------------------------------------------------------- maintenance

    /** One maintenance round. Service thread. */
    private void maintain() {
        if (closed) return;
        Instant now = clock.instant();
        records.sweep(now, SWEEP_BATCH);
        providers.sweep(now, SWEEP_BATCH);
        startRefresh();
        for (Republishing.Due due : owned.takeDue(now, MAX_REPUBLISHES_PER_ROUND)) {
            if (due.value().isPresent()) {
                metrics.recordRepublished();
                records.put(due.key(), due.value().get(), now);
                storeAtClosest(DhtRecord.of(due.key(), due.value().get()));
            } else {
                metrics.providerRepublished();
                announceAtClosest(due.key());
            }
        }
        updateSizes();
    }

    /** The refresh under way, or a new one; see {@link #refresh()}. Service thread. */
    private CompletableFuture<Integer> startRefresh() {
        if (refreshRun != null) return refreshRun;
        if (closed || table.size() == 0) return CompletableFuture.completedFuture(0);
        Instant now = clock.instant();
        List<Supplier<CompletableFuture<LookupResult>>> lookups = new ArrayList<>();
        if (lastSelfLookup == null || !now.isBefore(lastSelfLookup.plus(config.refreshInterval()))) {
            lookups.add(this::selfLookup);
        }
        for (int bucket : table.bucketsDueForRefresh(now)) {
            byte[] key = table.randomPreimageInBucket(bucket, random);
            lookups.add(() -> findClosest(key));
        }
        CompletableFuture<Integer> chain = checkSilentPeers(now.minus(config.refreshInterval()), new HashSet<>(),
                MAX_LIVENESS_CHECKS_PER_REFRESH).thenApply(v -> 0);
        for (Supplier<CompletableFuture<LookupResult>> lookup : lookups) {
            chain = chain.thenCompose(n -> {
                metrics.refreshLookup();
                return lookup.get().handle((r, e) -> n + 1);
            });
        }
        CompletableFuture<Integer> run = chain;
        refreshRun = run;
        run.whenCompleteAsync((n, e) -> refreshRun = null, executor);
        return run;
    }

    /**
     * Checks, {@link #LIVENESS_CHECKS_IN_FLIGHT} at a time, the table's peers not heard from
     * since {@code cutoff}, at most {@code budget} of them; peers promoted from a replacement
     * cache in place of evicted ones are checked too if they are as silent. Service thread.
     */
    private CompletableFuture<Void> checkSilentPeers(Instant cutoff, Set<PeerId> checked, int budget) {
        List<PeerId> wave = new ArrayList<>();
        for (PeerId peer : table.peersNotSeenSince(cutoff, checked.size() + LIVENESS_CHECKS_IN_FLIGHT)) {
            if (wave.size() < Math.min(budget, LIVENESS_CHECKS_IN_FLIGHT) && checked.add(peer)) wave.add(peer);
        }
        if (wave.isEmpty() || closed) return CompletableFuture.completedFuture(null);
        return checkLiveness(wave).thenComposeAsync(v -> checkSilentPeers(cutoff, checked, budget - wave.size()), executor);
    }

    /** Asks each of {@code peers} one FIND_NODE: a failure evicts it (see request), an answer marks it seen. */
    private CompletableFuture<Void> checkLiveness(List<PeerId> peers) {
        List<CompletableFuture<?>> checks = new ArrayList<>();
        for (PeerId peer : peers) {
            metrics.livenessCheck();
            checks.add(request(peer, FindNode.request(selfKey)).thenAcceptAsync(answer -> responded(peer), executor));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
    }

    private CompletableFuture<LookupResult> selfLookup() {
        return onServiceThread(() -> lastSelfLookup = clock.instant()).thenCompose(v -> findClosest(selfKey));
    }

    /** Publishes the sizes the gauges read. Service thread. */
    private void updateSizes() {
        metrics.sizes(table.size(), records.size(), providers.providerCount());
    }

    // ---------------------------------------------------------------- server side

    /** Called on an event loop: queues the request for the service thread. */
    private CompletableFuture<Optional<DhtMessage>> answer(PeerId from, DhtMessage request) {
        if (pendingInbound.incrementAndGet() > MAX_PENDING_INBOUND) {
            pendingInbound.decrementAndGet();
            return CompletableFuture.failedFuture(DhtException.local("service busy"));
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                pendingInbound.decrementAndGet();
                Optional<DhtMessage> answer = serve(from, request);
                updateSizes();
                maybeProbe(from);
                return answer;
            }, executor);
        } catch (RejectedExecutionException e) {
            pendingInbound.decrementAndGet();
            return CompletableFuture.failedFuture(DhtException.local("the DHT service is closed"));
        }
    }

    /** The answer to one request; throws to refuse it (the stream is reset). Service thread. */
    private Optional<DhtMessage> serve(PeerId from, DhtMessage request) {
        Instant now = clock.instant();
        return switch (request) {
            case FindNode r -> Optional.of(FindNode.response(r.key(), closerPeers(r.key(), from)));
            case GetValue r -> Optional.of(GetValue.response(r.key(),
                    records.get(r.key(), now).map(stored -> stored.toDhtRecord()), closerPeers(r.key(), from)));
            case PutValue r -> {
                DhtRecord record = r.record();
                if (records.put(record.key(), record.value(), now) instanceof PutResult.Refused refused) {
                    throw new DhtException("PUT_VALUE refused: " + refused.reason());
                }
                yield Optional.of(r);
            }
            case AddProvider r -> {
                for (DhtPeer provider : r.providers()) {
                    if (!provider.id().equals(from)) continue; // only the sender may announce itself (the spec)
                    // Stored without a /p2p/ suffix (js-libp2p adds one), as every address we hand out.
                    DhtPeer withAddresses = DhtPeer.of(from, limited(provider.addresses().isEmpty()
                            ? host.peerStore().addresses(from)
                            : provider.addresses()));
                    providers.add(r.key(), withAddresses, now);
                }
                yield Optional.empty();
            }
            case GetProviders r -> {
                List<DhtPeer> found = new ArrayList<>();
                for (DhtPeer p : providers.get(r.key(), now, DhtProtocol.MAX_PROVIDER_PEERS)) {
                    found.add(p.addresses().isEmpty() ? peerOf(p.id()) : p);
                }
                yield Optional.of(GetProviders.response(r.key(), found, closerPeers(r.key(), from)));
            }
            case Ping r -> Optional.of(new Ping());
        };
    }

    /** The k closest peers of the table to {@code key}'s hash, leaving out the requester. */
    private List<DhtPeer> closerPeers(byte[] key, PeerId requester) {
        List<DhtPeer> out = new ArrayList<>();
        for (PeerId p : table.closest(KadKey.of(key), config.k() + 1)) {
            if (!p.equals(requester) && out.size() < config.k()) out.add(peerOf(p));
        }
        return out;
    }

    private DhtPeer peerOf(PeerId peer) {
        return DhtPeer.of(peer, limited(host.peerStore().addresses(peer)));
    }

    private static List<Multiaddr> limited(List<Multiaddr> addresses) {
        List<Multiaddr> out = new ArrayList<>();
        for (Multiaddr a : addresses) {
            if (out.size() >= DhtProtocol.MAX_ADDRESSES_PER_PEER) break;
            if (a.peerId().isPresent()) {
                if (a.components().size() == 1) continue;
                a = a.withoutPeerId();
            }
            out.add(a);
        }
        return out;
    }

    /**
     * A peer that asked us something may be a DHT server we do not know: ask it one FIND_NODE
     * and let it into the table if it answers. Service thread.
     */
    private void maybeProbe(PeerId from) {
        if (closed || table.contains(from) || probing.contains(from) || probing.size() >= MAX_CONCURRENT_PROBES) return;
        Instant now = clock.instant();
        Instant last = probed.get(from);
        if (last != null && now.isBefore(last.plus(PROBE_INTERVAL))) return;
        probed.put(from, now);
        probing.add(from);
        metrics.probeSent();
        request(from, FindNode.request(selfKey)).whenCompleteAsync((answer, failure) -> {
            probing.remove(from);
            metrics.probeFinished();
            if (failure == null && !closed) {
                ((FindNode) answer).closerPeers().forEach(this::learnAddresses);
                responded(from);
            }
        }, executor);
    }

    // ---------------------------------------------------------------- routing table upkeep

    /** {@code peer} answered a request of ours. Service thread. */
    private void responded(PeerId peer) {
        if (closed) return;
        if (table.peerResponded(peer, clock.instant()) instanceof RoutingTable.Update.Pending pending) {
            PeerId check = pending.toCheck();
            metrics.livenessCheck();
            request(check, FindNode.request(selfKey)).whenCompleteAsync((answer, failure) -> {
                // A failed check has already evicted the peer (see request); this promotes a candidate.
                if (!closed) table.livenessResult(check, failure == null, clock.instant());
                updateSizes();
            }, executor);
        }
        updateSizes();
    }

    /**
     * A request to {@code peer} failed for a reason not of our making: a peer that cannot be
     * reached or answers wrongly is no use for routing, so it leaves the table and a candidate
     * from the replacement cache takes its place; one that timed out leaves after
     * {@link RoutingTable#TIMEOUTS_BEFORE_EVICTION} in a row. Service thread.
     */
    private void evictFailed(PeerId peer, boolean timedOut) {
        if (closed) return;
        if (timedOut ? table.peerTimedOut(peer) : table.peerFailed(peer)) {
            metrics.evicted();
            updateSizes();
        }
    }

    private void learnAddresses(DhtPeer peer) {
        if (peer.id().equals(self) || peer.addresses().isEmpty()) return;
        host.peerStore().addAddresses(peer.id(), limited(peer.addresses()));
    }

    // ---------------------------------------------------------------- lookups

    private CompletableFuture<LookupRun> startLookup(byte[] key, java.util.function.Function<PeerId, DhtMessage> requestFor,
            BiFunction<PeerId, DhtMessage, List<DhtPeer>> onAnswer) {
        return startLookup(key, requestFor, onAnswer, run -> false);
    }

    /**
     * Runs a lookup for {@code key} on the service thread: {@code requestFor} makes each request,
     * {@code onAnswer} reads an answer (on the service thread) and returns its closer peers,
     * {@code enough} ends the lookup early.
     */
    private CompletableFuture<LookupRun> startLookup(byte[] key, java.util.function.Function<PeerId, DhtMessage> requestFor,
            BiFunction<PeerId, DhtMessage, List<DhtPeer>> onAnswer, java.util.function.Predicate<LookupRun> enough) {
        if (key.length > DhtProtocol.MAX_KEY_LENGTH) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("key longer than " + DhtProtocol.MAX_KEY_LENGTH));
        }
        return onServiceThread(() -> {
            if (closed) throw DhtException.local("the DHT service is closed");
            if (running.size() >= MAX_CONCURRENT_LOOKUPS) throw DhtException.local("too many lookups running");
            KadKey target = KadKey.of(key);
            LookupRun run = new LookupRun(new ClosestPeersLookup(target, self, table.closest(target, config.k()), lookupConfig),
                    requestFor, onAnswer, enough);
            running.add(run);
            run.start();
            return run;
        }).whenComplete((run, e) -> {
            if (e != null) metrics.lookupFinished(LookupOutcome.FAILED, 0, 0, 0);
        }).thenCompose(run -> run.done);
    }

    /** One lookup in progress; touched on the service thread only. */
    private final class LookupRun {
        final ClosestPeersLookup lookup;
        final java.util.function.Function<PeerId, DhtMessage> requestFor;
        final BiFunction<PeerId, DhtMessage, List<DhtPeer>> onAnswer;
        final java.util.function.Predicate<LookupRun> enough;
        final CompletableFuture<LookupRun> done = new CompletableFuture<>();
        final long startedNanos = System.nanoTime();
        ScheduledFuture<?> timer;
        ScheduledFuture<?> deadline;
        LookupOutcome outcome = LookupOutcome.CONVERGED;

        LookupRun(ClosestPeersLookup lookup, java.util.function.Function<PeerId, DhtMessage> requestFor,
                BiFunction<PeerId, DhtMessage, List<DhtPeer>> onAnswer, java.util.function.Predicate<LookupRun> enough) {
            this.lookup = lookup;
            this.requestFor = requestFor;
            this.onAnswer = onAnswer;
            this.enough = enough;
        }

        LookupResult result() {
            return new LookupResult(lookup.target(), lookup.result(), lookup.stats(), outcome);
        }

        void start() {
            deadline = executor.schedule(() -> {
                if (done.isDone()) return;
                outcome = LookupOutcome.TIMED_OUT;
                lookup.finish();
                finish();
            }, config.lookupTimeout().toMillis(), TimeUnit.MILLISECONDS);
            step();
        }

        void step() {
            if (done.isDone()) return;
            for (PeerId peer : lookup.nextRequests(clock.instant())) {
                request(peer, requestFor.apply(peer)).whenCompleteAsync((answer, failure) -> {
                    if (done.isDone()) return;
                    if (failure != null) {
                        lookup.onFailure(peer, clock.instant());
                    } else {
                        List<DhtPeer> closer = onAnswer.apply(peer, answer);
                        List<PeerId> ids = new ArrayList<>(closer.size());
                        for (DhtPeer p : closer) {
                            learnAddresses(p);
                            ids.add(p.id());
                        }
                        if (lookup.onResponse(peer, ids, clock.instant())) responded(peer);
                        if (!lookup.isFinished() && enough.test(this)) {
                            outcome = LookupOutcome.SATISFIED;
                            lookup.finish();
                        }
                    }
                    step();
                }, executor);
            }
            if (lookup.isFinished()) {
                finish();
                return;
            }
            if (timer != null) timer.cancel(false);
            timer = null;
            lookup.nextDeadline().ifPresent(deadline -> {
                long delay = Math.max(1, Duration.between(clock.instant(), deadline).toMillis());
                timer = executor.schedule(this::step, delay, TimeUnit.MILLISECONDS);
            });
        }

        void finish() {
            cancelTimers();
            running.remove(this);
            table.lookupCompleted(lookup.target(), clock.instant());
            ClosestPeersLookup.Stats stats = lookup.stats();
            metrics.lookupFinished(outcome, (System.nanoTime() - startedNanos) / 1e9, stats.hops(), stats.peersRefused());
            done.complete(this);
        }

        void fail(Throwable cause) {
            cancelTimers();
            lookup.finish();
            running.remove(this);
            metrics.lookupFinished(LookupOutcome.FAILED, 0, 0, lookup.stats().peersRefused());
            done.completeExceptionally(cause);
        }

        private void cancelTimers() {
            if (timer != null) timer.cancel(false);
            if (deadline != null) deadline.cancel(false);
        }
    }

    /** Runs {@code work} on the service thread; package-private so tests can hold the thread. */
    <T> CompletableFuture<T> onServiceThread(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(DhtException.local("the DHT service is closed"));
        }
    }
}
