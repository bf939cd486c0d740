package dev.ferry.interop.netns;

import static dev.ferry.interop.netns.FerryHosts.DELIVERY;
import static dev.ferry.interop.netns.FerryHosts.START;
import static dev.ferry.interop.netns.FerryHosts.concat;
import static dev.ferry.interop.netns.FerryHosts.inParallel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ferry on ten hosts (see {@link NetnsNetwork}) when the network between them goes wrong: delay
 * with jitter and loss, a partition, a holder killed and another's disk wiped. Every node is a
 * {@code ferry node} process: a seed relay, six more relays and three personal nodes (alice, bob,
 * carol), all checking their mailboxes every five seconds ({@code --repair-interval 5s}) so that
 * repair shows within the test. Each test checks that every message arrives exactly once, reading
 * the recipients' conversations through their API, and prints what it measured. Skipped where
 * namespaces cannot be made.
 */
@Tag("interop")
@Tag("multihost")
class NetworkFaultsTest {
    private static final int HOSTS = 10;
    private static final int SEED = 1;
    private static final int LAST_RELAY = 7;
    private static final int ALICE = 8;
    private static final int BOB = 9;
    private static final int CAROL = 10;
    private static final Duration REPAIR_INTERVAL = Duration.ofSeconds(5);
    /** The example of a poor network: 80 ms +/- 20 ms each way through the router, 2% of packets lost. */
    private static final Duration DELAY = Duration.ofMillis(80);
    private static final Duration JITTER = Duration.ofMillis(20);
    private static final double LOSS_PERCENT = 2;
    /** 4 data + 2 parity shards per stored envelope (the default erasure code). */
    private static final int SHARDS_PER_ENVELOPE = 6;

    @TempDir
    Path dir;

    private FerryHosts hosts;
    private final List<String> bootstrap = new ArrayList<>();
    private final Map<Integer, String> ids = new HashMap<>();

    @AfterEach
    void tearDown() throws Exception {
        if (hosts != null) hosts.close();
    }

    @Test
    void everyMessageArrivesOnceOverADelayedLossyReorderingNetwork() throws Exception {
        startNetwork();

        List<Duration> clean = sendAndMeasure(ALICE, BOB, "clean", 5);
        hosts.network().impair(DELAY, JITTER, LOSS_PERCENT);
        hosts.phase("network impaired: " + DELAY.toMillis() + " ms +/- " + JITTER.toMillis() + " ms, " + LOSS_PERCENT + "% loss");
        List<Duration> impaired = sendAndMeasure(ALICE, BOB, "impaired", 5);
        List<Duration> back = sendAndMeasure(BOB, ALICE, "impaired reply", 3);

        String group = createGroup("lossy", BOB, CAROL);
        List<Duration> groupLatency = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String text = "lossy group " + i;
            hosts.ok(ALICE, "group", "send", "lossy", text);
            for (int member : List.of(BOB, CAROL)) groupLatency.add(awaitGroupMessage(member, group, text));
        }
        hosts.phase("group messages arrived");

        // store and forward over the same poor network: bob away while alice sends
        assertThat(hosts.node(BOB).terminate()).as(hosts.node(BOB).describe()).isZero();
        for (int i = 1; i <= 3; i++) hosts.ok(ALICE, "send", "bob", "stored " + i);
        startPersonal(BOB, "bob again");
        hosts.awaitJoined(BOB);
        for (int i = 1; i <= 3; i++) awaitOnce(BOB, ALICE, "stored " + i);

        // nothing arrived twice, in either direction or in the group
        assertExactlyOnce(BOB, ALICE, texts("clean", 5), texts("impaired", 5), texts("stored", 3));
        assertExactlyOnce(ALICE, BOB, texts("impaired reply", 3));
        for (int member : List.of(BOB, CAROL)) assertGroupExactlyOnce(member, group, texts("lossy group", 3));

        Map<String, Double> stats = hosts.network().delayLineStats();
        assertThat(stats.get("lost")).as("packets the delay line dropped: " + stats).isPositive();
        assertThat(stats.get("reordered")).as("packets the delay line reordered: " + stats).isPositive();
        System.out.printf("1:1 delivery, alice to bob, clean:    median %s, max %s%n", median(clean), max(clean));
        System.out.printf("1:1 delivery, alice to bob, impaired: median %s, max %s%n", median(impaired), max(impaired));
        System.out.printf("1:1 delivery, bob to alice, impaired: median %s, max %s%n", median(back), max(back));
        System.out.printf("group delivery to each member, impaired: median %s, max %s%n", median(groupLatency), max(groupLatency));
        System.out.printf("delay line: %s%n", stats);
        assertAllAlive();
    }

    @Test
    void messagesSentDuringAPartitionArriveOnceAfterItHeals() throws Exception {
        startNetwork();
        String group = createGroup("split", BOB, CAROL);
        sendAndMeasure(ALICE, BOB, "before", 1);

        // alice with the seed and three relays on one side; bob, carol and three relays on the other
        List<NetnsNetwork.Host> sideA = hosts.hosts(1, 2, 3, 4, ALICE);
        List<NetnsNetwork.Host> sideB = hosts.hosts(5, 6, LAST_RELAY, BOB, CAROL);
        hosts.network().partition(sideA, sideB);
        hosts.phase("partitioned");
        for (int i = 1; i <= 3; i++) hosts.ok(ALICE, "send", "bob", "across " + i);
        for (int i = 1; i <= 2; i++) hosts.ok(BOB, "send", "alice", "back across " + i);
        for (int i = 1; i <= 2; i++) hosts.ok(ALICE, "group", "send", "split", "split group " + i);
        hosts.ok(CAROL, "group", "send", "split", "carol's side");
        // within its side, the group goes on
        awaitGroupMessage(BOB, group, "carol's side");
        Thread.sleep(REPAIR_INTERVAL.multipliedBy(3).toMillis()); // retries and upkeep rounds run into the partition
        assertThat(conversation(BOB, ALICE)).as("nothing crossed the partition").doesNotContain("across 1", "across 2", "across 3");
        assertThat(hosts.network().delayLineStats().get("partitioned")).isPositive();

        hosts.network().heal();
        Instant healedAt = Instant.now();
        hosts.phase("healed");
        for (int i = 1; i <= 3; i++) awaitOnce(BOB, ALICE, "across " + i);
        for (int i = 1; i <= 2; i++) awaitOnce(ALICE, BOB, "back across " + i);
        for (int i = 1; i <= 2; i++) {
            for (int member : List.of(BOB, CAROL)) awaitGroupMessage(member, group, "split group " + i);
        }
        awaitGroupMessage(ALICE, group, "carol's side");
        hosts.phase("everything sent during the partition arrived");

        // retries and mailbox fetches still running must not bring anything a second time
        Thread.sleep(REPAIR_INTERVAL.multipliedBy(3).toMillis());
        assertExactlyOnce(BOB, ALICE, texts("before", 1), texts("across", 3));
        assertExactlyOnce(ALICE, BOB, texts("back across", 2));
        for (int member : List.of(BOB, CAROL)) assertGroupExactlyOnce(member, group, texts("split group", 2));
        assertGroupExactlyOnce(ALICE, group, List.of("carol's side"));
        // when each arrived, after the heal (the recipients' clock): what a user waits for once the network is back
        List<String> arrivals = new ArrayList<>();
        Duration last = Duration.ZERO;
        for (int[] pair : new int[][] {{BOB, ALICE}, {ALICE, BOB}}) {
            for (JsonObject m : receivedFrom(pair[0], pair[1])) {
                arrivals.add(contactName(pair[0]) + " has '" + m.getString("text") + "' " + since(healedAt, m));
                last = later(last, healedAt, m);
            }
        }
        for (int member : List.of(ALICE, BOB, CAROL)) {
            for (JsonObject m : groupMessages(member, group)) {
                if (ids.get(member).equals(m.getString("sender"))) continue;
                arrivals.add(contactName(member) + " has group '" + m.getString("text") + "' " + since(healedAt, m));
                last = later(last, healedAt, m);
            }
        }
        System.out.printf("everything sent during the partition arrived within %.1f s of the heal; delay line: %s%n",
                last.toMillis() / 1000.0, hosts.network().delayLineStats());
        arrivals.forEach(System.out::println);
        assertAllAlive();
    }

    @Test
    void aKilledHolderAndAWipedHolderLoseNothingAndRepairRestoresTheShards() throws Exception {
        startNetwork();
        assertThat(hosts.node(CAROL).terminate()).as(hosts.node(CAROL).describe()).isZero();
        for (int i = 1; i <= 3; i++) hosts.ok(ALICE, "send", "carol", "held " + i);
        int expected = 3 * SHARDS_PER_ENVELOPE;
        Map<Integer, Double> held = awaitShards(expected); // also: every message is stored, none waits in alice's outbox
        hosts.phase("3 envelopes stored for carol: shards per host " + held);

        // the two relays with the most shards go: one killed with its disk kept, one killed and its disk wiped
        List<Integer> holders = relaysByShards(held);
        assertThat(holders).as("relays holding shards: " + held).hasSizeGreaterThanOrEqualTo(2);
        int killed = holders.get(0);
        int wiped = holders.get(1);
        hosts.node(killed).kill();
        hosts.node(wiped).kill();
        long lost = System.nanoTime();
        double before = total(held);
        double left = total(shardsPerHost());
        hosts.phase("host " + killed + " killed (" + held.get(killed) + " shards), host " + wiped + " killed and wiped ("
                + held.get(wiped) + " shards): " + left + " shards left");
        assertThat(left).isLessThan(expected);
        hosts.wipe(wiped);
        startAgain(wiped, "wiped " + wiped);
        hosts.awaitJoined(wiped);

        // repair rebuilds what the two held, on the holders still there
        Map<Integer, Double> repaired = awaitShards(expected);
        Duration repairTime = Duration.ofNanos(System.nanoTime() - lost);
        hosts.phase("repair restored " + expected + " shards: " + repaired);
        double rebuilt = 0;
        for (int host : repaired.keySet()) rebuilt += hosts.metric(host, "ferry_messenger_shards_repaired_total");
        assertThat(rebuilt).as("shards rebuilt by repair").isGreaterThanOrEqualTo(before - left);

        // Each envelope has its six shards again, so two more holders may go: 6 - 2 still makes the 4
        // needed. Without the repair, 6 - 4 would not.
        List<Integer> next = relaysByShards(repaired);
        int third = next.get(0);
        int fourth = next.get(1);
        hosts.node(third).kill();
        hosts.node(fourth).kill();
        hosts.phase("hosts " + third + " and " + fourth + " killed too: " + shardsPerHost());

        // carol comes back and gets everything once; the killed holder comes back with its disk
        startPersonal(CAROL, "carol again");
        hosts.awaitJoined(CAROL);
        for (int i = 1; i <= 3; i++) awaitOnce(CAROL, ALICE, "held " + i);
        Duration delivered = Duration.ofNanos(System.nanoTime() - lost);
        startAgain(killed, "killed " + killed + " again");
        hosts.awaitJoined(killed);
        hosts.phase("carol has the 3 messages; host " + killed + " back with its disk");

        // carol's acknowledgements delete the shards everywhere, on the holder that was away too
        Map<Integer, Double> after;
        try {
            after = await().alias("every shard deleted after carol's acknowledgements").atMost(DELIVERY).pollInterval(Duration.ofSeconds(1))
                    .until(this::shardsPerHost, m -> total(m) == 0);
        } catch (ConditionTimeoutException e) {
            StringBuilder upkeep = new StringBuilder();
            for (Map.Entry<Integer, Double> h : shardsPerHost().entrySet()) {
                if (h.getValue() > 0) upkeep.append("\nhost ").append(h.getKey()).append(":\n").append(hosts.metrics(h.getKey(), "ferry_"));
            }
            throw new AssertionError(e.getMessage() + upkeep + hosts.network().describe(), e);
        }
        assertExactlyOnce(CAROL, ALICE, texts("held", 3));
        hosts.phase("every shard deleted: " + after);
        System.out.printf("repair restored %d shards %s after two of the holders were lost (%s of %s left; %d rebuilt);"
                + " delivered in full %s after the first loss, two more holders gone%n", expected, repairTime, left, before,
                (long) rebuilt, delivered);
        for (int host = 1; host <= HOSTS; host++) {
            if (host != third && host != fourth) assertThat(hosts.node(host).isAlive()).as(hosts.node(host).describe()).isTrue();
        }
    }

    // ------------------------------------------------------------------ the network

    /** The seed, six relays and three personal nodes, all joined, with contacts alice-bob, alice-carol, bob-carol. */
    private void startNetwork() throws Exception {
        hosts = FerryHosts.create(HOSTS, dir);
        HostProcess seed = hosts.start(SEED, "seed", relayOptions());
        bootstrap.addAll(List.of("--bootstrap", seed.awaitStdout("listening ", START).substring("listening ".length())));
        for (int i = SEED + 1; i <= LAST_RELAY; i++) hosts.start(i, "relay-" + i, concat(relayOptions(), bootstrap));
        for (int i : List.of(ALICE, BOB, CAROL)) startPersonal(i, List.of("alice", "bob", "carol").get(i - ALICE));
        for (int i = SEED + 1; i <= HOSTS; i++) hosts.awaitJoined(i);
        for (int i : List.of(ALICE, BOB, CAROL)) hosts.node(i).awaitStdout("api ", START);
        List<String> found = inParallel(() -> hosts.id(ALICE), () -> hosts.id(BOB), () -> hosts.id(CAROL));
        for (int i = 0; i < 3; i++) ids.put(ALICE + i, found.get(i));
        inParallel(() -> hosts.ok(ALICE, "contacts", "add", "bob", ids.get(BOB)), () -> hosts.ok(ALICE, "contacts", "add", "carol", ids.get(CAROL)),
                () -> hosts.ok(BOB, "contacts", "add", "alice", ids.get(ALICE)), () -> hosts.ok(BOB, "contacts", "add", "carol", ids.get(CAROL)),
                () -> hosts.ok(CAROL, "contacts", "add", "alice", ids.get(ALICE)), () -> hosts.ok(CAROL, "contacts", "add", "bob", ids.get(BOB)));
        hosts.phase("all " + HOSTS + " nodes joined, contacts added");
    }

    private List<String> relayOptions() {
        return concat(List.of("--relay-only", "--no-api", "--repair-interval", REPAIR_INTERVAL.toSeconds() + "s"), FerryHosts.metricsOption());
    }

    private void startPersonal(int host, String label) throws Exception {
        hosts.start(host, label, concat(List.of("--repair-interval", REPAIR_INTERVAL.toSeconds() + "s"),
                concat(FerryHosts.metricsOption(), bootstrap)));
    }

    /** Starts the node of {@code host} again: a relay as relays start, a personal node as personal nodes do. */
    private void startAgain(int host, String label) throws Exception {
        if (host >= ALICE) startPersonal(host, label);
        else hosts.start(host, label, concat(relayOptions(), bootstrap));
    }

    // ------------------------------------------------------------------ messages

    /** {@code count} messages "PREFIX i" from {@code from} to {@code to}, each waited for; their delivery times. */
    private List<Duration> sendAndMeasure(int from, int to, String prefix, int count) throws Exception {
        List<Duration> latencies = new ArrayList<>();
        for (String text : texts(prefix, count)) {
            List<String> out = hosts.ok(from, "send", contactName(to), text, "--wait", "120s").out();
            assertThat(out.getLast()).as(out.toString()).startsWith("delivered ");
            latencies.add(awaitOnce(to, from, text));
        }
        hosts.phase(count + " '" + prefix + "' messages delivered, median " + median(latencies));
        return latencies;
    }

    /** Waits until {@code recipient} has {@code text} from {@code sender}; its time from sending to arrival. */
    private Duration awaitOnce(int recipient, int sender, String text) {
        return awaitText("'" + text + "' arrives on host " + recipient, () -> receivedFrom(recipient, sender), text);
    }

    private Duration awaitGroupMessage(int member, String group, String text) {
        return awaitText("'" + text + "' arrives in the group on host " + member, () -> groupMessages(member, group), text);
    }

    private Duration awaitText(String what, Callable<List<JsonObject>> messages, String text) {
        JsonObject m = await().alias(what + hosts.network().describe()).atMost(DELIVERY).pollInterval(Duration.ofMillis(500))
                .until(() -> messages.call().stream().filter(j -> text.equals(j.getString("text"))).findFirst(), Optional::isPresent)
                .orElseThrow();
        return latency(m);
    }

    @SafeVarargs
    private void assertExactlyOnce(int recipient, int sender, List<String>... expected) throws Exception {
        List<String> all = Arrays.stream(expected).flatMap(List::stream).toList();
        assertThat(conversation(recipient, sender)).as("what host " + recipient + " received from host " + sender)
                .containsExactlyInAnyOrderElementsOf(all);
    }

    private void assertGroupExactlyOnce(int member, String group, List<String> expected) throws Exception {
        List<String> received = groupMessages(member, group).stream().filter(m -> !ids.get(member).equals(m.getString("sender")))
                .map(m -> m.getString("text")).toList();
        Map<String, Long> counts = received.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        for (String text : expected) assertThat(counts.get(text)).as("times host " + member + " has '" + text + "': " + received).isEqualTo(1L);
    }

    /** The texts {@code recipient} received from {@code sender}, in its conversation's order. */
    private List<String> conversation(int recipient, int sender) throws Exception {
        return receivedFrom(recipient, sender).stream().map(m -> m.getString("text")).toList();
    }

    private List<JsonObject> receivedFrom(int recipient, int sender) throws Exception {
        JsonObject page = hosts.api(recipient, "/conversations/" + ids.get(sender) + "/messages?after=0&limit=1000");
        return page.getJsonArray("messages").stream().map(JsonObject.class::cast)
                .filter(m -> ids.get(sender).equals(m.getString("sender"))).toList();
    }

    private List<JsonObject> groupMessages(int member, String group) throws Exception {
        return hosts.api(member, "/groups/" + group + "/messages?after=0&limit=1000").getJsonArray("messages").stream()
                .map(JsonObject.class::cast).toList();
    }

    /** A group of alice and {@code members}, every member in it; its id. */
    private String createGroup(String name, int... members) throws Exception {
        String id = hosts.ok(ALICE, "group", "create", name).out().getFirst().split(" ")[0];
        for (int member : members) hosts.ok(ALICE, "group", "invite", name, contactName(member));
        List<Callable<Boolean>> joined = new ArrayList<>();
        for (int member : members) {
            joined.add(() -> hosts.awaitLine(member, name + " (" + (members.length + 1) + " members, member, active)", "group", "list"));
        }
        inParallel(joined);
        return id;
    }

    private static String contactName(int host) {
        return List.of("alice", "bob", "carol").get(host - ALICE);
    }

    private static List<String> texts(String prefix, int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + " " + i).toList();
    }

    /** When {@code message} arrived, from {@code instant}: "+12.3 s", or "before" if it arrived earlier. */
    private static String since(Instant instant, JsonObject message) {
        Duration d = Duration.between(instant, Instant.parse(message.getString("receivedAt")));
        return d.isNegative() ? "before the heal" : String.format("%.1f s after the heal", d.toMillis() / 1000.0);
    }

    /** The later of {@code latest} and when {@code message} arrived after {@code instant}. */
    private static Duration later(Duration latest, Instant instant, JsonObject message) {
        Duration d = Duration.between(instant, Instant.parse(message.getString("receivedAt")));
        return d.compareTo(latest) > 0 ? d : latest;
    }

    /** From the sender's clock to the recipient's: one machine, one clock. */
    private static Duration latency(JsonObject message) {
        return Duration.between(Instant.parse(message.getString("sentAt")), Instant.parse(message.getString("receivedAt")));
    }

    // ------------------------------------------------------------------ shards

    /**
     * The shards each running node holds ({@code ferry_mailbox_stored_shards}), once they add up to
     * at least {@code total} (a handover can leave a surplus copy for a while).
     */
    private Map<Integer, Double> awaitShards(int total) {
        return await().alias(total + " shards held in all" + hosts.network().describe()).atMost(DELIVERY).pollInterval(Duration.ofSeconds(1))
                .until(this::shardsPerHost, m -> total(m) >= total);
    }

    private Map<Integer, Double> shardsPerHost() throws Exception {
        List<Integer> running = IntStream.rangeClosed(1, HOSTS).filter(i -> hosts.node(i).isAlive()).boxed().toList();
        List<Callable<Double>> reads = new ArrayList<>();
        for (int host : running) reads.add(() -> hosts.metric(host, "ferry_mailbox_stored_shards"));
        List<Double> values = inParallel(reads);
        Map<Integer, Double> perHost = new TreeMap<>();
        for (int i = 0; i < running.size(); i++) perHost.put(running.get(i), values.get(i));
        return perHost;
    }

    /** The relays other than the seed (everyone's way in) that hold shards, the most first. */
    private static List<Integer> relaysByShards(Map<Integer, Double> perHost) {
        return perHost.entrySet().stream().filter(e -> e.getKey() > SEED && e.getKey() <= LAST_RELAY && e.getValue() > 0)
                .sorted(Map.Entry.<Integer, Double>comparingByValue().reversed()).map(Map.Entry::getKey).toList();
    }

    private static double total(Map<Integer, Double> perHost) {
        return perHost.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private void assertAllAlive() {
        for (HostProcess node : hosts.nodes()) assertThat(node.isAlive()).as(node.describe()).isTrue();
    }

    private static Duration median(List<Duration> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static Duration max(List<Duration> values) {
        return values.stream().max(Duration::compareTo).orElseThrow();
    }
}
