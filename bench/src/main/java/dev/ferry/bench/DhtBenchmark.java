package dev.ferry.bench;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtService;
import dev.ferry.dht.service.LookupResult;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.channel.EventLoopGroup;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * DHT lookups in a network of Ferry nodes and in a network of js-libp2p nodes, in one run, side
 * by side: hops, latency and recall (how many of the true k closest a lookup returned) of
 * {@code FIND_NODE} lookups for random keys from random nodes.
 *
 * <p>The Ferry network runs in this JVM: {@code --nodes} hosts sharing one small event loop
 * group, each with a {@link DhtService}, talking over real TCP on loopback. The js network runs
 * in one Node.js process ({@code interop/js/dht-network.mjs}), after the Ferry network is closed.
 * Both networks are built alike (join from a few earlier nodes, then a self-lookup round) and
 * measured alike (unmeasured warm-up lookups, then lookups one at a time); docs/BENCHMARKS.md
 * says what each figure means. There is no goal: the benchmark prints figures and ratios.
 */
@Command(name = "bench/run dht", sortOptions = false,
        description = "DHT lookups in a Ferry network and a js-libp2p network: hops, latency, recall.")
public final class DhtBenchmark implements Callable<Integer> {
    /** kad-dht's k: the peers a lookup returns, and the size of the truth it is scored against. */
    static final int K = 20;
    /** The protocol both networks speak (js kad-dht's default); they never talk to each other. */
    static final String PROTOCOL = "/ipfs/kad/1.0.0";
    /** Event loop threads all Ferry hosts share: the machine's cores, as one node would use. */
    static final int EVENT_LOOP_THREADS = 2;
    /** One bootstrap or lookup on loopback takes milliseconds; this long means it is stuck. */
    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(60);
    /** The js network, joins and lookups included; 100 nodes take about three minutes. */
    static final Duration JS_TIMEOUT = Duration.ofMinutes(60);
    /** Recall below this many of k counts as a poor lookup in the summary. */
    static final int GOOD_RECALL = 18;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "200",
            description = "Ferry nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    /**
     * js nodes by default: the most one Node.js process runs here. 200 joined (in 6.5 minutes, 2.7
     * GiB) but then ran out of file descriptors: the process holds both ends of every connection,
     * js-libp2p keeps them open, and 200 nodes near a full mesh need about 40,000 (docs/BENCHMARKS.md).
     */
    static final String DEFAULT_JS_NODES = "100";

    @Option(names = "--js-nodes", paramLabel = "N", defaultValue = DEFAULT_JS_NODES,
            description = "js-libp2p nodes, in one Node.js process; 0 skips js (default: ${DEFAULT-VALUE}).")
    int jsNodes;

    @Option(names = "--lookups", paramLabel = "L", defaultValue = "200",
            description = "Measured lookups in each network (default: ${DEFAULT-VALUE}).")
    int lookups;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "20",
            description = "Unmeasured lookups before the measured ones, in each network (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seeds", paramLabel = "S", defaultValue = "3",
            description = "Earlier nodes each node joins from (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Mixin
    JsSetup setup = new JsSetup();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private final SecureRandom random = new SecureRandom();

    public static void main(String[] args) {
        BenchmarkMain.run(new DhtBenchmark(), args);
    }

    @Override
    public Integer call() throws Exception {
        measure();
        return 0;
    }

    /** What one run measured: each network's lookups (js null when skipped) and the summary table. */
    record Result(Side ferry, Side js, FigureTable summary) {}

    /** Runs the benchmark, printing as it goes, and returns its figures. */
    Result measure() throws Exception {
        if (nodes < 2 || (jsNodes != 0 && jsNodes < 2) || lookups < 1 || warmup < 0 || seeds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--nodes and --js-nodes must be at least 2 (--js-nodes 0 skips js), --lookups and --seeds at least 1");
        }
        setup.resolve();
        if (jsNodes > 0) setup.requireNodeModules();
        long began = System.nanoTime();
        say("%s", MachineInfo.describe("DHT lookups, Ferry vs js-libp2p", setup.nodeExecutable));
        say("  %d measured lookups per network after %d unmeasured, one at a time, each from a random node for a "
                + "random key; k = %d", lookups, warmup, K);

        Side ferry = ferryNetwork();
        Side js = jsNodes > 0 ? jsNetwork() : null;
        FigureTable summary = summary(ferry, js);
        System.out.print(summary.text());
        say("");
        say("benchmark took %.0f s", (System.nanoTime() - began) / 1e9);
        return new Result(ferry, js, summary);
    }

    // ------------------------------------------------------------------ figures

    /** One network's measured lookups; the lists are in lookup order. */
    record Side(String name, int nodes, String lookupConfig, List<Double> latencyMs, List<Double> hops,
                        List<Double> found, List<Double> requests, long failedRequests, double cpuSecondsPerLookup) {}

    // ------------------------------------------------------------------ Ferry

    /** A Ferry node of the benchmark network. */
    private record FerryNode(OverlayNode overlay, DhtService dht) {
        PeerId peerId() {
            return overlay.host().peerId();
        }

        Multiaddr fullAddress() {
            return overlay.host().listenAddresses().getFirst().withPeerId(peerId());
        }
    }

    private Side ferryNetwork() throws Exception {
        say("");
        say("Ferry: %d nodes in this JVM, %d shared event loop threads, %s", nodes, EVENT_LOOP_THREADS, PROTOCOL);
        DhtConfig config = DhtConfig.defaults().withProtocolId(PROTOCOL);
        EventLoopGroup group = NettyHost.newEventLoopGroup(EVENT_LOOP_THREADS);
        List<FerryNode> network = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < nodes; i++) {
                IdentityKeyPair identity = IdentityKeyPair.generate(random);
                OverlayNode overlay = OverlayNode.create(HostConfig.builder(identity).sharedEventLoops(group).build(), false);
                network.add(new FerryNode(overlay, DhtService.create(overlay.host(), config, Validators.standard(),
                        Clock.systemUTC())));
                await(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
            }
            say("  started in %.1f s", seconds(t0));

            long t1 = System.nanoTime();
            for (int i = 1; i < nodes; i++) {
                List<Multiaddr> from = new ArrayList<>();
                for (int s : distinctBelow(i, Math.min(seeds, i))) from.add(network.get(s).fullAddress());
                await(network.get(i).dht().bootstrap(from));
            }
            double joinSeconds = seconds(t1);
            long t2 = System.nanoTime();
            for (FerryNode node : network) await(node.dht().findClosest(node.peerId().toBytes()));
            int[] tables = new int[nodes];
            for (int i = 0; i < nodes; i++) tables[i] = await(network.get(i).dht().routingTablePeers()).size();
            Arrays.sort(tables);
            say("  joined in %.1f s (each from %d earlier nodes, then its self-lookup); a second self-lookup round %.1f s",
                    joinSeconds, seeds, seconds(t2));
            say("  routing tables: %d min, %d median, %d max peers", tables[0], tables[nodes / 2], tables[nodes - 1]);

            List<PeerId> everyone = network.stream().map(FerryNode::peerId).toList();
            List<Double> latency = new ArrayList<>();
            List<Double> hops = new ArrayList<>();
            List<Double> found = new ArrayList<>();
            List<Double> requests = new ArrayList<>();
            long failed = 0;
            long cpu0 = processCpuNanos();
            for (int i = -warmup; i < lookups; i++) {
                FerryNode from = network.get(random.nextInt(nodes));
                byte[] key = new byte[32];
                random.nextBytes(key);
                long start = System.nanoTime();
                LookupResult r = await(from.dht().findClosest(key));
                long elapsed = System.nanoTime() - start;
                if (i < 0) continue;
                Set<PeerId> truth = trueClosest(key, everyone, from.peerId());
                latency.add(elapsed / 1e6);
                hops.add((double) r.hops());
                found.add((double) r.closest().stream().filter(truth::contains).count());
                requests.add((double) r.stats().requestsSent());
                failed += r.stats().requestsFailed() + r.stats().requestsTimedOut();
            }
            double cpuPerLookup = (processCpuNanos() - cpu0) / 1e9 / (lookups + warmup);
            ClosestPeersConfig c = new ClosestPeersConfig(config.alpha(), 1);
            return new Side("Ferry", nodes, c.describe(), latency, hops, found, requests, failed, cpuPerLookup);
        } finally {
            long t = System.nanoTime();
            for (FerryNode node : network) {
                try {
                    node.dht().close().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // stopping anyway
                }
                node.overlay().close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
            say("  stopped in %.1f s", seconds(t));
        }
    }

    /** How a side's lookups run: requests in flight per path, and paths. */
    private record ClosestPeersConfig(int alpha, int paths) {
        String describe() {
            return paths == 1 ? "alpha " + alpha : "alpha " + alpha + " on each of " + paths + " disjoint paths";
        }
    }

    /** The k peers closest to the key's hash, leaving out the one looking (no lookup returns itself). */
    static Set<PeerId> trueClosest(byte[] key, List<PeerId> everyone, PeerId self) {
        KadKey target = KadKey.of(key);
        return new HashSet<>(everyone.stream()
                .filter(p -> !p.equals(self))
                .sorted(Comparator.comparing(KadKey::of, target::compareDistance))
                .limit(K)
                .toList());
    }

    /** {@code count} distinct random numbers in [0, bound). */
    private List<Integer> distinctBelow(int bound, int count) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < bound; i++) all.add(i);
        java.util.Collections.shuffle(all, random);
        return all.subList(0, count);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new BenchmarkException("a Ferry bootstrap or lookup took over " + OPERATION_TIMEOUT.toSeconds() + " s");
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    // ------------------------------------------------------------------ js

    private Side jsNetwork() throws Exception {
        say("");
        say("js-libp2p: %d nodes in one Node.js process (interop/js/dht-network.mjs), %s", jsNodes, PROTOCOL);
        List<String> args = List.of(
                "--nodes", Integer.toString(jsNodes), "--lookups", Integer.toString(lookups),
                "--warmup", Integer.toString(warmup), "--seeds", Integer.toString(seeds), "--protocol", PROTOCOL, "--quiet");
        return JsNetwork.run(setup, "dht-network.mjs", args, JS_TIMEOUT, js -> {
            String started = js.awaitEvent("started");
            say("  started in %s s, %s MiB resident", JsonLine.field(started, "seconds"), JsonLine.field(started, "rss_mib"));
            String joined = js.awaitEvent("joined");
            say("  joined in %s s (each from %d earlier nodes, then its self-lookup); a second self-lookup round %s s",
                    JsonLine.field(joined, "join_seconds"), seeds, JsonLine.field(joined, "self_lookups_seconds"));
            say("  routing tables: %s min, %s median, %s max peers; %s MiB resident", JsonLine.field(joined, "routing_table_min"),
                    JsonLine.field(joined, "routing_table_median"), JsonLine.field(joined, "routing_table_max"),
                    JsonLine.field(joined, "rss_mib"));
            String summary = js.awaitSummary();
            say("  lookups done; %s MiB resident, event loop delay during lookups %s ms median, %s ms p99; %s s in all",
                    JsonLine.field(summary, "rss_mib"), JsonLine.field(summary, "event_loop_delay_p50_ms"),
                    JsonLine.field(summary, "event_loop_delay_p99_ms"), JsonLine.field(summary, "total_seconds"));
            List<Double> errors = js.numbers(summary, "errors");
            ClosestPeersConfig c = new ClosestPeersConfig((int) js.number(summary, "alpha"), (int) js.number(summary, "disjoint_paths"));
            return new Side("js-libp2p", jsNodes, c.describe(), js.numbers(summary, "latency_ms"), js.numbers(summary, "hops"),
                    js.numbers(summary, "found"), js.numbers(summary, "requests"),
                    (long) errors.stream().mapToDouble(Double::doubleValue).sum(),
                    js.number(summary, "lookup_cpu_seconds") / (lookups + warmup));
        });
    }

    // ------------------------------------------------------------------ summary

    FigureTable summary(Side ferry, Side js) {
        say("");
        say("lookups: Ferry %s; js-libp2p %s", ferry.lookupConfig(), js == null ? "skipped" : js.lookupConfig());
        say("");
        double nan = Double.NaN;
        FigureTable t = new FigureTable("metric (" + lookups + " lookups each)", "Ferry", "js-libp2p", "Ferry/js");
        t.comparison("nodes", ferry.nodes(), js == null ? nan : js.nodes(), "%.0f", false);
        t.comparison("hops, median", median(ferry.hops()), js == null ? nan : median(js.hops()), "%.1f", true);
        t.comparison("hops, p90", p90(ferry.hops()), js == null ? nan : p90(js.hops()), "%.0f", true);
        t.comparison("hops, max", max(ferry.hops()), js == null ? nan : max(js.hops()), "%.0f", true);
        t.comparison("latency ms, median", median(ferry.latencyMs()), js == null ? nan : median(js.latencyMs()), "%.1f", true);
        t.comparison("latency ms, p90", p90(ferry.latencyMs()), js == null ? nan : p90(js.latencyMs()), "%.1f", true);
        t.comparison("latency ms, max", max(ferry.latencyMs()), js == null ? nan : max(js.latencyMs()), "%.1f", true);
        t.comparison("recall: true " + K + " closest found, mean", mean(ferry.found()), js == null ? nan : mean(js.found()),
                "%.2f", true);
        t.comparison("recall, min", min(ferry.found()), js == null ? nan : min(js.found()), "%.0f", true);
        t.comparison("lookups with recall < " + GOOD_RECALL, below(ferry.found(), GOOD_RECALL),
                js == null ? nan : below(js.found(), GOOD_RECALL), "%.0f", false);
        t.comparison("requests per lookup, median", median(ferry.requests()), js == null ? nan : median(js.requests()),
                "%.1f", true);
        t.comparison("failed requests, all lookups", ferry.failedRequests(), js == null ? nan : js.failedRequests(), "%.0f", false);
        t.comparison("CPU ms per lookup (whole network)", ferry.cpuSecondsPerLookup() * 1000,
                js == null ? nan : js.cpuSecondsPerLookup() * 1000, "%.1f", true);
        return t;
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The nearest-rank 90th percentile: 90 % of the values are at most this. */
    static double p90(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[(int) Math.ceil(0.9 * v.length) - 1];
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double below(List<Double> values, int limit) {
        return values.stream().filter(v -> v < limit).count();
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
