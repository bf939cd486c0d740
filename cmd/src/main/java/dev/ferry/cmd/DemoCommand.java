package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.DeliveryState;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.messenger.delivery.RetrySchedule;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.EnvelopeId;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry demo}: a whole network in one process, with no set-up, showing what Ferry does.
 * Real nodes on loopback (TCP, Noise, Yamux, the DHT, GossipSub, RocksDB in a temporary
 * directory): a 1:1 chat, a message to someone who is away delivered on their return although
 * two of the peers holding it have gone meanwhile, and a group chat; then the figures.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a local network of --nodes nodes in this process and show a 1:1 chat, a message to an offline "
                + "user delivered when they return (with two of its holders gone), and a group chat, then print the delivery "
                + "figures. Needs nothing set up; its data lives in a temporary directory, deleted at the end."})
final class DemoCommand implements Callable<Integer> {
    /** Fewest nodes: three users plus enough relays that six holders exist and two can go. */
    static final int MIN_NODES = 8;
    /** How long any one step may take before the demo says it failed. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final String[] USERS = {"alice", "bob", "carol"};

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "10", description = "Nodes in the network, at least 8 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--keep", description = "Keep the data directory at the end and print where it is.")
    boolean keep;

    private final PrintStream out = System.out;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, IdentityKeyPair> identities = new LinkedHashMap<>();
    private final Map<String, FerryNode> running = new ConcurrentHashMap<>();
    private final Map<String, List<ReceivedMessage>> inboxes = new ConcurrentHashMap<>();
    private final List<String[]> figures = new ArrayList<>();
    private Path root;
    private EventLoopGroup eventLoops;
    private long startedAt;

    @Override
    public Integer call() throws Exception {
        if (nodes < MIN_NODES || nodes > 64) throw new IllegalArgumentException("--nodes must be in " + MIN_NODES + "..64");
        root = Files.createTempDirectory("ferry-demo-");
        eventLoops = NettyHost.newEventLoopGroup(2);
        startedAt = System.nanoTime();
        try {
            startNetwork();
            oneToOne();
            offline();
            group();
            summary();
            return 0;
        } finally {
            for (FerryNode node : running.values()) node.close();
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (keep) out.println("data kept in " + root);
            else deleteTree(root);
        }
    }

    // ---------------------------------------------------------------- steps

    private void startNetwork() {
        step("starting " + nodes + " nodes on 127.0.0.1 (3 users: alice, bob, carol; " + (nodes - 3) + " relays)");
        for (int i = 0; i < nodes; i++) {
            String name = i < USERS.length ? USERS[i] : "relay-" + (i - USERS.length + 1);
            long t0 = System.nanoTime();
            FerryNode node = start(name);
            detail(String.format(Locale.ROOT, "%-8s %s  %s  (%d ms)", name, shortId(node.peerId()), node.addresses().getFirst(),
                    millis(t0)));
        }
        figure("network", nodes + " nodes up in " + secondsSince(startedAt) + " s");
    }

    private void oneToOne() {
        FerryNode alice = running.get("alice");
        FerryNode bob = running.get("bob");
        step("1:1 chat: alice and bob are both online, so messages go directly, end-to-end encrypted");
        long t0 = System.nanoTime();
        EnvelopeId first = await(alice.send(bob.peerId(), "Hi Bob! This is Ferry."));
        waitFor("bob receives alice's message", () -> received("bob", alice.peerId()) >= 1);
        long firstMs = millis(t0);
        detail("alice -> bob  \"Hi Bob! This is Ferry.\"  (" + firstMs + " ms, the first message starts a session: X3DH)");
        long t1 = System.nanoTime();
        await(bob.send(alice.peerId(), "Hi Alice, got it."));
        waitFor("alice receives bob's answer", () -> received("alice", bob.peerId()) >= 1);
        long answerMs = millis(t1);
        detail("bob -> alice  \"Hi Alice, got it.\"  (" + answerMs + " ms)");
        waitFor("alice's message is delivered", () -> alice.sentState(first).equals(Optional.of(DeliveryState.DELIVERED)));
        List<Long> times = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            int before = received("bob", alice.peerId());
            long t = System.nanoTime();
            await(alice.send(bob.peerId(), "message " + i));
            waitFor("bob receives message " + i, () -> received("bob", alice.peerId()) > before);
            times.add(millis(t));
        }
        detail("10 more, one after the other: median " + median(times) + " ms, slowest " + times.stream().max(Long::compare).orElseThrow()
                + " ms from send to the recipient's inbox");
        figure("1:1 online", "first message " + firstMs + " ms (with X3DH), then median " + median(times) + " ms; state: delivered");
    }

    private void offline() throws Exception {
        FerryNode alice = running.get("alice");
        step("offline delivery: carol goes away; alice writes to her anyway");
        PeerId carol = running.get("carol").peerId();
        stop("carol");
        detail("carol stopped (her data stays on her disk)");
        List<EnvelopeId> sent = new ArrayList<>();
        for (String text : List.of("Carol, are you there?", "The meeting moved to Friday.", "See you then!")) {
            sent.add(await(alice.send(carol, text)));
        }
        long t0 = System.nanoTime();
        waitFor("the messages are stored with carol's mailbox holders",
                () -> sent.stream().allMatch(e -> alice.sentState(e).map(s -> s != DeliveryState.QUEUED).orElse(false)));
        Map<String, Long> holders = holdersOf(sent);
        detail("3 messages sealed to carol, each Reed-Solomon coded into " + alice.config().erasure().totalShards() + " shards (any "
                + alice.config().erasure().dataShards() + " rebuild it), stored in " + millis(t0) + " ms on " + holders.size()
                + " peers near carol's mailbox: " + String.join(", ", holders.keySet()));
        // relays, so that the users are all there for the group chat after this
        List<String> gone = holders.keySet().stream().filter(name -> name.startsWith("relay-")).limit(2).toList();
        if (gone.size() < 2) throw new IllegalStateException("demo failed: fewer than two relays hold carol's messages: " + holders.keySet());
        for (String name : gone) stop(name);
        List<Long> left = sent.stream().map(e -> running.values().stream().mapToLong(n -> n.store().shards().getAll(e).size()).sum()).toList();
        detail("two holders go away for good: " + String.join(" and ", gone) + ", their shards with them; shards left per message: "
                + left.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")));
        step("carol comes back");
        long back = System.nanoTime();
        start("carol");
        waitFor("carol receives all 3 messages", () -> received("carol", alice.peerId()) >= 3);
        long returnMs = millis(back);
        for (ReceivedMessage m : inboxes.getOrDefault("carol", List.of())) detail("carol got  \"" + m.text() + "\"");
        detail("all 3 in carol's inbox " + returnMs + " ms after she started again, rebuilt from the shards still out there");
        waitFor("alice sees them delivered", () -> sent.stream().allMatch(e -> alice.sentState(e).equals(Optional.of(DeliveryState.DELIVERED))));
        detail("carol's node acknowledged them: the holders delete the shards, alice's outbox says delivered");
        figure("offline", "3 messages on " + holders.size() + " holders, 2 holders gone (" + left.stream().min(Long::compare).orElseThrow()
                + "+ shards left each), delivered " + returnMs
                + " ms after carol's return (node start and join included)");
    }

    private void group() {
        FerryNode alice = running.get("alice");
        step("group chat: alice creates a group and invites bob and carol");
        byte[] group = await(alice.createGroup("ferry demo")).groupId();
        await(alice.inviteToGroup(group, running.get("bob").peerId()));
        await(alice.inviteToGroup(group, running.get("carol").peerId()));
        waitFor("bob and carol are members", () -> Stream.of("bob", "carol").allMatch(n -> !await(running.get(n).groups()).isEmpty()));
        List<Long> times = new ArrayList<>();
        for (String[] line : new String[][] {{"alice", "Welcome to the group!"}, {"bob", "Thanks, Alice."}, {"carol", "Hello both!"}}) {
            FerryNode sender = running.get(line[0]);
            List<String> others = Stream.of(USERS).filter(n -> !n.equals(line[0])).toList();
            Map<String, Integer> before = new HashMap<>();
            for (String o : others) before.put(o, groupReceived(o, group));
            long t = System.nanoTime();
            await(sender.sendToGroup(group, line[1]));
            waitFor("both other members receive " + line[0] + "'s group message",
                    () -> others.stream().allMatch(o -> groupReceived(o, group) > before.get(o)));
            long ms = millis(t);
            times.add(ms);
            detail(line[0] + " -> group  \"" + line[1] + "\"  (both others have it after " + ms + " ms)");
        }
        figure("group", "3 members, 3 messages over GossipSub, median " + median(times) + " ms to every other member");
    }

    private void summary() {
        // every message exactly once: nothing missing, nothing twice
        Map<String, Integer> expected = Map.of("bob", 11 + 2, "alice", 1 + 2, "carol", 3 + 2);
        expected.forEach((user, count) -> {
            int got = inboxes.getOrDefault(user, List.of()).size();
            if (got != count) throw new IllegalStateException("demo failed: " + user + " received " + got + " messages, not " + count);
        });
        step("summary");
        for (String[] f : figures) out.println(String.format(Locale.ROOT, "  %-12s %s", f[0], f[1]));
        out.println(String.format(Locale.ROOT, "  %-12s %d s, every message delivered exactly once", "total", secondsSince(startedAt)));
        out.println();
        out.println("Run your own: 'ferry node' (see README.md); 'ferry --help' lists the commands.");
    }

    // ---------------------------------------------------------------- nodes

    /** A config with rounds short enough for a demo that lasts seconds, not minutes. */
    private static MessengerConfig demoConfig() {
        return MessengerConfig.defaults()
                .withIntervals(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withRetry(new RetrySchedule(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2), Duration.ofSeconds(2));
    }

    private FerryNode start(String name) {
        IdentityKeyPair identity = identities.computeIfAbsent(name, n -> IdentityKeyPair.generate(random));
        List<Multiaddr> seeds = running.entrySet().stream().filter(e -> !e.getKey().equals(name))
                .sorted(Map.Entry.comparingByKey()).limit(3).map(e -> e.getValue().addresses().getFirst()).toList();
        boolean relay = name.startsWith("relay-");
        FerryNode node = FerryNode.builder()
                .identity(identity)
                .dataDirectory(root.resolve(name))
                .listen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .bootstrap(seeds)
                .config(demoConfig())
                .relayOnly(relay)
                .eventLoops(eventLoops)
                .start();
        if (!relay) node.onMessage(m -> inboxes.computeIfAbsent(name, n -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(m));
        running.put(name, node);
        await(node.join());
        return node;
    }

    private void stop(String name) {
        FerryNode node = running.remove(name);
        if (node != null) node.close();
    }

    /** The running nodes holding shards of {@code envelopes}, with how many shards each. */
    private Map<String, Long> holdersOf(List<EnvelopeId> envelopes) {
        Map<String, Long> held = new HashMap<>();
        running.forEach((name, node) -> {
            long shards = envelopes.stream().mapToLong(e -> node.store().shards().getAll(e).size()).sum();
            if (shards > 0) held.put(name, shards);
        });
        Map<String, Long> sorted = new LinkedHashMap<>();
        held.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private int received(String user, PeerId from) {
        return (int) inboxes.getOrDefault(user, List.of()).stream().filter(m -> m.group().isEmpty() && m.sender().equals(from)).count();
    }

    private int groupReceived(String user, byte[] group) {
        return (int) inboxes.getOrDefault(user, List.of()).stream()
                .filter(m -> m.group().map(g -> java.util.Arrays.equals(g, group)).orElse(false)).count();
    }

    // ---------------------------------------------------------------- output and waiting

    private void step(String what) {
        out.println();
        out.println("== " + what);
        out.flush();
    }

    private void detail(String what) {
        out.println("   " + what);
        out.flush();
    }

    private void figure(String name, String value) {
        figures.add(new String[] {name, value});
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(Main.oneLine(e), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a step took over " + STEP_TIMEOUT.toSeconds() + " s");
        }
    }

    /** Waits for {@code condition}, printing a dot a second so that a slow machine shows it is working. */
    private void waitFor(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        long nextDot = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        boolean dotted = false;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                if (dotted) out.println();
                throw new IllegalStateException("demo failed: " + what + " did not happen within " + STEP_TIMEOUT.toSeconds() + " s");
            }
            if (System.nanoTime() > nextDot) {
                out.print(dotted ? "." : "   waiting: " + what + " .");
                out.flush();
                dotted = true;
                nextDot += TimeUnit.SECONDS.toNanos(1);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
        if (dotted) out.println();
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    private static long secondsSince(long since) {
        return Math.round((System.nanoTime() - since) / 1e9);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String shortId(PeerId peer) {
        String id = peer.toString();
        return id.substring(0, 8) + "…" + id.substring(id.length() - 6);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
