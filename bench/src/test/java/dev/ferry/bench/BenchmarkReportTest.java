package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.bench.report.Template;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.DoubleStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The report written from made-up results: the real template, every placeholder, the tables and the charts. */
class BenchmarkReportTest {
    @TempDir
    Path dir;

    private final Random random = new Random(7);

    @Test
    void shouldFillEveryPlaceholderOfTheTemplate() throws Exception {
        String markdown = BenchmarkReport.write(dir, new Template(BenchmarkReport.readTemplate()), measured(), info());

        assertThat(markdown).doesNotContain("{{").doesNotContain("}}");
        assertThat(Files.readString(dir.resolve("BENCHMARKS.md"))).isEqualTo(markdown);
        assertThat(markdown).contains("| perf upload MiB/s, warm | 900.0 | 300.0 | 3.00 | Ferry/js >= 2 | yes |");
        assertThat(markdown).contains("| libp2p | 3.3.11 |");
        assertThat(markdown).contains("`bench/run report`");
    }

    @Test
    void shouldSayWhenTheMachineWasBusy() throws Exception {
        Template template = new Template(BenchmarkReport.readTemplate());
        int cores = Runtime.getRuntime().availableProcessors();

        assertThat(BenchmarkReport.write(dir, template, measured(), info())).doesNotContain("The machine was busy");
        BenchmarkReport.RunInfo busy = new BenchmarkReport.RunInfo(false, "2026-12-07T18:00:00Z", "bench/run report", 14.2,
                List.of(0.5, cores + 1.0, 1.0), "v20.20.2", Map.of("libp2p", "3.3.11"));
        assertThat(BenchmarkReport.write(dir, template, measured(), busy)).contains("The machine was busy during this run")
                .contains(String.format(java.util.Locale.ROOT, "up to %.1f on %d cores", cores + 1.0, cores));
    }

    @Test
    void shouldFailWhenTheTemplateHasAPlaceholderTheReportDoesNotFill() {
        Template template = new Template("{{glance}} {{not.measured}}");

        assertThatThrownBy(() -> BenchmarkReport.write(dir, template, measured(), info()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not.measured");
    }

    @Test
    void shouldWriteWellFormedMarkdownTables() throws Exception {
        String markdown = BenchmarkReport.write(dir, new Template(BenchmarkReport.readTemplate()), measured(), info());
        List<String> lines = markdown.lines().toList();
        boolean fenced = false;
        int tables = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("```")) fenced = !fenced;
            if (fenced || !lines.get(i).startsWith("|")) continue;
            // A table starts after a blank line, has a separator row, and every row as many cells as its header.
            assertThat(lines.get(i - 1)).as("line before the table at line %d", i + 1).isBlank();
            assertThat(lines.get(i + 1)).as("separator of the table at line %d", i + 1).matches("\\|(-{3,}:?\\|)+");
            int cells = cells(lines.get(i));
            assertThat(cells(lines.get(i + 1))).isEqualTo(cells);
            int j = i + 2;
            for (; j < lines.size() && lines.get(j).startsWith("|"); j++) {
                assertThat(cells(lines.get(j))).as("cells in line %d: %s", j + 1, lines.get(j)).isEqualTo(cells);
            }
            assertThat(j == lines.size() || lines.get(j).isBlank()).as("blank line after the table ending at line %d", j).isTrue();
            tables++;
            i = j;
        }
        assertThat(tables).isGreaterThanOrEqualTo(12);
    }

    @Test
    void shouldLinkEveryChartItWritesAndWriteEveryChartItLinks() throws Exception {
        String markdown = BenchmarkReport.write(dir, new Template(BenchmarkReport.readTemplate()), measured(), info());
        Matcher link = Pattern.compile("!\\[[^]]*]\\(([^)]+)\\)").matcher(markdown);
        List<String> linked = new ArrayList<>();
        while (link.find()) linked.add(link.group(1));

        assertThat(linked).isNotEmpty();
        for (String path : linked) {
            BufferedImage image = ImageIO.read(dir.resolve(path).toFile());
            assertThat(image).as(path).isNotNull();
            assertThat(image.getWidth()).isGreaterThan(500);
        }
        assertThat(linked.stream().map(p -> p.replaceFirst("^" + BenchmarkReport.CHART_DIR + "/", "")).distinct())
                .containsExactlyInAnyOrderElementsOf(BenchmarkReport.CHARTS);
        try (var files = Files.list(dir.resolve(BenchmarkReport.CHART_DIR))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(BenchmarkReport.CHARTS);
        }
    }

    @Test
    void shouldShareHopsInPercentOfLookups() {
        assertThat(BenchmarkReport.hopShares(List.of(1.0, 2.0, 2.0, 3.0), 1, 3)).containsExactly(25, 50, 25);
    }

    /** Unescaped pipes of a Markdown table row, one more than its cells. */
    private static int cells(String row) {
        return row.replace("\\|", "").length() - row.replace("\\|", "").replace("|", "").length();
    }

    private BenchmarkReport.RunInfo info() {
        return new BenchmarkReport.RunInfo(false, "2026-12-07T18:00:00Z", "bench/run report", 14.2, List.of(0.5, 1.1, 0.9, 1.0, 1.2, 0.8),
                "v20.20.2", Map.of("libp2p", "3.3.11"));
    }

    private BenchmarkReport.Measured measured() {
        OverlayBenchmark overlay = parse(new OverlayBenchmark(), "--runs", "2");
        List<OverlayBenchmark.PerfRun> ferryCold = List.of(new OverlayBenchmark.PerfRun(400, 700, 2), new OverlayBenchmark.PerfRun(420, 650, 2));
        List<OverlayBenchmark.PerfRun> jsCold = List.of(new OverlayBenchmark.PerfRun(350, 340, 2), new OverlayBenchmark.PerfRun(360, 330, 2));
        List<OverlayBenchmark.PerfRun> ferryWarm = List.of(new OverlayBenchmark.PerfRun(900, 1100, 6), new OverlayBenchmark.PerfRun(900, 1200, 6));
        List<OverlayBenchmark.PerfRun> jsWarm = List.of(new OverlayBenchmark.PerfRun(300, 400, 12), new OverlayBenchmark.PerfRun(300, 420, 12));
        List<Double> ferryHs = List.of(800.0, 850.0);
        List<Double> jsHs = List.of(140.0, 150.0);
        OverlayBenchmark.Result perf = new OverlayBenchmark.Result(overlay.size, overlay.perfWarmup, ferryCold, jsCold, ferryWarm, jsWarm,
                ferryHs, jsHs, overlay.summary(ferryCold, jsCold, ferryWarm, jsWarm, ferryHs, jsHs));

        DhtBenchmark dhtBench = parse(new DhtBenchmark());
        DhtBenchmark.Side ferryDht = new DhtBenchmark.Side("Ferry", 200, "alpha 3", samples(200, 25, 10), hops(200, 2, 3),
                constant(200, 20), constant(200, 23), 0, 0.04);
        DhtBenchmark.Side jsDht = new DhtBenchmark.Side("js-libp2p", 100, "alpha 10 on each of 10 disjoint paths", samples(200, 250, 200),
                hops(200, 1, 2), constant(200, 20), constant(200, 21), 0, 0.4);
        DhtBenchmark.Result dht = new DhtBenchmark.Result(ferryDht, jsDht, dhtBench.summary(ferryDht, jsDht));

        PubSubBenchmark pubsubBench = parse(new PubSubBenchmark());
        PubSubBenchmark.Side ferryPs = new PubSubBenchmark.Side(samples(5800, 2, 3), 5800, 34000, 35000, 0, 5, 3.9);
        PubSubBenchmark.Side jsPs = new PubSubBenchmark.Side(samples(5800, 7, 20), 5800, 24000, 25000, 0, 52, 7.2);
        PubSubBenchmark.Result pubsub = new PubSubBenchmark.Result(ferryPs, jsPs, pubsubBench.summary(ferryPs, jsPs));

        MessengerBenchmark messengerBench = parse(new MessengerBenchmark());
        List<MessengerBenchmark.RoundResult> rounds = new ArrayList<>();
        for (int r = 0; r < messengerBench.warmup + messengerBench.rounds; r++) {
            rounds.add(new MessengerBenchmark.RoundResult(2000 + r, 1900 + r, 1.9, 0.6, 1000, 2500, 0.2, samples(4000, 1000, 400),
                    samples(4000, 100, 50)));
        }
        MessengerBenchmark.Result messenger = messengerBench.summary(rounds);

        FigureTable jmh = new FigureTable("benchmark", "parameters", "mode", "score", "± error", "unit")
                .row("`RatchetBenchmark.steadyStatePair`", "", "avgt", "4.30", "0.40", "us/op");
        return new BenchmarkReport.Measured(overlay, perf, dhtBench, dht, pubsubBench, pubsub, messengerBench, messenger, jmh);
    }

    private static <T> T parse(T benchmark, String... args) {
        new CommandLine(benchmark).parseArgs(args);
        return benchmark;
    }

    private List<Double> samples(int n, double median, double spread) {
        return DoubleStream.generate(() -> Math.max(0.1, median + spread * random.nextGaussian())).limit(n).boxed().toList();
    }

    private List<Double> hops(int n, int low, int high) {
        return random.ints(n, low, high + 1).asDoubleStream().boxed().toList();
    }

    private static List<Double> constant(int n, double value) {
        return DoubleStream.generate(() -> value).limit(n).boxed().toList();
    }
}
