package dev.ferry.interop.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import static dev.ferry.interop.netns.FerryHosts.concat;
import static dev.ferry.interop.netns.FerryHosts.inParallel;

import dev.ferry.cmd.CliRun;
import dev.ferry.dht.message.DhtProtocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * was sent meanwhile. Skipped where namespaces cannot be made.
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
    private static final Duration START = FerryHosts.START;

    @TempDir
    Path dir;

    private FerryHosts hosts;
    private final AtomicLong jsCommands = new AtomicLong();

    @AfterEach
    void tearDown() throws Exception {
        if (hosts != null) hosts.close();
    }

    @Test
    void messagesAndAGroupFlowBetweenPersonalNodesOnSeparateHostsThroughRelaysAndAJsNode() throws Exception {
        hosts = FerryHosts.create(HOSTS, dir);
        NetnsNetwork network = hosts.network();
        hosts.phase("hosts created");

        // The seed relay and the js node first: everyone else bootstraps from both.
        HostProcess seed = hosts.start(SEED, "seed", List.of("--relay-only", "--no-api"));
        HostProcess js = network.startJs(network.host(JS), "js", List.of("listen", "--host", network.host(JS).address(),
                "--port", String.valueOf(FerryHosts.PORT), "--dht", "--dht-protocol", DhtProtocol.DEFAULT_PROTOCOL_ID, "--pubsub"));
        String seedAddress = seed.awaitStdout("listening ", START).substring("listening ".length());
        assertThat(seedAddress).startsWith(network.host(SEED).tcp(FerryHosts.PORT) + "/p2p/");
        js.awaitStdout("its dht:ready event", l -> l.contains("\"event\":\"dht:ready\""), START);
        String jsAddress = field(js.awaitStdout("its listening event", l -> l.contains("\"event\":\"listening\""), START), "addr");
        assertThat(jsAddress).startsWith(network.host(JS).tcp(FerryHosts.PORT) + "/p2p/");

        List<String> bootstrap = List.of("--bootstrap", seedAddress, "--bootstrap", jsAddress);
        for (int i = FIRST_RELAY; i < ALICE; i++) hosts.start(i, "relay-" + i, concat(List.of("--relay-only", "--no-api"), bootstrap));
        hosts.start(ALICE, "alice", bootstrap);
        hosts.start(BOB, "bob", bootstrap);
        hosts.start(CAROL, "carol", bootstrap);
        for (int i = 1; i <= HOSTS; i++) {
            if (i != SEED && i != JS) hosts.awaitJoined(i);
        }
        for (int personal : List.of(ALICE, BOB, CAROL)) {
            assertThat(hosts.node(personal).awaitStdout("api ", START)).startsWith("api http://127.0.0.1:7001");
        }
        // Every Ferry node reached the js node through the router and is in its routing table.
        int ferryNodes = hosts.nodes().size();
        await().alias("the js node has all " + ferryNodes + " Ferry nodes in its routing table" + network.describe())
                .atMost(START).pollInterval(Duration.ofMillis(500))
                .until(() -> Integer.parseInt(jsCall(js, "routingTable").replaceAll(".*\"size\":(\\d+).*", "$1")) == ferryNodes);

        hosts.phase("all nodes joined");

        // each command is a JVM start: the independent ones run at once
        List<String> ids = inParallel(() -> hosts.id(ALICE), () -> hosts.id(BOB), () -> hosts.id(CAROL));
        String aliceId = ids.get(0);
        inParallel(() -> hosts.ok(ALICE, "contacts", "add", "bob", ids.get(1)), () -> hosts.ok(ALICE, "contacts", "add", "carol", ids.get(2)),
                () -> hosts.ok(BOB, "contacts", "add", "alice", aliceId), () -> hosts.ok(CAROL, "contacts", "add", "alice", aliceId));
        hosts.phase("contacts added");

        // 1:1, from one host to another
        CliRun sent = hosts.ok(ALICE, "send", "bob", "hello bob, from another host", "--wait", "60s");
        assertThat(sent.out().getFirst()).as(sent.toString()).matches("queued [0-9a-f]{64}");
        assertThat(sent.out().getLast()).as(sent.toString()).isEqualTo("delivered " + sent.out().getFirst().substring("queued ".length()));
        assertThat(hosts.ok(BOB, "inbox").out()).singleElement().asString().endsWith("  alice: hello bob, from another host");

        hosts.phase("1:1 delivered");

        // a group across three hosts, messages both ways
        assertThat(hosts.ok(ALICE, "group", "create", "hosts").out().getFirst()).matches("[0-9a-f]{64} hosts \\(1 members, owner, active\\)");
        hosts.ok(ALICE, "group", "invite", "hosts", "bob");
        hosts.ok(ALICE, "group", "invite", "hosts", "carol");
        inParallel(() -> hosts.awaitLine(BOB, "hosts (3 members, member, active)", "group", "list"),
                () -> hosts.awaitLine(CAROL, "hosts (3 members, member, active)", "group", "list"));
        hosts.ok(ALICE, "group", "send", "hosts", "welcome, both");
        inParallel(() -> hosts.awaitLine(BOB, "alice in hosts: welcome, both", "inbox"),
                () -> hosts.awaitLine(CAROL, "alice in hosts: welcome, both", "inbox"));
        hosts.ok(BOB, "group", "send", "hosts", "thanks from bob");
        inParallel(() -> hosts.awaitLine(ALICE, "bob in hosts: thanks from bob", "inbox"),
                () -> hosts.awaitLine(CAROL, " in hosts: thanks from bob", "inbox"));

        hosts.phase("group messages arrived both ways");

        // store and forward across hosts: bob's node stops, alice sends, bob's node comes back on its host
        assertThat(hosts.node(BOB).terminate()).as(hosts.node(BOB).describe()).isZero();
        assertThat(hosts.ok(ALICE, "send", "bob", "while you were away").out().getFirst()).matches("queued [0-9a-f]{64}");
        hosts.start(BOB, "bob again", bootstrap);
        hosts.awaitJoined(BOB);
        hosts.awaitLine(BOB, "alice: while you were away", "inbox");
        hosts.phase("stored message arrived after bob's restart");

        for (HostProcess node : hosts.nodes()) assertThat(node.isAlive()).as(node.describe()).isTrue();
    }

    /** Sends a command to the js peer on its stdin and returns its {@code dht:result} line. */
    private String jsCall(HostProcess js, String cmd) {
        long id = jsCommands.incrementAndGet();
        js.send("{\"id\":" + id + ",\"cmd\":\"" + cmd + "\"}");
        return js.awaitStdout("the answer to " + cmd, l -> l.contains("\"event\":\"dht:result\"") && l.contains("\"id\":" + id + ","),
                Duration.ofSeconds(20));
    }

    /** A string field of a one-line JSON event, as peer.mjs prints them. */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) throw new AssertionError("no " + name + " in " + json);
        return m.group(1);
    }
}
