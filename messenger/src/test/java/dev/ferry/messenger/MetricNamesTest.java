package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.WAIT;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.group.GroupState;
import dev.ferry.messenger.group.GroupTopic;
import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Whole nodes on loopback, after 1:1 (direct and through the mailbox) and group traffic: every
 * family and sample of every node's scrape follows the Prometheus naming conventions that the
 * dashboard and alert rules in monitoring/ rely on. A second test proves the checks catch what
 * they are for.
 */
class MetricNamesTest extends WholeNetworkTest {
    @Test
    void everySampleOfBusyNodesFollowsTheNamingConventions() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        // Node 0 exports JVM metrics too, as `ferry node` does; the others have only their layers'.
        Metrics withJvm = Metrics.withJvmMetrics();
        network.start(0, b -> b.metrics(withJvm));
        List<FerryNode> nodes = new ArrayList<>(List.of(network.node(0)));
        nodes.addAll(network.start(4));
        FerryNode alice = nodes.get(1);
        FerryNode bob = nodes.get(2);
        FerryNode carol = nodes.get(3);

        // Through the mailbox: Dave (node 4) is away when Alice writes, and fetches on his return.
        PeerId dave = network.meetThenStop(alice, 4);
        join(alice.send(dave, "while you were away"));
        await().atMost(WAIT).until(() -> alice.messaging().deliveryMetrics().sentStoredCount() == 1);
        nodes.set(4, network.start(4, UnaryOperator.identity()));
        await().atMost(WAIT).until(() -> alice.messaging().deliveryMetrics().deliveredCount() == 2);

        // Directly, and in a group with its own topic.
        join(alice.send(bob.peerId(), "hello bob"));
        await().atMost(WAIT).until(() -> bob.conversation(alice.peerId(), 0, 10).size() == 1);
        GroupState group = join(alice.createGroup("metrics"));
        byte[] id = group.groupId();
        join(alice.inviteToGroup(id, bob.peerId()));
        join(alice.inviteToGroup(id, carol.peerId()));
        List<FerryNode> members = List.of(alice, bob, carol);
        for (FerryNode member : members) await().atMost(WAIT).until(() -> haveEverySenderKey(member, id, members));
        join(alice.sendToGroup(id, "hello group"));
        for (FerryNode reader : List.of(bob, carol)) {
            await().atMost(WAIT).until(() -> reader.groupConversation(id, 0, 10).size() == 1);
        }
        // The group's topic is in the meshes (and so in any metric that would label by topic).
        await().atMost(WAIT).until(() -> alice.pubsub().metrics().meshPeers().getOrDefault(group.topic(), 0) > 0);

        Conventions conventions = new Conventions();
        for (FerryNode node : nodes) {
            String scrape = node.metrics().scrapeText();
            conventions.check(scrape, node == nodes.getFirst() ? Set.of("jvm_", "process_") : Set.of());
        }

        assertThat(conventions.violations()).isEmpty();
        assertThat(conventions.families()).as("families seen, JVM's among them")
                .contains("ferry_messenger_delivery_latency_seconds", "ferry_mailbox_stored_bytes", "ferry_pubsub_topics_joined",
                        "ferry_overlay_bytes_total", "jvm_memory_used_bytes")
                .hasSizeGreaterThan(100);
    }

    private static boolean haveEverySenderKey(FerryNode node, byte[] id, List<FerryNode> members) {
        return join(node.groups()).stream().filter(g -> java.util.Arrays.equals(g.groupId(), id)).findFirst()
                .map(g -> members.stream().allMatch(m -> m == node || g.hasSenderKey(g.epoch(), m.peerId())))
                .orElse(false);
    }

    @Test
    void theChecksCatchMillisecondsAPeerIdOrTopicLabelAndACounterWithoutTotal() {
        Metrics metrics = Metrics.create();
        metrics.gauge("ferry_foo_ms", "A duration in the wrong unit.", () -> 12);
        Histogram.builder().name("ferry_bar_latency").help("A latency without its unit.").register(metrics.registry()).observe(1);
        PeerId peer = IdentityKeyPair.generate(MessengerTestNetwork.RANDOM).peerId();
        Counter.builder().name("ferry_messages_from_total").help("By sender.").labelNames("peer").register(metrics.registry())
                .labelValues(peer.toBase58()).inc();
        Counter.builder().name("ferry_group_messages_seen_total").help("By topic.").labelNames("topic").register(metrics.registry())
                .labelValues(GroupTopic.of(new byte[16])).inc();
        Counter.builder().name("ferry_quiet_total").help("").register(metrics.registry());

        Conventions conventions = new Conventions();
        conventions.check(metrics.scrapeText(), Set.of());
        conventions.check("""
                # HELP ferry_hand_written A counter written by hand, without its suffix.
                # TYPE ferry_hand_written counter
                ferry_hand_written 3.0
                # HELP other_thing Not ours.
                # TYPE other_thing gauge
                other_thing 1.0
                """, Set.of());

        assertThat(String.join("\n", conventions.violations()))
                .contains("ferry_foo_ms: unit")
                .contains("ferry_bar_latency: a duration")
                .contains("ferry_messages_from_total{peer=")
                .contains("ferry_group_messages_seen_total{topic=")
                .contains("ferry_quiet_total: no help")
                .contains("ferry_hand_written: a counter")
                .contains("other_thing: not ferry_");
    }

    @Test
    void theChecksCatchALabelWithTooManyValuesAcrossNodes() {
        Conventions conventions = new Conventions();
        for (int node = 0; node < 3; node++) {
            Metrics metrics = Metrics.create();
            Counter c = Counter.builder().name("ferry_sequence_total").help("By sequence.").labelNames("n").register(metrics.registry());
            for (int i = 0; i < Conventions.MAX_LABEL_VALUES / 2; i++) c.labelValues("n" + (node * 100 + i)).inc();
            conventions.check(metrics.scrapeText(), Set.of());
        }

        assertThat(conventions.violations()).anyMatch(v -> v.startsWith("ferry_sequence_total: label n has 96 values"));
    }

    /**
     * The conventions, checked over one or more scrapes in the Prometheus text format (0.0.4):
     * <ul>
     *   <li>every family is {@code ferry_...}, or has a prefix the caller allows (the JVM's);
     *   <li>every family has help; counters end in {@code _total} (once), nothing else does;
     *   <li>durations are in seconds ({@code ..._duration_seconds}, {@code ..._latency_seconds}),
     *       and no name carries another unit of time or size than seconds and bytes;
     *   <li>label values are bounded: no PeerId, hex id or topic; Ferry's own are lower-case enum
     *       names; no label has more than {@link #MAX_LABEL_VALUES} values across all scrapes.
     * </ul>
     */
    static final class Conventions {
        /**
         * Values one label of one family may take, over all nodes. Ferry's biggest enum label is a
         * mailbox status (31 values); a label over this is a label over an unbounded set.
         */
        static final int MAX_LABEL_VALUES = 64;
        private static final Set<String> OTHER_UNITS = Set.of("ms", "millis", "milliseconds", "us", "micros", "microseconds",
                "ns", "nanos", "nanoseconds", "minutes", "hours", "days", "kb", "kib", "mb", "mib", "gb", "gib", "kilobytes",
                "megabytes", "gigabytes", "bits", "percent");
        private static final Set<String> DURATION_WORDS = Set.of("duration", "latency", "time", "delay", "elapsed", "age");
        private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (\\S+)");
        private static final Pattern HELP = Pattern.compile("# HELP (\\S+) ?(.*)");
        private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+( \\S+)?");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
        /** Ferry's label values: lower-case enum names. */
        private static final Pattern ENUM_VALUE = Pattern.compile("[a-z][a-z0-9_]{0,31}");
        /** Runs that look like an id: hex of 8 bytes or more, base58 of a PeerId's length. */
        private static final Pattern HEX_RUN = Pattern.compile("[0-9a-fA-F]{16,}");
        private static final Pattern BASE58_RUN = Pattern.compile("[1-9A-HJ-NP-Za-km-z]{32,}");
        /** Suffixes of a family's samples. */
        private static final List<String> SAMPLE_SUFFIXES = List.of("_bucket", "_count", "_sum", "_created", "_gcount", "_gsum");

        private final Set<String> violations = new TreeSet<>();
        private final Set<String> families = new TreeSet<>();
        private final Map<String, Set<String>> labelValues = new HashMap<>();

        /** Checks one scrape; {@code otherPrefixes} are the non-Ferry prefixes it may carry. */
        void check(String scrape, Set<String> otherPrefixes) {
            Map<String, String> types = new HashMap<>();
            Set<String> helped = new HashSet<>();
            for (String line : scrape.lines().toList()) {
                Matcher m;
                if ((m = TYPE.matcher(line)).matches()) {
                    types.put(m.group(1), m.group(2));
                    families.add(m.group(1));
                    checkFamily(m.group(1), m.group(2), otherPrefixes);
                } else if ((m = HELP.matcher(line)).matches()) {
                    if (!m.group(2).isBlank()) helped.add(m.group(1));
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    if (!(m = SAMPLE.matcher(line)).matches()) {
                        violations.add("not a sample line: " + line);
                        continue;
                    }
                    String family = familyOf(m.group(1), types.keySet());
                    if (family == null) violations.add(m.group(1) + ": sample without a # TYPE line");
                    else if (m.group(2) != null) checkLabels(family, m.group(1) + "{" + m.group(2) + "}", m.group(2));
                }
            }
            for (String family : types.keySet()) {
                if (!helped.contains(family)) violations.add(family + ": no help text");
            }
        }

        private void checkFamily(String name, String type, Set<String> otherPrefixes) {
            boolean ours = name.startsWith(Metrics.PREFIX);
            if (!ours && otherPrefixes.stream().noneMatch(name::startsWith)) violations.add(name + ": not ferry_ (nor " + otherPrefixes + ")");
            if (type.equals("counter")) {
                if (!name.endsWith("_total") || name.endsWith("_total_total")) violations.add(name + ": a counter must end in _total, once");
            } else if (name.endsWith("_total")) {
                violations.add(name + ": a " + type + " must not end in _total");
            }
            String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
            List<String> words = List.of(base.split("_"));
            for (String word : words) {
                if (OTHER_UNITS.contains(word)) violations.add(name + ": unit " + word + "; use seconds or bytes");
            }
            if (words.stream().anyMatch(DURATION_WORDS::contains) && !base.endsWith("_seconds")) {
                violations.add(name + ": a duration must be in seconds (end in _seconds)");
            }
        }

        private void checkLabels(String family, String sample, String labels) {
            Matcher m = LABEL.matcher(labels);
            int end = 0;
            while (m.find() && m.start() == end) {
                end = m.end();
                String label = m.group(1);
                String value = m.group(2);
                if (label.equals("le") || label.equals("quantile")) continue;
                labelValues.computeIfAbsent(family + " " + label, k -> new HashSet<>()).add(value);
                if (family.startsWith(Metrics.PREFIX) && !ENUM_VALUE.matcher(value).matches()) {
                    violations.add(sample + ": label " + label + " is not a lower-case enum name");
                }
                if (HEX_RUN.matcher(value).find() || BASE58_RUN.matcher(value).find() || value.contains("/")) {
                    violations.add(sample + ": label " + label + " looks like an id, a key or a topic");
                }
            }
            if (end != labels.length()) violations.add(sample + ": labels do not parse");
        }

        /** The family of sample {@code name}: itself, or itself without a histogram's or summary's suffix. */
        private static String familyOf(String name, Set<String> families) {
            if (families.contains(name)) return name;
            for (String suffix : SAMPLE_SUFFIXES) {
                if (name.endsWith(suffix)) {
                    String family = name.substring(0, name.length() - suffix.length());
                    if (families.contains(family)) return family;
                }
            }
            return null;
        }

        /** Everything broken so far, label bounds over all scrapes included. */
        List<String> violations() {
            List<String> all = new ArrayList<>(violations);
            labelValues.forEach((familyLabel, values) -> {
                if (values.size() > MAX_LABEL_VALUES) {
                    String[] parts = familyLabel.split(" ");
                    all.add(parts[0] + ": label " + parts[1] + " has " + values.size() + " values, over " + MAX_LABEL_VALUES);
                }
            });
            return all;
        }

        /** The families seen, by their exposition names. */
        Set<String> families() {
            return families;
        }
    }
}
