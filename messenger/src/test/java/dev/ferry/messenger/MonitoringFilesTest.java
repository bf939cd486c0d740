package dev.ferry.messenger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the Prometheus alert rules in monitoring/ name only series that a
 * node really exports, so that a rename breaks this test rather than an operator's dashboard or,
 * worse, silences an alert. Metric names are read with regular expressions (no JSON or YAML
 * library here); the dashboard is checked to be well-formed JSON by a small parser below.
 */
class MonitoringFilesTest {
    /** Maven runs tests in the module's directory; monitoring/ is its sibling. */
    private static final Path DASHBOARD = Path.of("..", "monitoring", "grafana", "ferry-relay.json");
    private static final Path ALERTS = Path.of("..", "monitoring", "prometheus", "ferry-alerts.yml");
    /** A series name of ours or of the JVM's, as PromQL names it. */
    private static final Pattern SERIES = Pattern.compile("\\b(?:ferry|jvm|process)_[a-z0-9_]*[a-z0-9]");
    private static final Pattern EXPR_IN_JSON = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    static Path dir;

    private static MessengerTestNetwork network;
    /** Every series name the node can expose, from the registry's families: labelled ones with no child yet too. */
    private static Set<String> exported;

    @BeforeAll
    static void startANodeWithJvmMetricsAsFerryNodeRunsIt() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        FerryNode node = network.start(0, b -> b.metrics(Metrics.withJvmMetrics()));
        exported = new TreeSet<>();
        for (MetricSnapshot family : node.metrics().registry().scrape()) exported.addAll(seriesOf(family));
    }

    @AfterAll
    static void stop() {
        if (network != null) network.close();
    }

    /**
     * The names a family's samples carry in the text format. The text format leaves out a family
     * without data points (a labelled counter before its first increment), the registry does not,
     * so the dashboard may name {@code ferry_messenger_shards_not_placed_total} before any refusal.
     */
    private static List<String> seriesOf(MetricSnapshot family) {
        String name = family.getMetadata().getPrometheusName();
        return switch (family) {
            case CounterSnapshot c -> List.of(name.endsWith("_total") ? name : name + "_total");
            case HistogramSnapshot h -> List.of(name + "_bucket", name + "_count", name + "_sum");
            case SummarySnapshot s -> List.of(name, name + "_count", name + "_sum");
            case InfoSnapshot i -> List.of(name.endsWith("_info") ? name : name + "_info");
            default -> List.of(name);
        };
    }

    private static String read(Path file) throws IOException {
        assertThat(file).as("run from the messenger module's directory").exists();
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static Set<String> seriesNamedIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = SERIES.matcher(text);
        while (m.find()) names.add(m.group());
        return names;
    }

    @Test
    void theDashboardNamesOnlySeriesANodeExports() throws IOException {
        Set<String> used = seriesNamedIn(read(DASHBOARD));

        assertThat(used).as("series in the dashboard").hasSizeGreaterThan(40)
                .contains("ferry_messenger_shards_not_placed_total", "ferry_mailbox_max_stored_bytes",
                        "ferry_messenger_delivery_latency_seconds_bucket", "jvm_memory_used_bytes");
        assertThat(exported).containsAll(used);
    }

    @Test
    void theAlertRulesNameOnlySeriesANodeExports() throws IOException {
        Set<String> used = seriesNamedIn(read(ALERTS));

        assertThat(used).as("series in the alert rules")
                .contains("ferry_overlay_peers", "ferry_dht_routing_table_peers", "ferry_mailbox_stored_bytes",
                        "ferry_mailbox_max_stored_bytes", "ferry_messenger_repairs_failed_total",
                        "ferry_messenger_delivery_latency_seconds_bucket");
        assertThat(exported).containsAll(used);
    }

    @Test
    void theCheckCatchesANameNoNodeExports() {
        // A bare histogram name and a renamed counter: both look plausible, neither is a series.
        Set<String> used = seriesNamedIn("rate(ferry_messenger_delivery_latency_seconds[5m]) + rate(ferry_mailbox_stored_total[5m])");

        assertThat(used).containsExactlyInAnyOrder("ferry_messenger_delivery_latency_seconds", "ferry_mailbox_stored_total");
        assertThat(used).noneMatch(exported::contains);
    }

    @Test
    void theDashboardIsWellFormedJsonWithADataSourceInputAndAnInstanceFilterOnEveryQuery() throws IOException {
        String json = read(DASHBOARD);
        JsonSyntax.check(json);

        assertThat(json).contains("\"schemaVersion\": 39")
                .contains("\"name\": \"DS_PROMETHEUS\"")
                .contains("\"uid\": \"${DS_PROMETHEUS}\"")
                .contains("\"name\": \"instance\"");
        List<String> exprs = new ArrayList<>();
        Matcher m = EXPR_IN_JSON.matcher(json);
        while (m.find()) exprs.add(m.group(1).replace("\\\"", "\""));
        assertThat(exprs).hasSizeGreaterThan(40)
                .allSatisfy(expr -> {
                    assertThat(expr).contains("instance=~\"$instance\"");
                    assertThat(balanced(expr)).as("brackets balanced in %s", expr).isTrue();
                });
    }

    @Test
    void everyAlertRuleHasADelayASeverityASummaryAndADescription() throws IOException {
        String yaml = read(ALERTS);
        assertThat(yaml).doesNotContain("\t").startsWith("#").contains("\ngroups:\n");

        String[] rules = yaml.split("\n      - alert: ");
        List<String> names = new ArrayList<>();
        for (int i = 1; i < rules.length; i++) {
            String rule = rules[i];
            names.add(rule.substring(0, rule.indexOf('\n')));
            assertThat(rule).as(names.getLast())
                    .containsPattern("\n        expr: \\S")
                    .containsPattern("\n        for: \\d+[smh]\n")
                    .containsPattern("\n          severity: (critical|warning)\n")
                    .containsPattern("\n          summary: \".+\"\n")
                    .containsPattern("\n          description: \".+\"");
            String expr = rule.substring(rule.indexOf("expr:"), rule.indexOf("\n        for:"));
            assertThat(balanced(expr)).as("brackets balanced in %s", names.getLast()).isTrue();
        }
        assertThat(names).doesNotHaveDuplicates().contains("FerryNodeDown", "FerryPeersLow", "FerryRoutingTableSmall",
                "FerryStoreNearlyFull", "FerryRepairsFailing", "FerryDeliveryLatencyHigh");
    }

    @Test
    void theJsonCheckRefusesWhatGrafanaWouldRefuse() {
        JsonSyntax.check("{\"a\": [1, -2.5e3, true, null, \"x\\\"y\\u00e9\"], \"b\": {}}");
        for (String bad : List.of("{\"a\": 1,}", "{\"a\" 1}", "[1, 2", "{\"a\": 'x'}", "{} {}", "{\"a\": 01}")) {
            assertThatThrownBy(() -> JsonSyntax.check(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Whether (), [] and {} pair up in a PromQL expression, quoted strings aside. */
    private static boolean balanced(String expr) {
        StringBuilder open = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' && (i == 0 || expr.charAt(i - 1) != '\\')) quoted = !quoted;
            if (quoted) continue;
            int kind = "([{".indexOf(c);
            if (kind >= 0) open.append(c);
            int closing = ")]}".indexOf(c);
            if (closing >= 0) {
                if (open.isEmpty() || open.charAt(open.length() - 1) != "([{".charAt(closing)) return false;
                open.setLength(open.length() - 1);
            }
        }
        return open.isEmpty() && !quoted;
    }

    /** A JSON (RFC 8259) syntax check, nothing more: enough to know a file will import. */
    static final class JsonSyntax {
        private final String text;
        private int at;

        private JsonSyntax(String text) {
            this.text = text;
        }

        /** Throws {@link IllegalArgumentException} with the offset of the first error. */
        static void check(String text) {
            JsonSyntax parser = new JsonSyntax(text);
            parser.value();
            parser.space();
            if (parser.at != text.length()) throw parser.error("text after the value");
        }

        private void value() {
            space();
            if (at >= text.length()) throw error("a value expected");
            char c = text.charAt(at);
            switch (c) {
                case '{' -> members('}', true);
                case '[' -> members(']', false);
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> number();
            }
        }

        /** An object's members or an array's elements, from the opening bracket to {@code close}. */
        private void members(char close, boolean object) {
            at++;
            space();
            if (peek() == close) {
                at++;
                return;
            }
            while (true) {
                if (object) {
                    space();
                    if (peek() != '"') throw error("a member name expected");
                    string();
                    space();
                    expect(':');
                }
                value();
                space();
                if (peek() == close) {
                    at++;
                    return;
                }
                expect(',');
            }
        }

        private void string() {
            at++;
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') return;
                if (c < 0x20) throw error("a control character in a string");
                if (c == '\\') {
                    char e = at < text.length() ? text.charAt(at++) : 0;
                    if (e == 'u') {
                        if (at + 4 > text.length() || !text.substring(at, at + 4).matches("[0-9a-fA-F]{4}")) throw error("a bad \\u escape");
                        at += 4;
                    } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                        throw error("a bad escape");
                    }
                }
            }
            throw error("an unterminated string");
        }

        private void number() {
            Matcher m = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?").matcher(text).region(at, text.length());
            if (!m.lookingAt()) throw error("a value expected");
            at = m.end();
            if (at < text.length() && Character.isDigit(text.charAt(at))) throw error("a number with a leading zero");
        }

        private void literal(String word) {
            if (!text.startsWith(word, at)) throw error(word + " expected");
            at += word.length();
        }

        private void expect(char c) {
            if (peek() != c) throw error("'" + c + "' expected");
            at++;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : 0;
        }

        private void space() {
            while (at < text.length() && " \t\n\r".indexOf(text.charAt(at)) >= 0) at++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + at);
        }
    }
}
