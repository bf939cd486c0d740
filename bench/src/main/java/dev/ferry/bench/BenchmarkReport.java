package dev.ferry.bench;

import dev.ferry.bench.report.Cdf;
import dev.ferry.bench.report.Chart;
import dev.ferry.bench.report.Template;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench/run report}: every benchmark in one run (perf and handshakes, DHT lookups, GossipSub
 * propagation, each Ferry beside js-libp2p; messenger delivery; the JMH micro benchmarks), then
 * docs/BENCHMARKS.md written from its template (bench/src/main/resources/.../BENCHMARKS.template.md)
 * with every table from this run, the machine, the JDK, the js-libp2p versions, the command and
 * its duration, and the charts as PNG files beside it.
 *
 * <p>The figures come from each benchmark's result object, not from its printed text; the
 * benchmarks still print as they go, so a long run shows its progress.
 */
@Command(name = "bench/run report", sortOptions = false,
        description = "Run every benchmark and write docs/BENCHMARKS.md and its charts from the results.")
public final class BenchmarkReport implements Callable<Integer> {
    /** The template, a resource beside this class's package. */
    static final String TEMPLATE = "/dev/ferry/bench/report/BENCHMARKS.template.md";
    /** Where the charts go, relative to the report; the template links them there. */
    static final String CHART_DIR = "benchmarks";
    /** The charts the template links, each written by this class: a chart missing here is a broken link there. */
    static final List<String> CHARTS = List.of("throughput.png", "pubsub-latency-cdf.png", "dht-hops.png", "dht-latency-cdf.png",
            "offline-delivery-cdf.png");

    /** Short runs of everything, to check that the report works; its figures are not worth publishing. */
    @Option(names = "--quick", description = "Small networks and short runs (a few minutes), to validate the report.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for BENCHMARKS.md and its " + CHART_DIR + "/ charts (default: REPO/docs).")
    Path out;

    @Mixin
    JsSetup setup = new JsSetup();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private String[] commandLine = new String[0];

    public static void main(String[] args) {
        BenchmarkReport report = new BenchmarkReport();
        report.commandLine = args.clone();
        BenchmarkMain.run(report, args);
    }

    // A full run takes each benchmark's defaults except the DHT's Ferry network: 100 nodes, as many
    // as js runs, so that hops compare like for like; 200 Ferry nodes after the perf run in the same
    // JVM also came near the 20,000 descriptors a process may hold here (both ends of every
    // connection are in this JVM). The whole report then takes about 15 minutes on a quiet 2-core
    // machine, 25 on a busy one.
    private List<String> overlayArgs() {
        return quick ? List.of("--runs", "1", "--size", "32MiB", "--perf-warmup", "128MiB", "--seconds", "2", "--warmup", "1")
                : List.of();
    }

    private List<String> dhtArgs() {
        return quick ? List.of("--nodes", "30", "--js-nodes", "20", "--lookups", "30", "--warmup", "5")
                : List.of("--nodes", DhtBenchmark.DEFAULT_JS_NODES);
    }

    private List<String> pubsubArgs() {
        return quick ? List.of("--nodes", "16", "--messages", "40", "--warmup-messages", "5", "--warmup", "2", "--drain", "5")
                : List.of();
    }

    private List<String> messengerArgs() {
        return quick ? List.of("--nodes", "6", "--messages", "300", "--warmup", "1", "--rounds", "1") : List.of();
    }

    private Options jmhOptions() {
        OptionsBuilder b = new OptionsBuilder();
        b.include("dev\\.ferry\\.bench\\.jmh\\..*").shouldFailOnError(true).jvmArgsPrepend("--enable-native-access=ALL-UNNAMED");
        if (quick) {
            b.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
        } else {
            b.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(1));
        }
        return b.build();
    }

    @Override
    public Integer call() throws Exception {
        setup.resolve();
        setup.requireNodeModules();
        String node = MachineInfo.nodeVersion(setup.nodeExecutable);
        if (!node.startsWith("v")) {
            throw new BenchmarkException("Node.js is needed for the js-libp2p side, and '" + setup.nodeExecutable + "' is " + node
                    + "; install Node.js 20 or newer or give --node");
        }
        Path dir = (out != null ? out : setup.repo.resolve("docs")).toAbsolutePath().normalize();
        Template template = new Template(readTemplate());
        Map<String, String> jsPackages = MachineInfo.jsPackages(setup.jsDir);
        Instant began = Instant.now();
        // The load before and after each benchmark: the machine is shared, and the report says when it was busy.
        List<Double> loads = new ArrayList<>(List.of(MachineInfo.loadAverage()));
        long t0 = System.nanoTime();

        OverlayBenchmark overlay = parse(new OverlayBenchmark(), withJs(overlayArgs()));
        OverlayBenchmark.Result perf = overlay.measure();
        loads.add(MachineInfo.loadAverage());
        DhtBenchmark dhtBench = parse(new DhtBenchmark(), withJs(dhtArgs()));
        DhtBenchmark.Result dht = dhtBench.measure();
        loads.add(MachineInfo.loadAverage());
        PubSubBenchmark pubsubBench = parse(new PubSubBenchmark(), withJs(pubsubArgs()));
        PubSubBenchmark.Result pubsub = pubsubBench.measure();
        loads.add(MachineInfo.loadAverage());
        MessengerBenchmark messengerBench = parse(new MessengerBenchmark(), messengerArgs());
        MessengerBenchmark.Result messenger = messengerBench.measure();
        loads.add(MachineInfo.loadAverage());
        FigureTable jmh = jmhTable(new Runner(jmhOptions()).run());
        loads.add(MachineInfo.loadAverage());
        double minutes = (System.nanoTime() - t0) / 60e9;

        Measured measured = new Measured(overlay, perf, dhtBench, dht, pubsubBench, pubsub, messengerBench, messenger, jmh);
        RunInfo info = new RunInfo(quick, began.truncatedTo(ChronoUnit.SECONDS).toString(), String.join(" ", commandWords()), minutes,
                loads, node, jsPackages);
        write(dir, template, measured, info);
        System.out.printf(Locale.ROOT, "%nreport: wrote %s and %d charts in %s (%.1f minutes)%n", dir.resolve("BENCHMARKS.md"),
                CHARTS.size(), dir.resolve(CHART_DIR), minutes);
        return 0;
    }

    /** Every benchmark's configured instance and its result; the JMH results as their table. */
    record Measured(OverlayBenchmark overlay, OverlayBenchmark.Result perf, DhtBenchmark dhtBench, DhtBenchmark.Result dht,
                    PubSubBenchmark pubsubBench, PubSubBenchmark.Result pubsub, MessengerBenchmark messengerBench,
                    MessengerBenchmark.Result messenger, FigureTable jmh) {}

    /** What the report says of the run itself: the machine's parts are read when the report is written. */
    record RunInfo(boolean quick, String date, String command, double minutes, List<Double> loads, String node,
                   Map<String, String> jsPackages) {}

    /** Writes the charts into {@code dir}/benchmarks/ and {@code dir}/BENCHMARKS.md from {@code template}; returns the Markdown. */
    static String write(Path dir, Template template, Measured m, RunInfo info) throws IOException {
        Path charts = dir.resolve(CHART_DIR);
        Map<String, String> v = new LinkedHashMap<>();
        perfFigures(v, m.overlay(), m.perf(), charts);
        dhtFigures(v, m.dhtBench(), m.dht(), charts);
        pubsubFigures(v, m.pubsubBench(), m.pubsub(), charts);
        messengerFigures(v, m.messengerBench(), m.messenger(), charts);
        v.put("jmh.settings", info.quick() ? "in this JVM (no fork), no warm-up, one 200 ms iteration each (`--quick`)"
                : "one fork each, 3 warm-up and 5 measured iterations of 1 s");
        v.put("jmh.table", m.jmh().markdown());
        v.put("glance", glance(m.perf(), m.dht(), m.pubsub(), m.messenger()).markdown());
        v.put("run.date", info.date());
        v.put("run.command", info.command());
        v.put("run.minutes", fmt("%.1f", info.minutes()));
        v.put("run.load", info.loads().stream().map(l -> fmt("%.1f", l)).collect(Collectors.joining(", ")));
        int cores = Runtime.getRuntime().availableProcessors();
        double peak = info.loads().stream().mapToDouble(Double::doubleValue).filter(l -> !Double.isNaN(l)).max().orElse(0);
        v.put("run.busy", peak <= cores ? "" : fmt("\n> **The machine was busy during this run**: a load average of up to %.1f on %d cores "
                + "(other jobs shared them). Absolute figures are lower and noisier than on a quiet machine; each ratio still "
                + "compares Ferry and js-libp2p measured within the same minutes, alternately where the benchmark alternates.\n",
                peak, cores));
        v.put("run.quick", info.quick() ? "\n> **This is a `--quick` run**: small networks and short runs that check the report "
                + "works. Its figures are not comparable with a full run's.\n" : "");
        v.put("machine.cpu", MachineInfo.cpuModel());
        v.put("machine.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        v.put("machine.memory", MachineInfo.memory());
        v.put("machine.os", MachineInfo.os());
        v.put("jdk", MachineInfo.jdk());
        v.put("node", info.node());
        FigureTable packages = new FigureTable("package", "version");
        info.jsPackages().forEach(packages::row);
        v.put("js.packages", packages.markdown());
        String markdown = template.fill(v);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("BENCHMARKS.md"), markdown, StandardCharsets.UTF_8);
        return markdown;
    }

    // ------------------------------------------------------------------ the benchmarks' figures

    private static void perfFigures(Map<String, String> v, OverlayBenchmark o, OverlayBenchmark.Result r, Path charts)
            throws IOException {
        v.put("perf.settings", fmt("%d run%s of each measurement, Ferry and js-libp2p taking turns; %s each way per transfer; "
                + "the warm rows after %s each way unmeasured on the same connection; %d s handshake runs after %d s of Ferry "
                + "warm-up", o.runs, o.runs == 1 ? "" : "s", mib(r.size()), mib(r.perfWarmup()), o.seconds, o.warmupSeconds));
        v.put("perf.summary", r.summary().markdown());
        FigureTable runs = new FigureTable("run", "side", "", "upload MiB/s", "download MiB/s", "client process s");
        for (int i = 0; i < r.ferryCold().size(); i++) {
            perfRow(runs, i, "Ferry", "cold", r.ferryCold().get(i));
            perfRow(runs, i, "js-libp2p", "cold", r.jsCold().get(i));
            perfRow(runs, i, "Ferry", "warm", r.ferryWarm().get(i));
            perfRow(runs, i, "js-libp2p", "warm", r.jsWarm().get(i));
        }
        v.put("perf.runs", runs.markdown());
        FigureTable hs = new FigureTable("run", "Ferry /s", "js-libp2p /s");
        for (int i = 0; i < r.ferryHandshakes().size(); i++) {
            hs.row(Integer.toString(i + 1), fmt("%.1f", r.ferryHandshakes().get(i)), fmt("%.1f", r.jsHandshakes().get(i)));
        }
        v.put("perf.handshakes", hs.markdown());
        ToDoubleFunction<List<OverlayBenchmark.PerfRun>> up = l -> OverlayBenchmark.median(l, OverlayBenchmark.PerfRun::upload);
        ToDoubleFunction<List<OverlayBenchmark.PerfRun>> down = l -> OverlayBenchmark.median(l, OverlayBenchmark.PerfRun::download);
        Chart.bars("Single-stream /perf/1.0.0 throughput, Ferry vs js-libp2p", o.runs == 1 ? "MiB/s (1 run)" : "MiB/s (median of " + o.runs + " runs)",
                List.of("upload, cold", "download, cold", "upload, warm", "download, warm"),
                List.of(Chart.Series.bars("Ferry", up.applyAsDouble(r.ferryCold()), down.applyAsDouble(r.ferryCold()),
                                up.applyAsDouble(r.ferryWarm()), down.applyAsDouble(r.ferryWarm())),
                        Chart.Series.bars("js-libp2p", up.applyAsDouble(r.jsCold()), down.applyAsDouble(r.jsCold()),
                                up.applyAsDouble(r.jsWarm()), down.applyAsDouble(r.jsWarm()))), "%.0f")
                .writePng(charts.resolve("throughput.png"));
    }

    private static void perfRow(FigureTable t, int i, String side, String temperature, OverlayBenchmark.PerfRun run) {
        t.row(Integer.toString(i + 1), side, temperature, fmt("%.1f", run.upload()), fmt("%.1f", run.download()),
                fmt("%.1f", run.processSeconds()));
    }

    private static void dhtFigures(Map<String, String> v, DhtBenchmark d, DhtBenchmark.Result r, Path charts) throws IOException {
        v.put("dht.settings", fmt("%d Ferry nodes, %d js-libp2p nodes, %d measured lookups in each after %d unmeasured, each node "
                + "joining from %d earlier ones; Ferry %s, js-libp2p %s", d.nodes, d.jsNodes, d.lookups, d.warmup, d.seeds,
                r.ferry().lookupConfig(), r.js().lookupConfig()));
        v.put("dht.summary", r.summary().markdown());
        int minHops = (int) Math.min(min(r.ferry().hops()), min(r.js().hops()));
        int maxHops = (int) Math.max(max(r.ferry().hops()), max(r.js().hops()));
        List<String> groups = IntStream.rangeClosed(minHops, maxHops).mapToObj(h -> h == 1 ? "1 hop" : h + " hops").toList();
        Chart.bars("DHT lookup hops, Ferry (" + d.nodes + " nodes) vs js-libp2p (" + d.jsNodes + " nodes)",
                "share of " + d.lookups + " lookups, %", groups,
                List.of(Chart.Series.bars("Ferry", hopShares(r.ferry().hops(), minHops, maxHops)),
                        Chart.Series.bars("js-libp2p", hopShares(r.js().hops(), minHops, maxHops))), "%.0f %%")
                .writePng(charts.resolve("dht-hops.png"));
        Chart.steps("DHT lookup latency, Ferry (" + d.nodes + " nodes) vs js-libp2p (" + d.jsNodes + " nodes)",
                "lookup latency, ms (log scale)", "share of lookups at most this fast",
                List.of(Chart.Series.cdf("Ferry", Cdf.of(r.ferry().latencyMs())), Chart.Series.cdf("js-libp2p", Cdf.of(r.js().latencyMs()))),
                true).writePng(charts.resolve("dht-latency-cdf.png"));
    }

    /** Percent of the lookups that took each number of hops, min to max. */
    static double[] hopShares(List<Double> hops, int min, int max) {
        double[] share = new double[max - min + 1];
        for (double h : hops) share[(int) h - min] += 100.0 / hops.size();
        return share;
    }

    private static void pubsubFigures(Map<String, String> v, PubSubBenchmark p, PubSubBenchmark.Result r, Path charts)
            throws IOException {
        v.put("pubsub.settings", fmt("%d nodes in each network, a ring plus %d random dials per node (seed %d); %d measured "
                + "messages after %d unmeasured, %d bytes, %.0f/s network-wide", p.nodes, p.degree, p.seed, p.messages, p.warmupMessages,
                p.size, p.rate));
        v.put("pubsub.summary", r.summary().markdown());
        Chart.steps("GossipSub propagation latency, Ferry vs js-libp2p (" + p.nodes + " nodes each)",
                "latency from publish to delivery at a node, ms (log scale)", "share of deliveries at most this late",
                List.of(Chart.Series.cdf("Ferry", Cdf.of(r.ferry().latencyMs())), Chart.Series.cdf("js-libp2p", Cdf.of(r.js().latencyMs()))),
                true).writePng(charts.resolve("pubsub-latency-cdf.png"));
    }

    private static void messengerFigures(Map<String, String> v, MessengerBenchmark m, MessengerBenchmark.Result r, Path charts)
            throws IOException {
        v.put("messenger.settings", fmt("%d nodes, %d messages of %d bytes per phase, window %d, %d warm-up and %d measured rounds",
                m.nodes, m.messages, m.size, m.window, m.warmup, m.rounds));
        v.put("messenger.rounds", r.roundsTable().markdown());
        v.put("messenger.goal", r.goalTable().markdown());
        List<Chart.Series> curves = new ArrayList<>();
        List<MessengerBenchmark.RoundResult> rounds = r.rounds();
        if (r.warmup() > 0) curves.add(Chart.Series.cdf("round 1 (cold)", Cdf.of(rounds.getFirst().returnToInboxMillis())));
        // At most the last four measured rounds, so that the legend and the palette hold.
        for (int i = Math.max(r.warmup(), rounds.size() - 4); i < rounds.size(); i++) {
            curves.add(Chart.Series.cdf("round " + (i + 1), Cdf.of(rounds.get(i).returnToInboxMillis())));
        }
        Chart.steps("Offline delivery: from the recipients' return to each message in the inbox",
                "time since the recipients came back, ms (" + m.messages / (m.nodes / 2) + " messages per recipient, "
                        + m.nodes / 2 + " recipients)", "share of the " + m.messages + " messages",
                curves, false).writePng(charts.resolve("offline-delivery-cdf.png"));
    }

    /** Each micro benchmark's score, with its parameters, mode and JMH's 99.9 % error. */
    static FigureTable jmhTable(Collection<RunResult> results) {
        FigureTable t = new FigureTable("benchmark", "parameters", "mode", "score", "± error", "unit");
        results.stream().sorted((a, b) -> label(a).compareTo(label(b))).forEach(r -> {
            var p = r.getParams();
            String name = p.getBenchmark().replaceFirst("^dev\\.ferry\\.bench\\.jmh\\.", "");
            String params = new TreeSet<>(p.getParamsKeys()).stream().map(k -> k + "=" + p.getParam(k)).collect(Collectors.joining(", "));
            var primary = r.getPrimaryResult();
            t.row("`" + name + "`", params, p.getMode().shortLabel(), score(primary.getScore()),
                    Double.isNaN(primary.getScoreError()) ? "-" : score(primary.getScoreError()), primary.getScoreUnit());
        });
        return t;
    }

    private static String label(RunResult r) {
        return r.getParams().getBenchmark() + r.getParams().getParamsKeys().stream().map(k -> r.getParams().getParam(k))
                .collect(Collectors.joining(","));
    }

    private static String score(double s) {
        return Math.abs(s) >= 100 ? fmt("%,.0f", s) : Math.abs(s) >= 10 ? fmt("%.1f", s) : fmt("%.2f", s);
    }

    /** The headline figures of every benchmark, one row each, from their tables. */
    private static FigureTable glance(OverlayBenchmark.Result perf, DhtBenchmark.Result dht, PubSubBenchmark.Result pubsub,
                                      MessengerBenchmark.Result messenger) {
        FigureTable t = new FigureTable("figure", "Ferry", "js-libp2p", "Ferry/js");
        for (String metric : List.of("perf upload MiB/s, warm", "perf download MiB/s, warm", "perf upload MiB/s, cold",
                "perf download MiB/s, cold", "new secured connections/s")) {
            t.row(metric, perf.summary().cell(metric, 1), perf.summary().cell(metric, 2), perf.summary().cell(metric, 3));
        }
        for (String metric : List.of("latency ms, median", "hops, median", "recall: true " + DhtBenchmark.K + " closest found, mean")) {
            t.row("DHT lookup " + metric, dht.summary().cell(metric, 1), dht.summary().cell(metric, 2), dht.summary().cell(metric, 3));
        }
        for (String metric : List.of("latency ms, p50", "latency ms, p99", "delivered / expected, %")) {
            t.row("GossipSub " + metric, pubsub.summary().cell(metric, 1), pubsub.summary().cell(metric, 2),
                    pubsub.summary().cell(metric, 3));
        }
        FigureTable goal = messenger.goalTable();
        for (List<String> row : goal.rows().subList(0, 2)) {
            t.row("messenger " + row.getFirst() + " (js-libp2p has no messenger)", row.get(1), "-", "");
        }
        return t;
    }

    // ------------------------------------------------------------------ plumbing

    private <T> T parse(T benchmark, List<String> args) {
        new CommandLine(benchmark).parseArgs(args.toArray(String[]::new));
        return benchmark;
    }

    /** The js options this command was given, passed on to the benchmarks that run js-libp2p. */
    private List<String> withJs(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--repo", setup.repo.toString(), "--js-dir", setup.jsDir.toString(), "--node", setup.nodeExecutable));
        return all;
    }

    /** The command as typed, without the checkout's path that bench/run adds. */
    private List<String> commandWords() {
        List<String> words = new ArrayList<>(List.of("bench/run", "report"));
        for (int i = 0; i < commandLine.length; i++) {
            if (commandLine[i].equals("--repo") && i + 1 < commandLine.length) {
                i++;
                continue;
            }
            words.add(commandLine[i]);
        }
        return words;
    }

    static String readTemplate() throws IOException {
        try (InputStream in = BenchmarkReport.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) throw new IOException("the report template " + TEMPLATE + " is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB" : fmt("%.2f MiB", bytes / 1048576.0);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
