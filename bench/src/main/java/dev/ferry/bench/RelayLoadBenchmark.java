package dev.ferry.bench;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.messenger.mailbox.MailboxClient;
import dev.ferry.messenger.mailbox.MailboxConfig;
import dev.ferry.messenger.mailbox.MailboxProtocol;
import dev.ferry.messenger.mailbox.MailboxReply;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.ping.PingService;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load on one relay, issue 8: a {@code ferry node --relay-only} process with {@code --metrics}, and
 * in this JVM a load generator of many identities over real TCP, Noise and yamux:
 *
 * <ul>
 *   <li>a <b>prober</b> pings it ({@code /ipfs/ping/1.0.0}) throughout: before the load, during
 *       it and after it;
 *   <li><b>honest senders</b> store a shard now and then, as a personal node does;
 *   <li>a <b>connection flood</b>: many identities dialing as fast as they can, past the relay's
 *       connection limit, and holding their connections;
 *   <li>a <b>store flood</b>: identities keeping hundreds of STOREs on their way each;
 *   <li><b>quota abusers</b> storing large shards until the per-sender quota refuses them, and
 *       past it; <b>oversized</b> shards over the holder's shard limit;
 *   <li>a <b>stream flood</b> opening streams as fast as it can, and <b>garbage</b> written on
 *       mailbox streams.
 * </ul>
 *
 * Prints ping round trips before and during the load, the honest senders' success and latency,
 * every refusal by status, the connections refused, and the relay's heap and FDs; exits 1 if an
 * honest store fails, the prober's pings stop being answered, or the relay dies.
 */
@Command(name = "bench/run relay-load", sortOptions = false,
        description = "One ferry node relay under honest and abusive load from many identities; checks it stays responsive.")
public final class RelayLoadBenchmark implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--seconds", description = "Seconds of load (default: ${DEFAULT-VALUE}).")
    int seconds = 60;

    @Option(names = "--baseline", description = "Seconds of pings and honest stores before the load, and again after it (default: ${DEFAULT-VALUE}).")
    int baseline = 15;

    @Option(names = "--connections", description = "Identities of the connection flood, each dialing once and holding on "
            + "(default: ${DEFAULT-VALUE}; the relay's --max-connections is 512).")
    int connections = 700;

    @Option(names = "--dial-concurrency", description = "Dials of the connection flood at once (default: ${DEFAULT-VALUE}).")
    int dialConcurrency = 64;

    @Option(names = "--honest", description = "Honest senders (default: ${DEFAULT-VALUE}).")
    int honest = 4;

    @Option(names = "--honest-interval-ms", description = "Milliseconds between an honest sender's stores (default: ${DEFAULT-VALUE}).")
    int honestIntervalMs = 250;

    @Option(names = "--flooders", description = "Store-flooding identities (default: ${DEFAULT-VALUE}).")
    int flooders = 4;

    @Option(names = "--flood-in-flight", description = "STOREs each flooder keeps on their way (default: ${DEFAULT-VALUE}).")
    int floodInFlight = 1024;

    @Option(names = "--flood-clients", description = "Mailbox clients of each flooder, two streams each (default: ${DEFAULT-VALUE}).")
    int floodClients = 48;

    @Option(names = "--sender-max-bytes", description = "The relay's --sender-max-bytes, small so the quota abusers reach it soon "
            + "(default: ${DEFAULT-VALUE}).")
    String senderMaxBytes = "4MiB";

    @Option(names = "--relay-arg", description = "Another argument for the relay's ferry node (repeatable).")
    List<String> relayArgs = new ArrayList<>();

    @Option(names = "--dir", description = "The relay's data directory and log (default: a temporary directory, removed at the end).")
    Path dir;

    /** A ping unanswered for this long counts as failed. */
    static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
    /** Pings of the prober per second. */
    static final int PINGS_PER_SECOND = 5;
    /** Most of the prober's pings that may fail, as a share, before the run fails. */
    static final double MAX_PING_FAILURES = 0.01;

    private final SecureRandom random = new SecureRandom();
    private final EventLoopGroup loops = NettyHost.newEventLoopGroup(2);
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final List<NettyHost> hosts = Collections.synchronizedList(new ArrayList<>());
    /** The prober's and the honest senders' hosts: they stay when the load's hosts go. */
    private final List<NettyHost> steady = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile Phase phase = Phase.BEFORE;
    private volatile boolean loading;
    private FerryNodeProcess relay;
    private Multiaddr relayAddress;
    private PeerId relayId;

    private enum Phase { BEFORE, DURING, AFTER }

    /** Round trips (ns) and failures of the prober, per phase; honest latencies and failures per phase. */
    private final Map<Phase, List<Long>> pings = new ConcurrentHashMap<>();
    private final Map<Phase, AtomicInteger> pingFailures = new ConcurrentHashMap<>();
    private final Map<Phase, List<Long>> honestLatency = new ConcurrentHashMap<>();
    private final Map<Phase, AtomicInteger> honestFailures = new ConcurrentHashMap<>();
    private final List<String> honestErrors = Collections.synchronizedList(new ArrayList<>());
    private final List<double[]> relaySamples = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) {
        BenchmarkMain.run(new RelayLoadBenchmark(), args);
    }

    @Override
    public Integer call() throws Exception {
        boolean ownDir = dir == null;
        if (ownDir) dir = Files.createTempDirectory("ferry-relay-load");
        for (Phase p : Phase.values()) {
            pings.put(p, Collections.synchronizedList(new ArrayList<>()));
            pingFailures.put(p, new AtomicInteger());
            honestLatency.put(p, Collections.synchronizedList(new ArrayList<>()));
            honestFailures.put(p, new AtomicInteger());
        }
        try {
            return run() ? 0 : 1;
        } finally {
            loading = false;
            scheduler.shutdownNow();
            List<NettyHost> closing;
            synchronized (hosts) {
                closing = new ArrayList<>(hosts);
            }
            for (NettyHost h : closing) h.close();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
            if (relay != null) relay.close();
            if (ownDir) TempDirs.deleteTree(dir);
        }
    }

    private boolean run() throws Exception {
        System.out.printf("Ferry relay load, %s%n  machine  %s, %d cores; Java %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS),
                MachineInfo.cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        List<String> args = new ArrayList<>(List.of("--sender-max-bytes", senderMaxBytes, "--max-envelope-size", "64KiB"));
        args.addAll(relayArgs);
        relay = new FerryNodeProcess("relay", true, dir, args);
        relay.start(List.of(), false);
        relayAddress = Multiaddr.parse(relay.address());
        relayId = PeerId.parse(relay.peerId());
        System.out.printf("relay %s (%s; child JVM %s), load generator in this JVM on 2 event loop threads%n", relay.address(),
                String.join(" ", args), String.join(" ", FerryNodeProcess.JVM_FLAGS));
        System.out.printf("load: %d s; %d connection-flood identities (%d dials at once), %d store flooders x %d in flight, "
                + "%d honest senders every %d ms, quota abusers, oversized shards, a stream flood, garbage%n", seconds, connections,
                dialConcurrency, flooders, floodInFlight, honest, honestIntervalMs);
        System.out.printf("each flooder: %d mailbox clients of two streams each, one identity%n", floodClients);

        scheduler.scheduleWithFixedDelay(this::sampleRelay, 0, 2, TimeUnit.SECONDS);
        NettyHost prober = host();
        steady.add(prober);
        Connection probe = prober.dial(relayAddress).get(30, TimeUnit.SECONDS);
        PingService pinger = new PingService(prober);
        Thread probing = Thread.ofPlatform().name("prober").start(() -> probe(prober, probe, pinger));
        List<Thread> honestThreads = new ArrayList<>();
        for (int i = 0; i < honest; i++) honestThreads.add(Thread.ofPlatform().name("honest-" + i).start(this::honestSender));

        TimeUnit.SECONDS.sleep(baseline);
        System.out.printf("before: ping p50 %s, honest stores %d ok%n", ms(pings.get(Phase.BEFORE), 0.5),
                honestLatency.get(Phase.BEFORE).size());
        phase = Phase.DURING;
        loading = true;
        long started = System.nanoTime();
        List<Thread> load = new ArrayList<>();
        load.add(Thread.ofPlatform().name("connection-flood").start(this::connectionFlood));
        for (int i = 0; i < flooders; i++) load.add(Thread.ofPlatform().name("store-flood-" + i).start(this::storeFlood));
        load.add(Thread.ofPlatform().name("quota-abuser").start(this::quotaAbuser));
        load.add(Thread.ofPlatform().name("oversized").start(this::oversized));
        load.add(Thread.ofPlatform().name("stream-flood").start(this::streamFlood));
        load.add(Thread.ofPlatform().name("garbage").start(this::garbage));
        long next = started + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(seconds)) {
            TimeUnit.MILLISECONDS.sleep(200);
            if (System.nanoTime() >= next) {
                next += TimeUnit.SECONDS.toNanos(10);
                printProgress(started);
            }
        }
        loading = false;
        phase = Phase.AFTER;
        for (Thread t : load) t.join(30_000);
        // The flood's connections go, so that the after phase sees the relay recover.
        closeLoadHosts();
        TimeUnit.SECONDS.sleep(baseline);
        for (Thread t : honestThreads) t.interrupt();
        probing.interrupt();
        probing.join(10_000);
        for (Thread t : honestThreads) t.join(10_000);
        sampleRelay();
        return summary();
    }

    /** A new host of a fresh identity on the shared event loops; closed at the end. */
    private NettyHost host() {
        NettyHost h = new NettyHost(HostConfig.builder(IdentityKeyPair.generate(random)).sharedEventLoops(loops).build());
        h.peerStore().addAddresses(relayId, List.of(relayAddress));
        hosts.add(h);
        return h;
    }

    private void closeLoadHosts() {
        List<NettyHost> closing;
        synchronized (hosts) {
            closing = new ArrayList<>(hosts);
            closing.removeAll(steady);
            hosts.retainAll(steady);
        }
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (NettyHost h : closing) closed.add(h.close());
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // hosts still closing; they are gone with the JVM
        }
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private long count0(String what) {
        AtomicLong c = counts.get(what);
        return c == null ? 0 : c.get();
    }

    /** Pings {@link #PINGS_PER_SECOND} times a second on the connection it made first, redialing if it goes. */
    private void probe(NettyHost prober, Connection first, PingService pinger) {
        Connection connection = first;
        while (!Thread.currentThread().isInterrupted()) {
            Phase at = phase;
            long t0 = System.nanoTime();
            try {
                if (connection.closeFuture().isDone()) connection = prober.dial(relayAddress).get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                List<Duration> rtt = pinger.ping(connection, 1).get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                pings.get(at).add(rtt.getFirst().toNanos());
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                pingFailures.get(at).incrementAndGet();
                count("ping failed: " + rootMessage(e));
            }
            long wait = 1000 / PINGS_PER_SECOND - (System.nanoTime() - t0) / 1_000_000;
            if (wait > 0) {
                try {
                    TimeUnit.MILLISECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** A shard of a fresh, valid envelope to a random stranger's mailbox: what a personal node stores. */
    private record Shard(EnvelopeHeader header, int index, byte[] bytes) {}

    /** The k + m shards of a fresh envelope of {@code payloadBytes}, to a random mailbox or to {@code mailboxOf}. */
    private List<Shard> envelope(int payloadBytes, PeerId mailboxOf) {
        Instant now = Instant.now();
        byte[] payload = new byte[payloadBytes];
        random.nextBytes(payload);
        PeerId owner = mailboxOf != null ? mailboxOf : IdentityKeyPair.generate(random).peerId();
        InnerContent content = InnerContent.create(ContentType.TEXT, IdentityKeyPair.generate(random).publicKey(), now, payload, random);
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, X25519.generate(random).publicKey(), Mailbox.keyFor(owner), now,
                now.plusSeconds(3600), random);
        EncodedShards shards = new ReedSolomonCodec(ErasureParameters.DEFAULT).encode(sealed.ciphertext());
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) hashes.add(shards.shardHash(i));
        EnvelopeHeader header = sealed.codedHeader(ErasureParameters.DEFAULT.dataShards(), ErasureParameters.DEFAULT.parityShards(), hashes);
        List<Shard> out = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) out.add(new Shard(header, i, shards.shard(i)));
        return out;
    }

    private MailboxClient client(NettyHost host) {
        return new MailboxClient(host, Clock.systemUTC(), scheduler, MailboxConfig.DEFAULTS);
    }

    /** Stores shard 0 of a fresh 1 KiB envelope every --honest-interval-ms; every answer but OK is a failure. */
    private void honestSender() {
        NettyHost host = host();
        steady.add(host);
        MailboxClient client = client(host);
        while (!Thread.currentThread().isInterrupted()) {
            Phase at = phase;
            Shard shard = envelope(1024, null).getFirst();
            long t0 = System.nanoTime();
            try {
                MailboxReply reply = client.store(relayId, shard.header(), shard.index(), shard.bytes()).get(30, TimeUnit.SECONDS);
                if (reply.status().isOk()) {
                    honestLatency.get(at).add(System.nanoTime() - t0);
                } else {
                    honestFailures.get(at).incrementAndGet();
                    honestErrors.add(label(reply));
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                honestFailures.get(at).incrementAndGet();
                honestErrors.add(rootMessage(e));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(honestIntervalMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** --connections identities dial at once (--dial-concurrency at a time) and hold their connections. */
    private void connectionFlood() {
        Semaphore slots = new Semaphore(dialConcurrency);
        for (int i = 0; i < connections && loading; i++) {
            slots.acquireUninterruptibly();
            NettyHost h = host();
            h.dial(relayAddress).orTimeout(30, TimeUnit.SECONDS).whenComplete((c, e) -> {
                slots.release();
                count(e == null ? "connection: accepted" : "connection: refused or failed (" + rootMessage(e) + ")");
                if (c != null) c.closeFuture().whenComplete((v, x) -> {
                    if (loading) count("connection: closed by the relay during the load");
                });
            });
        }
    }

    /**
     * Keeps --flood-in-flight STOREs of fresh small shards on their way from one identity as long as
     * the load lasts, counting the answers by status.
     */
    private void storeFlood() {
        NettyHost host = host();
        List<MailboxClient> clients = new ArrayList<>();
        for (int i = 0; i < floodClients; i++) clients.add(client(host));
        int next = 0;
        Semaphore inFlight = new Semaphore(floodInFlight);
        List<Shard> pool = new ArrayList<>();
        while (loading) {
            if (pool.isEmpty()) pool.addAll(envelope(512, null));
            Shard s = pool.removeLast();
            if (!inFlight.tryAcquire()) {
                Thread.onSpinWait();
                try {
                    if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
                } catch (InterruptedException e) {
                    return;
                }
            }
            clients.get(next++ % clients.size()).store(relayId, s.header(), s.index(), s.bytes()).whenComplete((reply, e) -> {
                inFlight.release();
                count(e == null ? "store flood: " + label(reply) : "store flood: failed (" + rootMessage(e) + ")");
            });
        }
    }

    /** Stores the 12 KiB shards of 48 KiB envelopes to one mailbox, one after another, until and past the per-sender quota. */
    private void quotaAbuser() {
        NettyHost host = host();
        MailboxClient client = client(host);
        PeerId victim = IdentityKeyPair.generate(random).peerId();
        while (loading) {
            for (Shard s : envelope(48 << 10, victim)) {
                try {
                    MailboxReply reply = client.store(relayId, s.header(), s.index(), s.bytes()).get(30, TimeUnit.SECONDS);
                    count("quota abuser: " + label(reply));
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    count("quota abuser: failed (" + rootMessage(e) + ")");
                }
            }
        }
    }

    /**
     * True shards of 256 KiB envelopes, over the relay's --max-envelope-size of 64 KiB, and forged
     * ones: 1.5 MiB of bytes (over the 1 MiB shard limit, under the 2 MiB message limit) under a
     * real header.
     */
    private void oversized() {
        NettyHost host = host();
        MailboxClient client = client(host);
        byte[] big = new byte[3 << 19];
        boolean forged = false;
        while (loading) {
            Shard s = envelope(256 << 10, null).getFirst();
            forged = !forged;
            try {
                MailboxReply reply = client.store(relayId, s.header(), s.index(), forged ? big : s.bytes()).get(30, TimeUnit.SECONDS);
                count((forged ? "forged 1.5 MiB shard: " : "oversized envelope: ") + label(reply));
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                count("oversized or forged: failed (" + rootMessage(e) + ")");
            }
        }
    }

    /** Opens (and resets) mailbox streams on one connection as fast as the relay lets it, redialing when cut off. */
    private void streamFlood() {
        NettyHost host = host();
        while (loading) {
            Connection c;
            try {
                c = host.dial(relayAddress).get(10, TimeUnit.SECONDS);
                count("stream flood: connected");
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                count("stream flood: dial refused (" + rootMessage(e) + ")");
                sleepQuietly(1000);
                continue;
            }
            Semaphore opening = new Semaphore(64);
            while (loading && !c.closeFuture().isDone()) {
                opening.acquireUninterruptibly();
                // Each stream is reset at once: our own limit of streams per connection never stops the flood, the relay's rate does.
                c.newStream(MailboxProtocol.ID).orTimeout(10, TimeUnit.SECONDS).whenComplete((s, e) -> {
                    opening.release();
                    if (s != null) s.reset();
                    count(e == null ? "stream flood: stream opened" : "stream flood: stream refused (" + rootMessage(e) + ")");
                });
            }
            if (c.closeFuture().isDone()) count("stream flood: connection closed by the relay");
        }
    }

    /** Writes a length prefix over the limit and random bytes on mailbox streams, from fresh identities. */
    private void garbage() {
        while (loading) {
            NettyHost host = host();
            try {
                Connection c = host.dial(relayAddress).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 20 && loading; i++) {
                    var s = c.newStream(MailboxProtocol.ID).get(10, TimeUnit.SECONDS);
                    byte[] junk = new byte[16 + random.nextInt(4096)];
                    random.nextBytes(junk);
                    // A length prefix of 256 MiB, over the protocol's 2 MiB, then junk: a partial message would just wait.
                    junk[0] = (byte) 0x80;
                    junk[1] = (byte) 0x80;
                    junk[2] = (byte) 0x80;
                    junk[3] = (byte) 0x80;
                    junk[4] = (byte) 0x01;
                    s.write(Unpooled.wrappedBuffer(junk));
                    try {
                        s.closeFuture().get(5, TimeUnit.SECONDS);
                        count("garbage: stream closed or reset by the relay");
                    } catch (java.util.concurrent.TimeoutException e) {
                        count("garbage: stream left open after 5 s");
                        s.reset();
                    }
                }
                if (c.closeFuture().isDone()) count("garbage: connection closed by the relay");
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                count("garbage: refused (" + rootMessage(e) + ")");
                sleepQuietly(200);
            }
        }
    }

    /** A status with the holder's reason (BUSY has two: the whole queue, or this peer's share), numbers folded so counts group. */
    private static String label(MailboxReply reply) {
        return reply.status().label() + (reply.status().isOk() ? "" : " (" + reply.detail().replaceAll("\\d+", "N") + ")");
    }

    private static void sleepQuietly(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Relay heap used, FDs and connections, every 2 s. */
    private void sampleRelay() {
        try {
            Map<String, Double> m = relay.scrape();
            relaySamples.add(new double[] {phase.ordinal(), m.getOrDefault("jvm_memory_used_bytes{area=\"heap\"}", -1.0), relay.openFds(),
                    m.getOrDefault("ferry_overlay_connections", -1.0)});
            lastMetrics = m;
        } catch (Exception e) {
            count("relay metrics unanswered");
        }
    }

    private volatile Map<String, Double> lastMetrics = Map.of();

    private void printProgress(long started) {
        double[] last = relaySamples.isEmpty() ? new double[4] : relaySamples.getLast();
        System.out.printf("%3.0f s  ping p50 %s (%d failed); honest ok %d, failed %d; connections accepted %d; relay: %.0f connections, "
                + "heap %.0f MiB, %.0f FDs%n", (System.nanoTime() - started) / 1e9, ms(pings.get(Phase.DURING), 0.5),
                pingFailures.get(Phase.DURING).get(), honestLatency.get(Phase.DURING).size(), honestFailures.get(Phase.DURING).get(),
                count0("connection: accepted"), last[3], last[1] / (1 << 20), last[2]);
    }

    private boolean summary() {
        boolean ok = true;
        System.out.println();
        System.out.println("summary");
        for (Phase p : Phase.values()) {
            List<Long> sorted = sorted(pings.get(p));
            List<Long> honestSorted = sorted(honestLatency.get(p));
            System.out.printf("  %-6s ping %d answered, %d failed: p50 %s, p90 %s, p99 %s, max %s; honest stores %d ok, %d failed: p50 %s, p99 %s%n",
                    p.name().toLowerCase(), sorted.size(), pingFailures.get(p).get(), ms(sorted, 0.5), ms(sorted, 0.9), ms(sorted, 0.99),
                    ms(sorted, 1.0), honestSorted.size(), honestFailures.get(p).get(), ms(honestSorted, 0.5), ms(honestSorted, 0.99));
        }
        List<Long> before = sorted(pings.get(Phase.BEFORE));
        List<Long> during = sorted(pings.get(Phase.DURING));
        if (!before.isEmpty() && !during.isEmpty()) {
            System.out.printf("  ping during / before: p50 x%.1f, p99 x%.1f%n", pct(during, 0.5) / pct(before, 0.5), pct(during, 0.99) / pct(before, 0.99));
        }
        System.out.println("  load generator's counts:");
        new TreeMap<>(counts).forEach((k, v) -> System.out.printf("    %-70s %d%n", k, v.get()));
        System.out.println("  the relay's own counts (its /metrics at the end):");
        lastMetrics.entrySet().stream()
                .filter(e -> e.getValue() > 0 && (e.getKey().startsWith("ferry_mailbox_requests_total") || e.getKey().startsWith("ferry_mailbox_shards_refused_total")
                        || e.getKey().startsWith("ferry_overlay_handshake_failures_total") || e.getKey().startsWith("ferry_overlay_streams_refused_total")
                        || e.getKey().startsWith("ferry_overlay_protocol_violations_total") || e.getKey().startsWith("ferry_overlay_peers_banned_total")
                        || e.getKey().startsWith("ferry_overlay_connections_opened_total") || e.getKey().startsWith("ferry_mailbox_malformed")))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> System.out.printf("    %-90s %.0f%n", e.getKey(), e.getValue()));
        for (Phase p : Phase.values()) {
            List<double[]> s = relaySamples.stream().filter(x -> x[0] == p.ordinal()).toList();
            if (s.isEmpty()) continue;
            System.out.printf("  relay %-6s heap used max %.0f MiB, FDs max %.0f, connections max %.0f%n", p.name().toLowerCase(),
                    s.stream().mapToDouble(x -> x[1]).max().orElse(0) / (1 << 20), s.stream().mapToDouble(x -> x[2]).max().orElse(0),
                    s.stream().mapToDouble(x -> x[3]).max().orElse(0));
        }
        if (!relaySamples.isEmpty()) {
            double[] end = relaySamples.getLast();
            System.out.printf("  relay at the end (the load's hosts closed %d s before): heap used %.0f MiB, %.0f FDs, %.0f connections%n",
                    baseline, end[1] / (1 << 20), end[2], end[3]);
        }
        boolean alive = relay.isRunning();
        System.out.println("  relay process " + (alive ? "still running" : "GONE"));
        ok &= alive;
        int honestFailed = Stream.of(Phase.values()).mapToInt(p -> honestFailures.get(p).get()).sum();
        if (honestFailed > 0) {
            ok = false;
            System.out.printf("  honest failures, first ones: %s%n", honestErrors.subList(0, Math.min(5, honestErrors.size())));
        }
        for (Phase p : Phase.values()) {
            int failed = pingFailures.get(p).get();
            int all = failed + pings.get(p).size();
            if (all == 0 || failed > MAX_PING_FAILURES * all) {
                ok = false;
                System.out.printf("  ping %s: %d of %d failed (more than %.0f%%)%n", p.name().toLowerCase(), failed, all, 100 * MAX_PING_FAILURES);
            }
        }
        System.out.println("verdict: " + (ok ? "PASS" : "FAIL"));
        return ok;
    }

    private static List<Long> sorted(List<Long> values) {
        synchronized (values) {
            return values.stream().sorted(Comparator.naturalOrder()).toList();
        }
    }

    private static double pct(List<Long> sorted, double q) {
        int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(q * sorted.size()) - 1));
        return sorted.get(index) / 1e6;
    }

    private static String ms(List<Long> values, double q) {
        List<Long> sorted = sorted(values);
        if (sorted.isEmpty()) return "-";
        return String.format("%.1f ms", pct(sorted, q));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
        // Counts group by kind, not by the peer or the numbers in a message.
        return m.replaceAll("12D3KooW\\w+", "PEER").replaceAll("\\d+", "N");
    }

}
