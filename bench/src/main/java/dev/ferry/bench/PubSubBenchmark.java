package dev.ferry.bench;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.pubsub.router.GossipSubConfig;
import dev.ferry.pubsub.router.GossipSubMetrics;
import dev.ferry.pubsub.router.GossipSubRouter;
import dev.ferry.pubsub.router.ReceivedMessage;
import io.netty.channel.EventLoopGroup;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * GossipSub propagation in a network of Ferry nodes and in a network of js-libp2p nodes, in one
 * run, side by side: latency from publish to receipt at every other node, delivery completeness,
 * and message copies sent over the wire per delivery.
 *
 * <p>Both networks have the same random connected sparse topology (a ring, plus each node dialling
 * {@code --degree} random others, drawn from {@code --seed}) and the same publishers, message by
 * message. The Ferry network runs in this JVM, each node a host with a {@link GossipSubRouter}
 * with {@link GossipSubConfig#defaults()}, all hosts sharing one small event loop group, over real
 * TCP on loopback. The js network runs in one Node.js process ({@code interop/js/pubsub-network.mjs}),
 * after the Ferry network is closed. Each side reads one clock for publish and receipt times (this
 * JVM's {@link System#nanoTime()}; the Node.js process's {@code performance.now()}).
 * docs/BENCHMARKS.md says what each figure means. There is no goal: the benchmark prints figures
 * and ratios.
 */
@Command(name = "bench/run pubsub", sortOptions = false,
        description = "GossipSub propagation in a Ferry network and a js-libp2p network: latency, completeness, copies per delivery.")
public final class PubSubBenchmark implements Callable<Integer> {
    /** The one topic every node joins. */
    static final String TOPIC = "ferry-bench";
    /** Event loop threads all Ferry hosts share: the machine's cores, as one node would use. */
    static final int EVENT_LOOP_THREADS = 2;
    /** One dial or subscribe on loopback takes milliseconds; this long means it is stuck. */
    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(60);
    /** The whole js run: start, connect, warm-up, publishing and draining. */
    static final Duration JS_TIMEOUT = Duration.ofMinutes(30);
    /** Bytes at the start of each message that hold its index, so a receiver knows which it got. */
    static final int INDEX_BYTES = 4;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "30",
            description = "Nodes in each network (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--degree", paramLabel = "D", defaultValue = "3",
            description = "Random other nodes each node dials, besides its ring neighbour (default: ${DEFAULT-VALUE}).")
    int degree;

    @Option(names = "--messages", paramLabel = "M", defaultValue = "200",
            description = "Measured messages in each network (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--warmup-messages", paramLabel = "W", defaultValue = "20",
            description = "Unmeasured messages before the measured ones (default: ${DEFAULT-VALUE}).")
    int warmupMessages;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "256",
            description = "Message payload size, at least " + INDEX_BYTES + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "20",
            description = "Messages published per second, network-wide (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5",
            description = "Wait after connecting, for the meshes to form: heartbeats are 1 s (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "10",
            description = "Longest wait for missing deliveries after the last publish (default: ${DEFAULT-VALUE}).")
    double drainSeconds;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the topology and of the choice of publishers (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-js", description = "Run the Ferry network only.")
    boolean noJs;

    @Mixin
    JsSetup setup = new JsSetup();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    public static void main(String[] args) {
        BenchmarkMain.run(new PubSubBenchmark(), args);
    }

    @Override
    public Integer call() throws Exception {
        measure();
        return 0;
    }

    /** What one run measured: each network's deliveries (js null with --no-js) and the summary table. */
    record Result(Side ferry, Side js, FigureTable summary) {}

    /** Runs the benchmark, printing as it goes, and returns its figures. */
    Result measure() throws Exception {
        if (nodes < 3 || degree < 0 || degree > nodes - 3 || messages < 1 || warmupMessages < 0 || size < INDEX_BYTES
                || !(rate > 0) || warmupSeconds < 0 || drainSeconds < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--nodes must be at least 3, --degree at most nodes - 3, --messages at least 1, --size at least "
                            + INDEX_BYTES + ", --rate above 0");
        }
        setup.resolve();
        if (!noJs) setup.requireNodeModules();
        long began = System.nanoTime();
        Random random = new Random(seed);
        List<int[]> edges = topology(nodes, degree, random);
        int[] publishers = new int[warmupMessages + messages];
        for (int m = 0; m < publishers.length; m++) publishers[m] = random.nextInt(nodes);

        say("%s", MachineInfo.describe("GossipSub propagation, Ferry vs js-libp2p", setup.nodeExecutable));
        say("  %d nodes; topology: a ring plus %d random dials per node, %d connections (seed %d); one topic",
                nodes, degree, edges.size(), seed);
        say("  %d measured messages after %d unmeasured, %d bytes, %.0f/s network-wide, each from a random node; "
                + "%.0f s for the meshes before", messages, warmupMessages, size, rate, warmupSeconds);

        Side ferry = ferryNetwork(edges, publishers);
        Side js = noJs ? null : jsNetwork(edges, publishers);
        FigureTable summary = summary(ferry, js);
        say("");
        say("benchmark took %.0f s", (System.nanoTime() - began) / 1e9);
        return new Result(ferry, js, summary);
    }

    /**
     * A connected sparse topology: the ring i → i+1, then each node dials {@code degree} random
     * nodes it has no connection with yet (fewer when others' dials already linked it to nearly
     * everyone). Each edge is {from, to}: from dials to.
     */
    static List<int[]> topology(int n, int degree, Random random) {
        Set<Long> linked = new LinkedHashSet<>();
        List<int[]> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) addEdge(i, (i + 1) % n, n, linked, edges);
        for (int i = 0; i < n; i++) {
            List<Integer> unlinked = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j != i && !linked.contains(edgeKey(i, j, n))) unlinked.add(j);
            }
            Collections.shuffle(unlinked, random);
            for (int j : unlinked.subList(0, Math.min(degree, unlinked.size()))) addEdge(i, j, n, linked, edges);
        }
        return edges;
    }

    private static boolean addEdge(int from, int to, int n, Set<Long> linked, List<int[]> edges) {
        if (!linked.add(edgeKey(from, to, n))) return false;
        edges.add(new int[] {from, to});
        return true;
    }

    private static long edgeKey(int a, int b, int n) {
        return (long) Math.min(a, b) * n + Math.max(a, b);
    }

    // ------------------------------------------------------------------ figures

    /**
     * One network's measured messages.
     *
     * @param latencyMs publish-to-receipt times of all delivered (message, receiver) pairs
     * @param expectedPairs measured messages times the nodes other than the publisher
     * @param copiesReceived messages in RPCs received by all nodes, duplicates included
     * @param rpcsSent RPCs all nodes sent during the measured phase, control and gossip included
     * @param appDuplicates (message, node) pairs handed to the application more than once
     */
    record Side(List<Double> latencyMs, long expectedPairs, long copiesReceived,
                        long rpcsSent, long appDuplicates, double drainMs, double cpuSeconds) {
        long deliveredPairs() {
            return latencyMs.size();
        }
    }

    // ------------------------------------------------------------------ Ferry

    /** A Ferry node of the benchmark network. */
    private record FerryNode(OverlayNode overlay, GossipSubRouter router) {
        Multiaddr fullAddress() {
            return overlay.host().listenAddresses().getFirst().withPeerId(overlay.host().peerId());
        }
    }

    private Side ferryNetwork(List<int[]> edges, int[] publishers) throws Exception {
        say("");
        say("Ferry: %d nodes in this JVM, %d shared event loop threads, GossipSubConfig.defaults()", nodes, EVENT_LOOP_THREADS);
        SecureRandom keys = new SecureRandom();
        EventLoopGroup group = NettyHost.newEventLoopGroup(EVENT_LOOP_THREADS);
        List<FerryNode> network = new ArrayList<>();
        // received[m * nodes + i]: System.nanoTime() when node i got message m, 0 if it did not
        AtomicLongArray received = new AtomicLongArray(publishers.length * nodes);
        long[] publishedAt = new long[publishers.length];
        AtomicLong appDuplicates = new AtomicLong();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < nodes; i++) {
                IdentityKeyPair identity = IdentityKeyPair.generate(keys);
                OverlayNode overlay = OverlayNode.create(HostConfig.builder(identity).sharedEventLoops(group).build(), false);
                GossipSubRouter router = GossipSubRouter.create(overlay.host(), identity, GossipSubConfig.defaults(),
                        Metrics.create()).start();
                network.add(new FerryNode(overlay, router));
                await(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                int node = i;
                // on the router thread: record and return, nothing more
                await(router.subscribe(TOPIC, msg -> {
                    long now = System.nanoTime();
                    int m = indexOf(msg);
                    if (m < 0 || m >= publishers.length) return;
                    if (!received.compareAndSet(m * nodes + node, 0, now)) appDuplicates.incrementAndGet();
                }));
            }
            say("  started in %.1f s", seconds(t0));

            long t1 = System.nanoTime();
            List<CompletableFuture<?>> dials = new ArrayList<>();
            for (int[] e : edges) dials.add(network.get(e[0]).overlay().host().dial(network.get(e[1]).fullAddress()));
            await(CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)));
            double connectSeconds = seconds(t1);
            Thread.sleep((long) (warmupSeconds * 1000));
            int[] mesh = new int[nodes];
            int[] topicPeers = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                mesh[i] = await(network.get(i).router().meshPeers(TOPIC)).size();
                topicPeers[i] = await(network.get(i).router().topicPeers(TOPIC)).size();
            }
            say("  connected in %.1f s; after %.0f s: %s", connectSeconds, warmupSeconds, meshes(mesh, topicPeers));

            Phase<FerryNode> publish = (m, from) -> {
                byte[] data = new byte[size];
                ByteBuffer.wrap(data).putInt(m);
                publishedAt[m] = System.nanoTime();
                from.router().publish(TOPIC, data).whenComplete((r, e) -> {
                    if (e != null) System.err.println("bench: publishing message " + m + ": " + e);
                });
            };
            runPhase(network, publishers, 0, warmupMessages, publish, received);
            long[] before = counters(network);
            long cpu0 = processCpuNanos();
            double drainMs = runPhase(network, publishers, warmupMessages, publishers.length, publish, received);
            double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
            long[] after = counters(network);
            // the routers count what they received; the subscribers do not see duplicates
            say("  published and drained; %d messages delivered, %d duplicates dropped by the routers",
                    after[2] - before[2], after[3] - before[3]);

            List<Double> latency = new ArrayList<>();
            for (int m = warmupMessages; m < publishers.length; m++) {
                for (int i = 0; i < nodes; i++) {
                    long t = received.get(m * nodes + i);
                    if (i != publishers[m] && t != 0) latency.add((t - publishedAt[m]) / 1e6);
                }
            }
            return new Side(latency, (long) messages * (nodes - 1), after[0] - before[0],
                    after[1] - before[1], appDuplicates.get(), drainMs, cpuSeconds);
        } finally {
            long t = System.nanoTime();
            for (FerryNode node : network) node.router().close();
            for (FerryNode node : network) node.overlay().close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
            say("  stopped in %.1f s", seconds(t));
        }
    }

    /** Publishes message {@code m} from {@code node}, recording when. */
    private interface Phase<T> {
        void publish(int m, T node) throws Exception;
    }

    /**
     * Publishes messages [from, to) at {@code --rate}, then waits until every other node has each,
     * or {@code --drain} seconds. Returns the milliseconds waited after the last publish.
     */
    private <T> double runPhase(List<T> network, int[] publishers, int from, int to, Phase<T> phase,
                                AtomicLongArray received) throws Exception {
        long start = System.nanoTime();
        for (int m = from; m < to; m++) {
            // paced against the start, so one late wake-up does not slow the whole schedule down
            long due = start + (long) ((m - from) * 1e9 / rate);
            for (long left; (left = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
            phase.publish(m, network.get(publishers[m]));
        }
        long last = System.nanoTime();
        long deadline = last + (long) (drainSeconds * 1e9);
        long want = (long) (to - from) * (nodes - 1);
        while (System.nanoTime() < deadline) {
            long got = 0;
            for (int m = from; m < to; m++) {
                for (int i = 0; i < nodes; i++) if (received.get(m * nodes + i) != 0) got++;
            }
            if (got >= want) break;
            Thread.sleep(5);
        }
        return (System.nanoTime() - last) / 1e6;
    }

    /** The message's index from its first bytes, or -1 for a message this benchmark did not send. */
    private static int indexOf(ReceivedMessage msg) {
        byte[] data = msg.data();
        return data.length < INDEX_BYTES ? -1 : ByteBuffer.wrap(data).getInt();
    }

    /** Summed over the network: copies received, RPCs sent, messages delivered, duplicates. */
    private static long[] counters(List<FerryNode> network) {
        long[] sum = new long[4];
        for (FerryNode node : network) {
            GossipSubMetrics m = node.router().metrics();
            sum[0] += m.messagesReceived();
            sum[1] += m.rpcsSent();
            sum[2] += m.messagesDelivered();
            sum[3] += m.messagesDuplicate();
        }
        return sum;
    }

    private static String meshes(int[] mesh, int[] topicPeers) {
        int[] a = mesh.clone();
        int[] b = topicPeers.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        return String.format(Locale.ROOT, "mesh peers %d min, %d median, %.2f mean, %d max; topic peers %d min, %d median",
                a[0], a[a.length / 2], Arrays.stream(a).average().orElse(0), a[a.length - 1], b[0], b[b.length / 2]);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new BenchmarkException("a Ferry dial or router call took over " + OPERATION_TIMEOUT.toSeconds() + " s");
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    // ------------------------------------------------------------------ js

    private Side jsNetwork(List<int[]> edges, int[] publishers) throws Exception {
        say("");
        say("js-libp2p: %d nodes in one Node.js process (interop/js/pubsub-network.mjs), gossipsub defaults "
                + "but loopback left out of IP colocation scoring, as in Ferry's", nodes);
        List<String> args = List.of(
                "--nodes", Integer.toString(nodes),
                "--edges", edges.stream().map(e -> e[0] + ":" + e[1]).collect(Collectors.joining(",")),
                "--publishers", Arrays.stream(publishers).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                "--warmup-messages", Integer.toString(warmupMessages), "--size", Integer.toString(size),
                "--rate", Double.toString(rate), "--warmup", Double.toString(warmupSeconds),
                "--drain", Double.toString(drainSeconds), "--topic", TOPIC);
        return JsNetwork.run(setup, "pubsub-network.mjs", args, JS_TIMEOUT, js -> {
            String started = js.awaitEvent("started");
            say("  started in %s s, %s MiB resident", JsonLine.field(started, "seconds"), JsonLine.field(started, "rss_mib"));
            String m = js.awaitEvent("meshes");
            String meshes = String.format(Locale.ROOT, "mesh peers %s min, %s median, %s mean, %s max; topic peers %s min, %s median",
                    JsonLine.field(m, "mesh_min"), JsonLine.field(m, "mesh_median"), JsonLine.field(m, "mesh_mean"),
                    JsonLine.field(m, "mesh_max"),
                    JsonLine.field(m, "topic_peers_min"), JsonLine.field(m, "topic_peers_median"));
            say("  connected in %s s; after %.0f s: %s", JsonLine.field(m, "connect_seconds"), warmupSeconds, meshes);
            String s = js.awaitSummary();
            say("  published and drained; %s MiB resident, event loop delay while publishing %s ms median, %s ms p99; %s s in all",
                    JsonLine.field(s, "rss_mib"), JsonLine.field(s, "event_loop_delay_p50_ms"),
                    JsonLine.field(s, "event_loop_delay_p99_ms"), JsonLine.field(s, "total_seconds"));
            return new Side(js.numbers(s, "latency_ms"), (long) js.number(s, "expected_pairs"),
                    (long) js.number(s, "copies_received"), (long) js.number(s, "rpcs_sent"), (long) js.number(s, "app_duplicates"),
                    js.number(s, "drain_ms"), js.number(s, "cpu_seconds"));
        });
    }

    // ------------------------------------------------------------------ summary

    FigureTable summary(Side ferry, Side js) {
        say("");
        double nan = Double.NaN;
        FigureTable t = new FigureTable("metric (" + messages + " messages each)", "Ferry", "js-libp2p", "Ferry/js");
        double[] f = sorted(ferry.latencyMs());
        double[] j = js == null ? null : sorted(js.latencyMs());
        t.comparison("latency ms, p50", percentile(f, 50), j == null ? nan : percentile(j, 50), "%.2f", true);
        t.comparison("latency ms, p90", percentile(f, 90), j == null ? nan : percentile(j, 90), "%.2f", true);
        t.comparison("latency ms, p99", percentile(f, 99), j == null ? nan : percentile(j, 99), "%.2f", true);
        t.comparison("latency ms, max", percentile(f, 100), j == null ? nan : percentile(j, 100), "%.2f", true);
        t.comparison("deliveries (message, receiver)", ferry.deliveredPairs(), js == null ? nan : js.deliveredPairs(), "%.0f", false);
        t.comparison("delivered / expected, %", 100.0 * ferry.deliveredPairs() / ferry.expectedPairs(),
                js == null ? nan : 100.0 * js.deliveredPairs() / js.expectedPairs(), "%.2f", true);
        t.comparison("copies received per delivery", perDelivery(ferry.copiesReceived(), ferry),
                js == null ? nan : perDelivery(js.copiesReceived(), js), "%.2f", true);
        t.comparison("RPCs sent per delivery", perDelivery(ferry.rpcsSent(), ferry),
                js == null ? nan : perDelivery(js.rpcsSent(), js), "%.2f", true);
        t.comparison("delivered twice to the application", ferry.appDuplicates(), js == null ? nan : js.appDuplicates(),
                "%.0f", false);
        t.comparison("wait after the last publish, ms", ferry.drainMs(), js == null ? nan : js.drainMs(), "%.0f", false);
        t.comparison("CPU s, publishing and draining", ferry.cpuSeconds(), js == null ? nan : js.cpuSeconds(), "%.2f", true);
        System.out.print(t.text());
        if (ferry.deliveredPairs() < ferry.expectedPairs() || ferry.appDuplicates() > 0) {
            say("");
            say("Ferry: %d of %d deliveries missing, %d delivered twice to the application",
                    ferry.expectedPairs() - ferry.deliveredPairs(), ferry.expectedPairs(), ferry.appDuplicates());
        }
        return t;
    }

    private static double perDelivery(long count, Side side) {
        return side.deliveredPairs() == 0 ? Double.NaN : (double) count / side.deliveredPairs();
    }

    private static double[] sorted(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** The nearest-rank percentile: {@code q} % of the values are at most this; NaN if there are none. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.max(0, (int) Math.ceil(q / 100 * sorted.length) - 1)];
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
