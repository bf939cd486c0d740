package dev.ferry.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak of issue 8: {@code --nodes} real {@code ferry node} processes on loopback (a few relays,
 * the rest personal nodes with their API), continuous 1:1 and group messages sent through the
 * nodes' HTTP APIs at a steady rate for {@code --minutes}, and nodes restarted at random (SIGTERM
 * or SIGKILL, data directory kept), recipients, group members and mailbox holders alike.
 *
 * <p>Every message carries a unique number; the recipients' conversations and group histories are
 * read through their APIs as the run goes and after a drain with every node up, and each message
 * must have reached each of its recipients exactly once. Each node's live heap (after a full
 * collection the benchmark asks for with {@code jcmd GC.run}) and its open file descriptors are
 * sampled; an incarnation that ran long enough must end with them no higher than it started plus
 * a tolerance. Prints a line a minute and a summary, writes every sample to a CSV, and exits 1 on a
 * lost or duplicated message or a failed trend. docs/SOAK.md has the command and a full run.
 */
@Command(name = "bench/run soak", sortOptions = false,
        description = "Soak: ferry node processes with steady 1:1 and group traffic and random restarts; checks delivery, heap and FDs.")
public final class SoakBenchmark implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--minutes", description = "Minutes of traffic and restarts (default: ${DEFAULT-VALUE}).")
    double minutes = 30;

    @Option(names = "--nodes", description = "ferry node processes in all (default: ${DEFAULT-VALUE}).")
    int nodes = 20;

    @Option(names = "--relays", description = "Of them, relays (--relay-only, no API) (default: ${DEFAULT-VALUE}).")
    int relays = 4;

    @Option(names = "--rate", description = "1:1 messages per second, over all senders (default: ${DEFAULT-VALUE}).")
    double rate = 2;

    @Option(names = "--group-rate", description = "Group messages per second (default: ${DEFAULT-VALUE}).")
    double groupRate = 0.5;

    @Option(names = "--group-size", description = "Members of the group, its owner included (default: ${DEFAULT-VALUE}).")
    int groupSize = 8;

    @Option(names = "--restart-every", description = "Mean seconds between restarts, exponentially distributed (default: ${DEFAULT-VALUE}).")
    double restartEvery = 60;

    @Option(names = "--down", description = "Seconds a stopped node stays down, at most; at least a fifth of it (default: ${DEFAULT-VALUE}).")
    double downMax = 40;

    @Option(names = "--max-down", description = "Nodes down at once, at most (default: ${DEFAULT-VALUE}).")
    int maxDown = 2;

    @Option(names = "--kill-share", description = "Share of the stops that are SIGKILL, the rest SIGTERM (default: ${DEFAULT-VALUE}).")
    double killShare = 0.5;

    @Option(names = "--drain-minutes", description = "After the traffic, with every node up: how long to wait for the last deliveries, at most "
            + "(default: ${DEFAULT-VALUE}).")
    double drainMinutes = 10;

    @Option(names = "--sample-every", description = "Seconds between samples of every node's metrics and FDs (default: ${DEFAULT-VALUE}).")
    int sampleEvery = 30;

    @Option(names = "--gc-every", description = "Seconds between full collections asked of each node, for its live heap (default: ${DEFAULT-VALUE}).")
    int gcEvery = 90;

    @Option(names = "--trend-warmup", description = "Seconds of an incarnation left out of its trend (start-up, caches filling) "
            + "(default: ${DEFAULT-VALUE}).")
    int trendWarmup = 180;

    @Option(names = "--trend-window", description = "Seconds of the first and the last window compared; an incarnation is judged when it ran "
            + "the warm-up and two windows (default: ${DEFAULT-VALUE}).")
    int trendWindow = 300;

    @Option(names = "--heap-tolerance", description = "Live heap growth allowed from the first window's median to the last's, as a share, "
            + "plus 8 MiB (default: ${DEFAULT-VALUE}).")
    double heapTolerance = 0.25;

    @Option(names = "--fd-tolerance", description = "FD growth allowed, as a share, plus 20 descriptors (default: ${DEFAULT-VALUE}).")
    double fdTolerance = 0.25;

    @Option(names = "--repair-interval", description = "The nodes' --repair-interval (default: ${DEFAULT-VALUE}).")
    String repairInterval = "2m";

    @Option(names = "--size", description = "Characters of each message (default: ${DEFAULT-VALUE}).")
    int size = 200;

    @Option(names = "--csv", description = "Where the samples go (default: soak-<time>.csv in the current directory).")
    Path csv;

    @Option(names = "--dir", description = "Data directories and logs of the nodes (default: a new temporary directory, removed at the end "
            + "unless the run failed or --keep).")
    Path dir;

    @Option(names = "--keep", description = "Keep the data directories and logs.")
    boolean keep;

    @Option(names = "--seed", description = "Seed of the random choices (default: the time).")
    long seed = System.nanoTime();

    /** Heap growth allowed on top of the share: a few caches' worth, under which a leak is noise. */
    static final long HEAP_SLACK_BYTES = 8L << 20;
    /** FDs allowed on top of the share: a few connections and RocksDB table files. */
    static final int FD_SLACK = 20;

    private enum Kind { DIRECT, GROUP }

    /** A message the API accepted: who sent it, who must get it, when. */
    private record Sent(long id, Kind kind, int sender, List<Integer> recipients, long sentAtMillis) {}

    /** A sample of one node's metrics. */
    private record Sample(double elapsed, int node, int incarnation, double uptime, double heapUsed, double liveHeap, int fds,
            double connections, boolean afterFullGc) {}

    private final List<FerryNodeProcess> all = new ArrayList<>();
    private final Map<Integer, ReentrantReadWriteLock> gates = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> up = new ConcurrentHashMap<>();
    private final Map<Long, Sent> sent = new ConcurrentHashMap<>();
    /** Per message, per recipient: copies seen and the first one's receivedAt. */
    private final Map<Long, Map<Integer, long[]>> seen = new ConcurrentHashMap<>();
    /** Read positions: recipient -> conversation (sender index, or -1 for the group) -> after. */
    private final Map<Integer, Map<Integer, Long>> cursors = new ConcurrentHashMap<>();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger refusedByApi = new AtomicInteger();
    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger terms = new AtomicInteger();
    private final AtomicInteger restartFailures = new AtomicInteger();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private Random random;
    private String groupId;
    private List<Integer> groupMembers;
    private String padding;
    private long startNanos;
    private final String tag = Long.toString(System.currentTimeMillis(), 36);

    public static void main(String[] args) {
        BenchmarkMain.run(new SoakBenchmark(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (relays < 1 || nodes - relays < 3) throw new BenchmarkException("--relays must be at least 1 and leave at least 3 personal nodes");
        if (groupSize < 2 || groupSize > nodes - relays) throw new BenchmarkException("--group-size must be 2.." + (nodes - relays));
        if (minutes <= 0 || rate <= 0 || groupRate < 0) throw new BenchmarkException("--minutes and --rate must be positive, --group-rate not negative");
        random = new Random(seed);
        boolean ownDir = dir == null;
        if (ownDir) dir = Files.createTempDirectory("ferry-soak");
        if (csv == null) csv = Path.of("soak-" + Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-') + ".csv");
        padding = "x".repeat(Math.max(0, size - 40));
        boolean passed = false;
        try {
            passed = run();
            return passed ? 0 : 1;
        } finally {
            ExecutorService stopping = Executors.newFixedThreadPool(4);
            for (FerryNodeProcess node : all) stopping.submit(node::close);
            stopping.shutdown();
            stopping.awaitTermination(2, TimeUnit.MINUTES);
            if (ownDir && passed && !keep) TempDirs.deleteTree(dir);
            else System.out.println("data directories and logs kept in " + dir);
        }
    }

    private boolean run() throws Exception {
        System.out.printf("Ferry soak, %s%n  machine  %s, %d cores; Java %s; seed %d%n", Instant.now().truncatedTo(ChronoUnit.SECONDS),
                MachineInfo.cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seed);
        System.out.printf("%d ferry node processes (%d relays), %.1f min; %.2f 1:1 and %.2f group messages/s; a restart every %.0f s "
                + "on average, down up to %.0f s, %.0f%% SIGKILL; child JVMs %s%n", nodes, relays, minutes, rate, groupRate,
                restartEvery, downMax, 100 * killShare, String.join(" ", FerryNodeProcess.JVM_FLAGS));
        List<String> nodeArgs = List.of("--repair-interval", repairInterval);
        for (int i = 0; i < nodes; i++) {
            boolean relay = i < relays;
            all.add(new FerryNodeProcess((relay ? "relay-" : "user-") + i, relay, dir, nodeArgs));
            gates.put(i, new ReentrantReadWriteLock());
            cursors.put(i, new ConcurrentHashMap<>());
        }
        long setup = System.nanoTime();
        // The relays first, each joining through those before it; then the personal nodes, a few at a time.
        for (int i = 0; i < relays; i++) {
            all.get(i).start(bootstrapFor(i), false);
            up.put(i, true);
        }
        ExecutorService starting = Executors.newFixedThreadPool(4);
        List<Future<?>> started = new ArrayList<>();
        for (int i = relays; i < nodes; i++) {
            int index = i;
            started.add(starting.submit(() -> {
                all.get(index).start(bootstrapFor(index), true);
                up.put(index, true);
                return null;
            }));
        }
        for (Future<?> f : started) f.get();
        starting.shutdown();
        System.out.printf("setup: %d nodes up in %.0f s%n", nodes, (System.nanoTime() - setup) / 1e9);
        createGroup();

        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv))) {
            out.println("elapsed_s,node,role,incarnation,uptime_s,heap_used_bytes,live_heap_after_full_gc_bytes,open_fds,connections");
            startNanos = System.nanoTime();
            ScheduledExecutorService timers = Executors.newScheduledThreadPool(4);
            ExecutorService senders = Executors.newFixedThreadPool(6);
            long directPeriod = (long) (1e9 / rate);
            timers.scheduleAtFixedRate(() -> senders.submit(this::sendDirect), 0, directPeriod, TimeUnit.NANOSECONDS);
            if (groupRate > 0) {
                timers.scheduleAtFixedRate(() -> senders.submit(this::sendGroup), directPeriod / 2, (long) (1e9 / groupRate),
                        TimeUnit.NANOSECONDS);
            }
            timers.scheduleWithFixedDelay(() -> sampleAll(out), 5, sampleEvery, TimeUnit.SECONDS);
            timers.scheduleWithFixedDelay(this::readAll, 20, 20, TimeUnit.SECONDS);
            long gcSpacing = Math.max(1, gcEvery * 1000L / nodes);
            AtomicInteger gcNext = new AtomicInteger();
            timers.scheduleWithFixedDelay(() -> forceGc(out, gcNext.getAndIncrement() % nodes), gcSpacing, gcSpacing, TimeUnit.MILLISECONDS);
            ExecutorService restarts = Executors.newCachedThreadPool();
            long end = startNanos + (long) (minutes * 60e9);
            long nextLine = startNanos + 60_000_000_000L;
            long nextRestart = startNanos + nextRestartDelay();
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextRestart) {
                    scheduleRestart(restarts);
                    nextRestart = now + nextRestartDelay();
                }
                if (now >= nextLine) {
                    printProgress();
                    nextLine += 60_000_000_000L;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            // The traffic ends; restarts under way finish and every node comes back.
            timers.shutdownNow();
            senders.shutdown();
            senders.awaitTermination(2, TimeUnit.MINUTES);
            restarts.shutdown();
            restarts.awaitTermination(5, TimeUnit.MINUTES);
            for (int i = 0; i < nodes; i++) {
                if (!up.getOrDefault(i, false)) bringUp(i);
            }
            System.out.printf("traffic over after %.1f min: %d messages accepted; draining with every node up (at most %.0f min)%n",
                    elapsedSeconds() / 60, sent.size(), drainMinutes);
            ScheduledExecutorService drainSampler = Executors.newSingleThreadScheduledExecutor();
            drainSampler.scheduleWithFixedDelay(() -> sampleAll(out), 0, sampleEvery, TimeUnit.SECONDS);
            drainSampler.scheduleWithFixedDelay(() -> forceGc(out, gcNext.getAndIncrement() % nodes), gcSpacing, gcSpacing, TimeUnit.MILLISECONDS);
            long drainEnd = System.nanoTime() + (long) (drainMinutes * 60e9);
            long drainStarted = System.nanoTime();
            // At least two windows of samples after the traffic, so the last window sees the nodes at rest too.
            while (System.nanoTime() < drainEnd) {
                readAll();
                if (missing() == 0 && System.nanoTime() - drainStarted > 60e9) break;
                TimeUnit.SECONDS.sleep(10);
            }
            readAll();
            drainSampler.shutdownNow();
            drainSampler.awaitTermination(1, TimeUnit.MINUTES);
            System.out.printf("drain: %.0f s%n", (System.nanoTime() - drainStarted) / 1e9);
        }
        return summary();
    }

    private List<String> bootstrapFor(int index) {
        List<String> bootstrap = new ArrayList<>();
        for (int r = 0; r < relays; r++) {
            if (r != index && all.get(r).peerId() != null) bootstrap.add(all.get(r).address());
        }
        return bootstrap;
    }

    private long nextRestartDelay() {
        return (long) (-Math.log(1 - random.nextDouble()) * restartEvery * 1e9);
    }

    /** The owner (the first personal node) makes the group and invites members until each has it. */
    private void createGroup() throws Exception {
        groupMembers = new ArrayList<>();
        for (int i = relays; i < relays + groupSize; i++) groupMembers.add(i);
        NodeApi owner = api(relays);
        NodeApi.Answer created = owner.post("/api/v1/groups", new JsonObject().put("name", "soak"));
        if (!created.ok()) throw new BenchmarkException("creating the group failed: " + created.status() + " " + created.raw());
        groupId = created.body().getString("id");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (int m : groupMembers.subList(1, groupMembers.size())) {
            while (true) {
                NodeApi.Answer invited = owner.post("/api/v1/groups/" + groupId + "/members",
                        new JsonObject().put("peer", all.get(m).peerId()));
                if (invited.ok()) break;
                if (System.nanoTime() > deadline) {
                    throw new BenchmarkException("inviting " + all.get(m).name + " failed: " + invited.status() + " " + invited.raw());
                }
                TimeUnit.SECONDS.sleep(2);
            }
        }
        for (int m : groupMembers) {
            while (!api(m).get("/api/v1/groups/" + groupId).ok()) {
                if (System.nanoTime() > deadline) throw new BenchmarkException(all.get(m).name + " did not get the group invitation");
                TimeUnit.SECONDS.sleep(1);
            }
        }
        System.out.printf("group: %d members, all have it%n", groupMembers.size());
    }

    private NodeApi api(int index) {
        return new NodeApi(all.get(index));
    }

    private List<Integer> personal() {
        List<Integer> out = new ArrayList<>();
        for (int i = relays; i < nodes; i++) out.add(i);
        return out;
    }

    /** Runs {@code action} on a random node of {@code from} that is up and stays up while it runs; false if none is. */
    private boolean onLiveNode(List<Integer> from, NodeAction action) {
        List<Integer> order = new ArrayList<>(from);
        synchronized (random) {
            Collections.shuffle(order, random);
        }
        for (int index : order) {
            ReentrantReadWriteLock.ReadLock gate = gates.get(index).readLock();
            if (!gate.tryLock()) continue;
            try {
                if (!up.getOrDefault(index, false)) continue;
                action.run(index);
                return true;
            } catch (Exception e) {
                problems.add(all.get(index).name + ": " + e);
                return true;
            } finally {
                gate.unlock();
            }
        }
        return false;
    }

    private interface NodeAction {
        void run(int index) throws Exception;
    }

    private void sendDirect() {
        onLiveNode(personal(), sender -> {
            List<Integer> others = new ArrayList<>(personal());
            others.remove((Integer) sender);
            int recipient;
            synchronized (random) {
                recipient = others.get(random.nextInt(others.size()));
            }
            long id = ids.incrementAndGet();
            long at = System.currentTimeMillis();
            NodeApi.Answer answer = api(sender).post("/api/v1/messages",
                    new JsonObject().put("to", all.get(recipient).peerId()).put("text", text(id)));
            record(answer, new Sent(id, Kind.DIRECT, sender, List.of(recipient), at));
        });
    }

    private void sendGroup() {
        onLiveNode(groupMembers, sender -> {
            long id = ids.incrementAndGet();
            List<Integer> recipients = new ArrayList<>(groupMembers);
            recipients.remove((Integer) sender);
            long at = System.currentTimeMillis();
            NodeApi.Answer answer = api(sender).post("/api/v1/groups/" + groupId + "/messages", new JsonObject().put("text", text(id)));
            record(answer, new Sent(id, Kind.GROUP, sender, List.copyOf(recipients), at));
        });
    }

    private String text(long id) {
        return "soak " + tag + " " + id + " " + padding;
    }

    private void record(NodeApi.Answer answer, Sent message) {
        if (answer.ok()) {
            sent.put(message.id(), message);
        } else {
            refusedByApi.incrementAndGet();
            String error = answer.status() + " " + answer.body().getString("error", answer.raw());
            refusals.computeIfAbsent(message.kind() + " " + error, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Stops a random node that is up (if fewer than --max-down are down) and starts it again after a while. */
    private void scheduleRestart(ExecutorService restarts) {
        long down = up.values().stream().filter(u -> !u).count();
        if (down >= maxDown) return;
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < nodes; i++) if (up.getOrDefault(i, false)) candidates.add(i);
        if (candidates.isEmpty()) return;
        int index = candidates.get(random.nextInt(candidates.size()));
        boolean kill = random.nextDouble() < killShare;
        double downFor = downMax * (0.2 + 0.8 * random.nextDouble());
        // Marked down before the stop so that nothing new is sent through it; sends under way finish first.
        ReentrantReadWriteLock.WriteLock gate = gates.get(index).writeLock();
        gate.lock();
        try {
            up.put(index, false);
        } finally {
            gate.unlock();
        }
        restarts.submit(() -> {
            try {
                all.get(index).stop(kill);
                (kill ? kills : terms).incrementAndGet();
                TimeUnit.MILLISECONDS.sleep((long) (downFor * 1000));
                bringUp(index);
            } catch (Exception e) {
                problems.add("restart of " + all.get(index).name + ": " + e.getMessage());
            }
            return null;
        });
    }

    private void bringUp(int index) {
        try {
            all.get(index).start(bootstrapFor(index), false);
            up.put(index, true);
        } catch (Exception e) {
            restartFailures.incrementAndGet();
            problems.add("start of " + all.get(index).name + ": " + e.getMessage());
        }
    }

    /** Reads every personal node's new messages: its 1:1 conversations and, for members, the group. */
    private void readAll() {
        for (int r : personal()) {
            if (!up.getOrDefault(r, false)) continue;
            try {
                readNode(r);
            } catch (IOException e) {
                // the node went down while read: its messages are read once it is back
            } catch (Exception e) {
                problems.add("reading " + all.get(r).name + ": " + e);
            }
        }
    }

    private synchronized void readNode(int r) throws Exception {
        NodeApi api = api(r);
        Map<Integer, Long> cursor = cursors.get(r);
        Map<String, Integer> byPeer = new HashMap<>();
        for (int s : personal()) byPeer.put(all.get(s).peerId(), s);
        NodeApi.Answer conversations = api.get("/api/v1/conversations");
        if (!conversations.ok()) throw new IOException("conversations: " + conversations.status());
        JsonArray list = conversations.array();
        for (int i = 0; i < list.size(); i++) {
            JsonObject c = list.getJsonObject(i);
            Integer s = byPeer.get(c.getString("peerId"));
            if (s == null || c.getLong("lastPosition") <= cursor.getOrDefault(s, 0L)) continue;
            readPages(api, r, s, "/api/v1/conversations/" + NodeApi.encode(c.getString("peerId")) + "/messages");
        }
        if (groupMembers.contains(r)) readPages(api, r, -1, "/api/v1/groups/" + groupId + "/messages");
    }

    private void readPages(NodeApi api, int r, int conversation, String path) throws Exception {
        Map<Integer, Long> cursor = cursors.get(r);
        while (true) {
            long after = cursor.getOrDefault(conversation, 0L);
            NodeApi.Answer page = api.get(path + "?after=" + after + "&limit=1000");
            if (!page.ok()) throw new IOException(path + ": " + page.status());
            JsonArray messages = page.body().getJsonArray("messages");
            for (int i = 0; i < messages.size(); i++) {
                JsonObject m = messages.getJsonObject(i);
                if (m.getBoolean("outgoing", false)) continue;
                String text = m.getString("text");
                if (text == null || !text.startsWith("soak " + tag + " ")) continue;
                long id = Long.parseLong(text.split(" ")[2]);
                long receivedAt = Instant.parse(m.getString("receivedAt")).toEpochMilli();
                seen.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).merge(r, new long[] {1, receivedAt},
                        (a, b) -> new long[] {a[0] + 1, Math.min(a[1], b[1])});
            }
            long next = page.body().getLong("next");
            if (next <= after) return;
            cursor.put(conversation, next);
            if (messages.isEmpty()) return;
        }
    }

    /** Deliveries still missing: (message, recipient) pairs not seen yet. */
    private long missing() {
        long missing = 0;
        for (Sent s : sent.values()) {
            Map<Integer, long[]> got = seen.getOrDefault(s.id(), Map.of());
            for (int r : s.recipients()) if (!got.containsKey(r)) missing++;
        }
        return missing;
    }

    private void forceGc(PrintWriter out, int index) {
        if (!up.getOrDefault(index, false)) return;
        try {
            if (all.get(index).forceFullGc()) sample(out, index, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sampleAll(PrintWriter out) {
        for (int i = 0; i < nodes; i++) sample(out, i, false);
    }

    /**
     * Scrapes one node that is up and records a sample; {@code afterFullGc} when a full collection
     * was asked for just before, so that the pools' "used after the last collection" is the live heap.
     */
    private void sample(PrintWriter out, int i, boolean afterFullGc) {
        double elapsed = elapsedSeconds();
        FerryNodeProcess node = all.get(i);
        if (up.getOrDefault(i, false) && node.isRunning()) {
            try {
                Map<String, Double> m = node.scrape();
                int fds = node.openFds();
                double heapUsed = m.getOrDefault("jvm_memory_used_bytes{area=\"heap\"}", -1.0);
                // Used after the last collection, over every heap pool: the live heap right after a full collection.
                double live = FerryNodeProcess.sum(m, "jvm_memory_pool_collection_used_bytes");
                Sample s = new Sample(elapsed, i, node.incarnation(), node.uptimeSeconds(), heapUsed, live, fds,
                        m.getOrDefault("ferry_overlay_connections", -1.0),
                        afterFullGc);
                samples.add(s);
                synchronized (out) {
                    out.printf("%.0f,%s,%s,%d,%.0f,%.0f,%s,%d,%.0f%n", s.elapsed(), node.name, node.relay ? "relay" : "personal",
                            s.incarnation(), s.uptime(), s.heapUsed(), afterFullGc ? String.format("%.0f", s.liveHeap()) : "", s.fds(),
                            s.connections());
                    out.flush();
                }
            } catch (IOException e) {
                // down or restarting between the check and the scrape
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void printProgress() {
        long accepted = sent.size();
        long direct = sent.values().stream().filter(s -> s.kind() == Kind.DIRECT).count();
        long down = up.values().stream().filter(u -> !u).count();
        List<Sample> recent;
        synchronized (samples) {
            recent = samples.stream().filter(s -> s.elapsed() > elapsedSeconds() - sampleEvery - 5).toList();
        }
        double maxLive;
        synchronized (samples) {
            maxLive = samples.stream().filter(s -> s.afterFullGc() && s.elapsed() > elapsedSeconds() - gcEvery).mapToDouble(Sample::liveHeap)
                    .max().orElse(0);
        }
        int maxFds = recent.stream().mapToInt(Sample::fds).max().orElse(0);
        System.out.printf("%5.1f min  sent %d (1:1 %d, group %d), refused by the API %d; deliveries missing so far %d; restarts %d "
                + "(%d SIGKILL), down now %d; live heap max %.1f MiB, FDs max %d%n", elapsedSeconds() / 60, accepted, direct,
                accepted - direct, refusedByApi.get(), missing(), kills.get() + terms.get(), kills.get(), down, maxLive / (1 << 20), maxFds);
    }

    /** The verdicts, printed; true when every message reached every recipient once and no trend failed. */
    private boolean summary() {
        boolean ok = true;
        System.out.println();
        System.out.println("summary");
        for (Kind kind : Kind.values()) {
            long messages = 0, expected = 0, delivered = 0, duplicated = 0, lost = 0;
            List<Long> latencies = new ArrayList<>();
            List<String> examples = new ArrayList<>();
            for (Sent s : sent.values()) {
                if (s.kind() != kind) continue;
                messages++;
                Map<Integer, long[]> got = seen.getOrDefault(s.id(), Map.of());
                for (int r : s.recipients()) {
                    expected++;
                    long[] g = got.get(r);
                    if (g == null) {
                        lost++;
                        if (examples.size() < 5) examples.add("#" + s.id() + " " + all.get(s.sender()).name + " -> " + all.get(r).name);
                        continue;
                    }
                    delivered++;
                    if (g[0] > 1) duplicated++;
                    latencies.add(Math.max(0, g[1] - s.sentAtMillis()));
                }
            }
            latencies.sort(Comparator.naturalOrder());
            System.out.printf("  %-6s %d messages, %d deliveries expected, %d delivered (%.3f%%), %d lost, %d duplicated; latency p50 %s, "
                    + "p90 %s, p99 %s, max %s%n", kind == Kind.DIRECT ? "1:1" : "group", messages, expected, delivered,
                    expected == 0 ? 100.0 : 100.0 * delivered / expected, lost, duplicated, millis(latencies, 0.5),
                    millis(latencies, 0.9), millis(latencies, 0.99), millis(latencies, 1.0));
            if (!examples.isEmpty()) System.out.println("    lost, e.g.: " + String.join(", ", examples));
            if (lost > 0 || duplicated > 0) ok = false;
        }
        System.out.printf("  refused by the API (never accepted, not counted above): %d%s%n", refusedByApi.get(),
                refusals.isEmpty() ? "" : " " + refusals);
        System.out.printf("  restarts: %d (%d SIGTERM, %d SIGKILL), %d failed to start%n", kills.get() + terms.get(), terms.get(),
                kills.get(), restartFailures.get());
        if (restartFailures.get() > 0) ok = false;
        ok &= trends();
        synchronized (problems) {
            if (!problems.isEmpty()) {
                System.out.printf("  problems (%d), first ones: %s%n", problems.size(), problems.subList(0, Math.min(5, problems.size())));
            }
        }
        System.out.println("  samples in " + csv.toAbsolutePath());
        System.out.println("verdict: " + (ok ? "PASS" : "FAIL"));
        return ok;
    }

    /**
     * For each node and incarnation that ran the warm-up and two windows: the median live heap and
     * FDs of its first window against those of its last. Prints one line per node.
     */
    private boolean trends() {
        boolean ok = true;
        int judged = 0;
        System.out.printf("  trends (first window after %d s of uptime vs the last %d s of the incarnation; allowed: +%.0f%% +8 MiB heap, "
                + "+%.0f%% +%d FDs)%n", trendWarmup, trendWindow, 100 * heapTolerance, 100 * fdTolerance, FD_SLACK);
        Map<String, List<Sample>> byIncarnation = new java.util.TreeMap<>();
        synchronized (samples) {
            for (Sample s : samples) {
                byIncarnation.computeIfAbsent(String.format("%03d#%03d", s.node(), s.incarnation()), k -> new ArrayList<>()).add(s);
            }
        }
        for (var e : byIncarnation.entrySet()) {
            List<Sample> list = e.getValue();
            Sample first = list.getFirst();
            double endUptime = list.getLast().uptime();
            String name = all.get(first.node()).name + " #" + first.incarnation();
            // The first window starts at the first sample past the warm-up (the first incarnations are sampled from the traffic's start).
            double from = list.stream().mapToDouble(Sample::uptime).filter(u -> u >= trendWarmup).min().orElse(Double.MAX_VALUE);
            if (endUptime - from < 2.0 * trendWindow) {
                continue;
            }
            List<Sample> early = list.stream().filter(s -> s.uptime() >= from && s.uptime() < from + trendWindow).toList();
            List<Sample> late = list.stream().filter(s -> s.uptime() > endUptime - trendWindow).toList();
            // The old generation's "used after the last collection" means the live heap only once a full collection ran.
            double heapFirst = median(early.stream().filter(Sample::afterFullGc).map(Sample::liveHeap).toList());
            double heapLast = median(late.stream().filter(Sample::afterFullGc).map(Sample::liveHeap).toList());
            double fdFirst = median(early.stream().filter(s -> !s.afterFullGc()).map(s -> (double) s.fds()).toList());
            double fdLast = median(late.stream().filter(s -> !s.afterFullGc()).map(s -> (double) s.fds()).toList());
            boolean heapOk = !Double.isNaN(heapFirst) && heapLast <= heapFirst * (1 + heapTolerance) + HEAP_SLACK_BYTES;
            boolean fdOk = !Double.isNaN(fdFirst) && fdLast <= fdFirst * (1 + fdTolerance) + FD_SLACK;
            judged++;
            ok &= heapOk && fdOk;
            System.out.printf("    %-14s %5.1f min: live heap %6.1f -> %6.1f MiB %s; FDs %4.0f -> %4.0f %s%n", name, endUptime / 60,
                    heapFirst / (1 << 20), heapLast / (1 << 20), heapOk ? "flat" : "GROWS", fdFirst, fdLast, fdOk ? "flat" : "GROW");
        }
        if (judged == 0) System.out.println("    no incarnation ran long enough to be judged (warm-up and two windows)");
        else System.out.printf("    %d incarnations judged: %s%n", judged, ok ? "flat" : "a trend failed");
        return ok;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String millis(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return "-";
        int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(q * sorted.size()) - 1));
        long ms = sorted.get(index);
        return ms >= 10_000 ? String.format("%.1f s", ms / 1000.0) : ms + " ms";
    }

}
