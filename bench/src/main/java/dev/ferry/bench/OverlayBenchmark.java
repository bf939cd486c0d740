package dev.ferry.bench;

import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Ferry against js-libp2p on this machine, in one run: single-stream {@code /perf/1.0.0}
 * throughput (a server process and a client process for each, the clients taking turns) and new
 * secured connections per second. Prints every run, then the medians and their ratios against
 * the goals. The ratios are the result; absolute figures depend on the machine.
 *
 * <p>What each side measures is described in docs/BENCHMARKS.md.
 */
@Command(name = "bench/run", sortOptions = false,
        description = "Measure Ferry against js-libp2p: /perf/1.0.0 throughput and new connections per second.")
public final class OverlayBenchmark implements Callable<Integer> {
    /** Throughput goal: Ferry's median at least this many times js-libp2p's. */
    static final double THROUGHPUT_GOAL = 2.0;
    /** Handshake goal: Ferry's median new connections per second at least js-libp2p's. */
    static final double HANDSHAKE_GOAL = 1.0;
    /** Starting the Ferry server may build the project first (./ferry does that). */
    static final Duration FERRY_START_TIMEOUT = Duration.ofMinutes(15);
    static final Duration JS_START_TIMEOUT = Duration.ofMinutes(1);
    /** A perf client that takes longer than this is stuck (256 MiB each way takes seconds). */
    static final Duration PERF_TIMEOUT = Duration.ofMinutes(5);
    /** Time a handshake client has beyond its measuring seconds to start and stop. */
    static final Duration HANDSHAKE_SLACK = Duration.ofMinutes(1);
    private static final double MIB = 1024.0 * 1024.0;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
            description = "Runs of each measurement, Ferry and js taking turns (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "256MiB", converter = ByteCount.class,
            description = "Bytes uploaded and then downloaded per perf run (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--perf-warmup", paramLabel = "BYTES", defaultValue = "2GiB", converter = ByteCount.class,
            description = "For the warm perf rows: bytes each way moved, unmeasured, on the same connection before the "
                    + "measured transfer, by both clients alike (default: ${DEFAULT-VALUE}).")
    long perfWarmup;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "Seconds each handshake run lasts (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "3",
            description = "Seconds of Ferry handshakes before the first measured run, to warm the benchmark JVM's JIT; "
                    + "js warms up inside its measured run (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Mixin
    JsSetup setup = new JsSetup();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** Processes running now; the lock also keeps a process from starting once stopping began. */
    private final List<ChildProcess> children = new ArrayList<>();
    private boolean stopping;
    private Path work;

    public static void main(String[] args) {
        BenchmarkMain.run(new OverlayBenchmark(), args);
    }

    @Override
    public Integer call() throws Exception {
        measure();
        return 0;
    }

    /**
     * What one run measured: every perf run of each side, cold and warm, every handshake run's
     * rate, and the summary table of medians, ratios and goals.
     */
    record Result(long size, long perfWarmup, List<PerfRun> ferryCold, List<PerfRun> jsCold, List<PerfRun> ferryWarm,
                  List<PerfRun> jsWarm, List<Double> ferryHandshakes, List<Double> jsHandshakes, FigureTable summary) {}

    /** Runs the benchmark, printing as it goes, and returns its figures. */
    Result measure() throws Exception {
        if (runs < 1 || seconds < 1 || warmupSeconds < 0 || size < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--runs, --seconds and --size must be positive");
        }
        setup.resolve();
        Path ferry = setup.repo.resolve("ferry");
        if (!Files.isExecutable(ferry)) throw new BenchmarkException(ferry + " is missing; give the checkout with --repo");
        setup.requireNodeModules();
        long began = System.nanoTime();
        work = Files.createTempDirectory("ferry-bench-");
        Thread cleanup = new Thread(this::stopChildren, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean ok = false;
        try {
            printMachine();
            Servers servers = startServers(ferry);
            List<PerfRun> ferryPerf = new ArrayList<>();
            List<PerfRun> jsPerf = new ArrayList<>();
            List<PerfRun> ferryWarm = new ArrayList<>();
            List<PerfRun> jsWarm = new ArrayList<>();
            say("");
            say("perf: %s up, then %s down, one stream, a fresh client process per run", mib(size), mib(size));
            say("  cold: the measured transfer is the client's first; warm: after an unmeasured %s each way", mib(perfWarmup));
            say("  on the same connection (a running node is warm; a fresh JVM spends its first seconds compiling)");
            for (int i = 1; i <= runs; i++) {
                ferryPerf.add(ferryPerf(ferry, servers.ferry(), i, 0));
                jsPerf.add(jsPerf(servers.js(), i, 0));
                ferryWarm.add(ferryPerf(ferry, servers.ferry(), i, perfWarmup));
                jsWarm.add(jsPerf(servers.js(), i, perfWarmup));
            }
            say("");
            say("handshakes: sequential fresh connections (TCP, Noise, yamux), %d s per run", seconds);
            List<Double> ferryHandshakes = new ArrayList<>();
            List<Double> jsHandshakes = new ArrayList<>();
            try (HandshakeLoop loop = new HandshakeLoop(Multiaddr.parse(servers.ferry()))) {
                if (warmupSeconds > 0) {
                    HandshakeLoop.Result w = loop.run(Duration.ofSeconds(warmupSeconds));
                    say("  warm-up  Ferry  %8.1f /s  (%d in %.1f s, not counted)", w.perSecond(), w.count(),
                            w.elapsed().toNanos() / 1e9);
                }
                for (int i = 1; i <= runs; i++) {
                    ferryHandshakes.add(ferryHandshakes(loop, i));
                    jsHandshakes.add(jsHandshakes(servers.js(), i));
                }
            }
            FigureTable summary = summary(ferryPerf, jsPerf, ferryWarm, jsWarm, ferryHandshakes, jsHandshakes);
            say("");
            System.out.print(summary.text());
            say("");
            say("benchmark took %.0f s", (System.nanoTime() - began) / 1e9);
            ok = true;
            return new Result(size, perfWarmup, ferryPerf, jsPerf, ferryWarm, jsWarm, ferryHandshakes, jsHandshakes, summary);
        } finally {
            stopChildren();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (SIGTERM, Ctrl-C); the hook is stopping the children
            }
            if (ok) TempDirs.deleteTree(work);
            else System.err.println("bench: logs kept in " + work);
        }
    }

    // ------------------------------------------------------------------ servers

    private record Servers(String ferry, String js) {}

    private Servers startServers(Path ferry) throws Exception {
        say("");
        say("starting servers (./ferry builds the project first if needed)");
        ChildProcess ferryServer = start("ferry-node", List.of(ferry.toString(), "node", "--listen", "/ip4/127.0.0.1/tcp/0",
                "--enable-perf", "--no-api", "--data-dir", work.resolve("ferry-node").toString()), setup.repo);
        ChildProcess jsServer = start("js-listen", setup.node("peer.mjs",
                "listen", "--ignore-stdin"), setup.jsDir);
        String ferryAddress = ferryServer.awaitLine(
                line -> line.startsWith("listening /ip4/127.0.0.1/") ? line.substring("listening ".length()).trim() : null,
                FERRY_START_TIMEOUT);
        String jsAddress = jsServer.awaitLine(
                line -> "listening".equals(jsonField(line, "event")) ? jsonField(line, "addr") : null, JS_START_TIMEOUT);
        say("  Ferry server  %s", ferryAddress);
        say("  js server     %s", jsAddress);
        return new Servers(ferryAddress, jsAddress);
    }

    // ------------------------------------------------------------------ perf

    /** One perf client run: MiB/s each way, and the client process's whole life. */
    record PerfRun(double upload, double download, double processSeconds) {}

    private PerfRun ferryPerf(Path ferry, String server, int run, long warmup) throws Exception {
        long t0 = System.nanoTime();
        List<String> out = runToEnd("ferry-perf", List.of(ferry.toString(), "perf", server,
                "--upload", Long.toString(size), "--download", Long.toString(size), "--warmup", Long.toString(warmup)),
                setup.repo, PERF_TIMEOUT);
        double wall = (System.nanoTime() - t0) / 1e9;
        checkBytes("ferry perf", out, ferryField(out, "upload_bytes"), ferryField(out, "download_bytes"));
        PerfRun r = new PerfRun(ferryField(out, "upload_mib_s"), ferryField(out, "download_mib_s"), wall);
        printPerf("Ferry", run, warmup, r);
        return r;
    }

    private PerfRun jsPerf(String server, int run, long warmup) throws Exception {
        long t0 = System.nanoTime();
        List<String> out = runToEnd("js-perf", setup.node("peer.mjs", "dial",
                server, "perf", "--upload", Long.toString(size), "--download", Long.toString(size),
                "--warmup", Long.toString(warmup)), setup.jsDir, PERF_TIMEOUT);
        double wall = (System.nanoTime() - t0) / 1e9;
        String line = jsEvent(out, "perf");
        checkBytes("js perf", out, jsNumber(line, "upload_bytes"), jsNumber(line, "download_bytes"));
        PerfRun r = new PerfRun(jsNumber(line, "upload_mib_s"), jsNumber(line, "download_mib_s"), wall);
        printPerf("js", run, warmup, r);
        return r;
    }

    private void printPerf(String who, int run, long warmup, PerfRun r) {
        say("  run %d  %-5s %-4s  up %8.1f MiB/s  down %8.1f MiB/s  (client process %.1f s)", run, who,
                warmup == 0 ? "cold" : "warm", r.upload(), r.download(), r.processSeconds());
    }

    private void checkBytes(String what, List<String> out, double up, double down) throws BenchmarkException {
        if (up != size || down != size) {
            throw new BenchmarkException(what + " moved " + (long) up + " up and " + (long) down + " down, not " + size
                    + ":\n  " + String.join("\n  ", out));
        }
    }

    // ------------------------------------------------------------------ handshakes

    private double ferryHandshakes(HandshakeLoop loop, int run) throws Exception {
        HandshakeLoop.Result r = loop.run(Duration.ofSeconds(seconds));
        say("  run %d  %-5s  %8.1f /s  (%d; dial %.2f ms, close %.2f ms on average%s)", run, "Ferry", r.perSecond(), r.count(),
                r.avgDialMs(), r.avgCloseMs(), r.failures() == 0 ? "" : "; " + r.failures() + " dials failed");
        return r.perSecond();
    }

    private double jsHandshakes(String server, int run) throws Exception {
        List<String> out = runToEnd("js-handshakes", setup.node("peer.mjs", "dial",
                server, "handshakes", "--seconds", Integer.toString(seconds)), setup.jsDir,
                Duration.ofSeconds(seconds).plus(HANDSHAKE_SLACK));
        String line = jsEvent(out, "handshakes");
        double perSecond = jsNumber(line, "per_second");
        say("  run %d  %-5s  %8.1f /s  (%d; dial %.2f ms, close %.2f ms on average)", run, "js", perSecond,
                (long) jsNumber(line, "count"), jsNumber(line, "avg_dial_ms"), jsNumber(line, "avg_close_ms"));
        return perSecond;
    }

    // ------------------------------------------------------------------ summary

    FigureTable summary(List<PerfRun> ferryPerf, List<PerfRun> jsPerf, List<PerfRun> ferryWarm, List<PerfRun> jsWarm,
                         List<Double> ferryHs, List<Double> jsHs) {
        String medianOf = runs == 1 ? "1 run" : "median of " + runs;
        FigureTable t = new FigureTable("metric (" + medianOf + ")", "Ferry", "js-libp2p", "Ferry/js", "goal", "met?");
        row(t, "perf upload MiB/s, cold", median(ferryPerf, PerfRun::upload), median(jsPerf, PerfRun::upload), THROUGHPUT_GOAL);
        row(t, "perf download MiB/s, cold", median(ferryPerf, PerfRun::download), median(jsPerf, PerfRun::download),
                THROUGHPUT_GOAL);
        row(t, "perf upload MiB/s, warm", median(ferryWarm, PerfRun::upload), median(jsWarm, PerfRun::upload), THROUGHPUT_GOAL);
        row(t, "perf download MiB/s, warm", median(ferryWarm, PerfRun::download), median(jsWarm, PerfRun::download),
                THROUGHPUT_GOAL);
        row(t, "new secured connections/s", median(ferryHs, Double::doubleValue), median(jsHs, Double::doubleValue),
                HANDSHAKE_GOAL);
        return t;
    }

    private static void row(FigureTable t, String metric, double ferry, double js, double goal) {
        double ratio = ferry / js;
        t.row(metric, String.format(Locale.ROOT, "%.1f", ferry), String.format(Locale.ROOT, "%.1f", js),
                String.format(Locale.ROOT, "%.2f", ratio), String.format(Locale.ROOT, "Ferry/js >= %.0f", goal),
                ratio >= goal ? "yes" : "NO");
    }

    static <T> double median(List<T> values, ToDoubleFunction<T> f) {
        double[] v = values.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    // ------------------------------------------------------------------ machine

    private void printMachine() {
        say("%s", MachineInfo.describe("Ferry vs js-libp2p", setup.nodeExecutable));
    }

    // ------------------------------------------------------------------ processes

    private ChildProcess start(String name, List<String> command, Path dir) throws IOException, BenchmarkException {
        synchronized (children) {
            if (stopping) throw new BenchmarkException("stopped before " + name + " could start");
            ChildProcess p = ChildProcess.start(name, command, dir, work.resolve(name + ".log"));
            children.add(p);
            return p;
        }
    }

    private List<String> runToEnd(String name, List<String> command, Path dir, Duration timeout) throws Exception {
        ChildProcess p = start(name, command, dir);
        try {
            return p.awaitSuccess(timeout);
        } finally {
            p.close();
            synchronized (children) {
                children.remove(p);
            }
        }
    }

    /** Stops every child, at the end or from the shutdown hook (SIGTERM, Ctrl-C). */
    private void stopChildren() {
        List<ChildProcess> running;
        synchronized (children) {
            stopping = true;
            running = List.copyOf(children);
            children.clear();
        }
        for (ChildProcess p : running) p.close();
    }


    // ------------------------------------------------------------------ output parsing

    /** A string or number field of a flat JSON object line, or null. peer.mjs prints only those. */
    static String jsonField(String line, String key) {
        return JsonLine.field(line, key);
    }

    private static String jsEvent(List<String> out, String event) throws BenchmarkException {
        for (String line : out) if (event.equals(jsonField(line, "event"))) return line;
        throw new BenchmarkException("peer.mjs printed no " + event + " line:\n  " + String.join("\n  ", out));
    }

    private static double jsNumber(String line, String key) throws BenchmarkException {
        String v = jsonField(line, key);
        if (v == null) throw new BenchmarkException("peer.mjs printed no " + key + ": " + line);
        return Double.parseDouble(v);
    }

    /** A value of {@code ferry perf}'s "name value" lines. */
    private static double ferryField(List<String> out, String key) throws BenchmarkException {
        for (String line : out) {
            if (line.startsWith(key + " ")) return Double.parseDouble(line.substring(key.length() + 1).trim());
        }
        throw new BenchmarkException("ferry perf printed no " + key + ":\n  " + String.join("\n  ", out));
    }

    private static String mib(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : String.format(Locale.ROOT, "%.2f MiB", bytes / MIB);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** Byte counts: {@code 268435456}, {@code 64KiB}, {@code 256MiB}, {@code 1GiB}. */
    static final class ByteCount implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            Matcher m = Pattern.compile("(\\d+)\\s*(|b|kib|mib|gib)").matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) throw new CommandLine.TypeConversionException("'" + value + "' is not a byte count (e.g. 256MiB)");
            long unit = switch (m.group(2)) {
                case "kib" -> 1L << 10;
                case "mib" -> 1L << 20;
                case "gib" -> 1L << 30;
                default -> 1;
            };
            try {
                return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            } catch (ArithmeticException | NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is too large");
            }
        }
    }
}
