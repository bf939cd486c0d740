package dev.ferry.interop.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.cmd.CliRun;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.interop.netns.NetnsNetwork.Host;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ferry across twelve hosts (network namespaces, see {@link NetnsNetwork}), each node a separate
 * {@code ferry node} process with its own address: a seed relay everyone bootstraps from, a
 * js-libp2p node serving kad-dht and GossipSub that everyone bootstraps from too, seven more
 * relays, and three personal nodes (alice, bob, carol) whose API is on {@code 127.0.0.1:7001} of
 * their own host, so their commands run there too. Bob's node stops and comes back to fetch what
was sent meanwhile. Skipped where namespaces cannot be made.
 */
@Tag("interop")
@Tag("multihost")
class MultiHostMessagingTest {
    private static final int HOSTS = 12;
    private static final int SEED = 1;
    private static final int JS = 2;
    private static final int FIRST_RELAY = 3;
    private static final int ALICE = 10;
    private static final int BOB = 11;
    private static final int CAROL = 12;
    private static final int PORT = 4001;
    /** Eleven JVMs and Node.js starting at once on two shared cores. */
    private static final Duration START = Duration.ofSeconds(120);
    /** Delivery between processes on a busy machine: direct, or through the DHT's holders. */
    private static final Duration DELIVERY = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private NetnsNetwork network;
    private final Map<Integer, HostProcess> nodes = new LinkedHashMap<>();
    private final AtomicLong jsCommands = new AtomicLong();
    private final long started = System.nanoTime();

    @AfterEach
    void tearDown() throws Exception {
        if (network != null) network.close();
    }

    @Test
    void messagesAndAGroupFlowBetweenPersonalNodesOnSeparateHostsThroughRelaysAndAJsNode() throws Exception {
        network = NetnsNetwork.create(HOSTS);
        phase("hosts created");

        // The seed relay and the js node first: everyone else bootstraps from both.
        HostProcess seed = startFerry(SEED, "seed", "--relay-only", "--no-api");
        HostProcess js = network.startJs(network.host(JS), "js", List.of("listen", "--host", network.host(JS).address(),
                "--port", String.valueOf(PORT), "--dht", "--dht-protocol", DhtProtocol.DEFAULT_PROTOCOL_ID, "--pubsub"));
        String seedAddress = seed.awaitStdout("listening ", START).substring("listening ".length());
        assertThat(seedAddress).startsWith(network.host(SEED).tcp(PORT) + "/p2p/");
        js.awaitStdout("its dht:ready event", l -> l.contains("\"event\":\"dht:ready\""), START);
        String jsAddress = field(js.awaitStdout("its listening event", l -> l.contains("\"event\":\"listening\""), START), "addr");
        assertThat(jsAddress).startsWith(network.host(JS).tcp(PORT) + "/p2p/");

        List<String> bootstrap = List.of("--bootstrap", seedAddress, "--bootstrap", jsAddress);
        for (int i = FIRST_RELAY; i < ALICE; i++) startFerry(i, "relay-" + i, concat(List.of("--relay-only", "--no-api"), bootstrap));
        startFerry(ALICE, "alice", bootstrap);
        startFerry(BOB, "bob", bootstrap);
        startFerry(CAROL, "carol", bootstrap);
        for (HostProcess node : nodes.values()) {
            if (node == seed) continue;
            String joined = node.awaitStdout("dht bootstrapped: ", START);
            assertThat(peersIn(joined)).as(node.label() + ": " + joined).isPositive();
        }
        for (int personal : List.of(ALICE, BOB, CAROL)) {
            assertThat(nodes.get(personal).awaitStdout("api ", START)).startsWith("api http://127.0.0.1:7001");
        }
        // Every Ferry node reached the js node across the bridge and is in its routing table.
        await().alias("the js node has all " + nodes.size() + " Ferry nodes in its routing table" + network.describe())
                .atMost(START).pollInterval(Duration.ofMillis(500))
                .until(() -> Integer.parseInt(jsCall(js, "routingTable").replaceAll(".*\"size\":(\\d+).*", "$1")) == nodes.size());

        phase("all nodes joined");

        // each command is a JVM start: the independent ones run at once
        List<String> ids = inParallel(() -> id(ALICE), () -> id(BOB), () -> id(CAROL));
        String aliceId = ids.get(0);
        inParallel(() -> ok(ALICE, "contacts", "add", "bob", ids.get(1)), () -> ok(ALICE, "contacts", "add", "carol", ids.get(2)),
                () -> ok(BOB, "contacts", "add", "alice", aliceId), () -> ok(CAROL, "contacts", "add", "alice", aliceId));
        phase("contacts added");

        // 1:1, from one host to another
        CliRun sent = ok(ALICE, "send", "bob", "hello bob, from another host", "--wait", "60s");
        assertThat(sent.out().getFirst()).as(sent.toString()).matches("queued [0-9a-f]{64}");
        assertThat(sent.out().getLast()).as(sent.toString()).isEqualTo("delivered " + sent.out().getFirst().substring("queued ".length()));
        assertThat(ok(BOB, "inbox").out()).singleElement().asString().endsWith("  alice: hello bob, from another host");

        phase("1:1 delivered");

        // a group across three hosts, messages both ways
        assertThat(ok(ALICE, "group", "create", "hosts").out().getFirst()).matches("[0-9a-f]{64} hosts \\(1 members, owner, active\\)");
        ok(ALICE, "group", "invite", "hosts", "bob");
        ok(ALICE, "group", "invite", "hosts", "carol");
        inParallel(() -> awaitLine(BOB, "hosts (3 members, member, active)", "group", "list"),
                () -> awaitLine(CAROL, "hosts (3 members, member, active)", "group", "list"));
        ok(ALICE, "group", "send", "hosts", "welcome, both");
        inParallel(() -> awaitLine(BOB, "alice in hosts: welcome, both", "inbox"),
                () -> awaitLine(CAROL, "alice in hosts: welcome, both", "inbox"));
        ok(BOB, "group", "send", "hosts", "thanks from bob");
        inParallel(() -> awaitLine(ALICE, "bob in hosts: thanks from bob", "inbox"),
                () -> awaitLine(CAROL, " in hosts: thanks from bob", "inbox"));

        phase("group messages arrived both ways");

        // store and forward across hosts: bob's node stops, alice sends, bob's node comes back on its host
        assertThat(nodes.get(BOB).terminate()).as(nodes.get(BOB).describe()).isZero();
        assertThat(ok(ALICE, "send", "bob", "while you were away").out().getFirst()).matches("queued [0-9a-f]{64}");
        startFerry(BOB, "bob again", bootstrap).awaitStdout("dht bootstrapped: ", START);
        awaitLine(BOB, "alice: while you were away", "inbox");
        phase("stored message arrived after bob's restart");

        for (HostProcess node : nodes.values()) assertThat(node.isAlive()).as(node.describe()).isTrue();
    }

    /** Prints how long the test has run, so a slow phase shows in the test's output. */
    private void phase(String what) {
        System.out.printf("%s after %.1f s%n", what, (System.nanoTime() - started) / 1e9);
    }

    /** Runs {@code tasks} at once and returns their results in order; the first failure fails the test. */
    @SafeVarargs
    private static <T> List<T> inParallel(Callable<T>... tasks) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) futures.add(executor.submit(task));
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) throw error;
                    throw e;
                }
            }
            return results;
        }
    }

    private HostProcess startFerry(int host, String label, String... args) throws Exception {
        return startFerry(host, label, List.of(args));
    }

    /** {@code ferry node} on host {@code host}, listening on its address; personal nodes serve their API on their own 127.0.0.1. */
    private HostProcess startFerry(int host, String label, List<String> args) throws Exception {
        Host h = network.host(host);
        List<String> all = new ArrayList<>(List.of("node", "--data-dir", dataDir(host).toString(), "--listen", h.tcp(PORT)));
        all.addAll(args);
        HostProcess node = network.startFerry(h, label, all);
        nodes.put(host, node);
        return node;
    }

    private Path dataDir(int host) {
        return dir.resolve("host-" + host);
    }

    /** {@code ferry ARGS --data-dir DIR} on {@code host}, where its node's API is. */
    private CliRun ferry(int host, String... args) throws Exception {
        return network.ferry(network.host(host), concat(List.of(args), List.of("--data-dir", dataDir(host).toString())));
    }

    private CliRun ok(int host, String... args) throws Exception {
        CliRun run = ferry(host, args);
        assertThat(run.exitCode()).as("ferry " + String.join(" ", args) + " on host " + host + ": " + run + network.describe()).isZero();
        return run;
    }

    private String id(int host) throws Exception {
        return ok(host, "id").out().getFirst();
    }

    private boolean awaitLine(int host, String what, String... command) {
        return await().alias("'" + what + "' from ferry " + String.join(" ", command) + " on host " + host)
                .atMost(DELIVERY).pollInterval(Duration.ofSeconds(1))
                .until(() -> ferry(host, command).out().stream().anyMatch(line -> line.contains(what)), found -> found);
    }

    /** Sends a command to the js peer on its stdin and returns its {@code dht:result} line. */
    private String jsCall(HostProcess js, String cmd) {
        long id = jsCommands.incrementAndGet();
        js.send("{\"id\":" + id + ",\"cmd\":\"" + cmd + "\"}");
        return js.awaitStdout("the answer to " + cmd, l -> l.contains("\"event\":\"dht:result\"") && l.contains("\"id\":" + id + ","),
                Duration.ofSeconds(20));
    }

    private static final Pattern PEERS = Pattern.compile("dht bootstrapped: (\\d+) peers?");

    private static int peersIn(String line) {
        Matcher m = PEERS.matcher(line);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** A string field of a one-line JSON event, as peer.mjs prints them. */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) throw new AssertionError("no " + name + " in " + json);
        return m.group(1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
