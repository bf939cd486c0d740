package dev.ferry.bench;

import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.DeliveryState;
import dev.ferry.messenger.DeliveryUpdate;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.messenger.delivery.RetrySchedule;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.EnvelopeId;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Delivery through a network of whole Ferry nodes in this JVM (RocksDB stores in a temporary
 * directory, real TCP on loopback, shared event loops): half the nodes send to a partner each.
 *
 * <ul>
 *   <li><b>Offline</b>: the recipients are away; the senders' envelopes are Reed-Solomon coded
 *       onto the mailbox holders. Figures: envelopes per second until every one is stored (k
 *       holders confirmed), then, with the recipients back, envelopes per second until every
 *       message is in its recipient's inbox, and the end-to-end latency of a message to a recipient
 *       who was away: from its return to the message in its inbox (p50, p90, p99).
 *   <li><b>Online</b>: every pair sends directly; figures: messages per second and the latency from
 *       send to the sender seeing the ACK (p50, p90, p99).
 *   <li><b>Restart</b>: the recipients stop and come back with nothing waiting: how much of the
 *       retrieval's time is their restart, which no envelope causes.
 * </ul>
 *
 * The recipients come back all at once, as many users would. The phases run {@code --warmup}
 * rounds, then {@code --rounds} measured rounds; the goal is checked on the medians of the
 * measured rounds. The warm-up rounds are there for the JIT compilers: a 2-core machine has one C2
 * thread, whose queue the three phases keep filling for about half a minute (a node that has run
 * for a minute is past that). Every round's figures and its compilers' share of the CPU are
 * printed, the first (cold) round's too.
 *
 * <p>Each sender keeps at most {@code --window} messages on their way. There is no js-libp2p side:
 * js-libp2p has no messenger to compare with. The goal of issue 6 is printed next to the figures.
 */
@Command(name = "bench/run messenger", sortOptions = false,
        description = "Offline (mailbox) and online (direct) delivery through whole Ferry nodes in one JVM.")
public final class MessengerBenchmark implements Callable<Integer> {
    /** Issue 6's goal, envelopes per second stored and retrieved on the 2-core machine. */
    static final double GOAL_ENVELOPES_PER_SECOND = 2000;
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Option(names = "--nodes", description = "Nodes in the network (default: ${DEFAULT-VALUE}); half of them send.")
    int nodes = 20;

    @Option(names = "--messages", description = "Messages in each phase, over all senders (default: ${DEFAULT-VALUE}).")
    int messages = 4000;

    @Option(names = "--size", description = "Message body bytes (default: ${DEFAULT-VALUE}).")
    int size = 100;

    @Option(names = "--window", description = "Messages each sender keeps on their way (default: ${DEFAULT-VALUE}).")
    int window = 64;

    @Option(names = "--warmup", description = "Rounds of the phases run first, not measured, while the JIT compilers work through "
            + "their queue (default: ${DEFAULT-VALUE}).")
    int warmup = 4;

    @Option(names = "--rounds", description = "Measured rounds of the phases after the warm-up (default: ${DEFAULT-VALUE}); "
            + "the goal is checked on their medians.")
    int rounds = 3;

    @Option(names = "--cpu", description = "After each phase, print where the CPU time went, by thread kind, the mailbox requests and the bytes sent.")
    boolean cpu;

    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final java.util.concurrent.ExecutorService starters = java.util.concurrent.Executors.newCachedThreadPool();
    private final Map<Integer, FerryNode> running = new ConcurrentHashMap<>();
    private Path dir;
    private final List<Multiaddr> seeds = new ArrayList<>();

    public static void main(String[] args) {
        BenchmarkMain.run(new MessengerBenchmark(), args);
    }

    private MessengerConfig config() {
        return MessengerConfig.defaults()
                .withIntervals(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMinutes(10), Duration.ofSeconds(10))
                .withRetry(new RetrySchedule(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2), Duration.ofSeconds(5));
    }

    private FerryNode start(int index) {
        FerryNode node = FerryNode.builder()
                .dataDirectory(dir.resolve("node-" + index))
                .listen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .bootstrap(List.copyOf(seeds))
                .config(config())
                .eventLoops(group)
                .start();
        if (seeds.size() < 3) seeds.add(node.addresses().getFirst());
        join(node.join());
        running.put(index, node);
        return node;
    }

    @Override
    public Integer call() throws Exception {
        measure();
        return 0;
    }

    /**
     * What one run measured: every round (warm-up rounds first), how many of them were warm-up,
     * the table of every round and the goal's table on the medians of the measured rounds.
     */
    record Result(List<RoundResult> rounds, int warmup, FigureTable roundsTable, FigureTable goalTable) {
        /** The rounds after the warm-up. */
        List<RoundResult> measured() {
            return rounds.subList(warmup, rounds.size());
        }
    }

    /** Runs the benchmark, printing as it goes, and returns its figures. */
    Result measure() throws Exception {
        if (nodes < 4 || nodes % 2 != 0) throw new BenchmarkException("--nodes must be even and at least 4");
        if (warmup < 0) throw new BenchmarkException("--warmup must be 0 or more");
        if (rounds < 1) throw new BenchmarkException("--rounds must be at least 1");
        dir = Files.createTempDirectory("ferry-messenger-bench");
        try {
            return run();
        } finally {
            running.values().forEach(FerryNode::close);
            starters.shutdown();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
            TempDirs.deleteTree(dir);
        }
    }

    private Result run() {
        System.out.printf("Ferry messenger delivery, %s%n  machine  %s, %d cores; Java %s%n", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                MachineInfo.cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("%d nodes, %d messages of %d bytes per phase, window %d per sender%n", nodes, messages, size, window);
        for (int i = 0; i < nodes; i++) start(i);
        int pairs = nodes / 2;
        // Sender i (even index) writes to recipient i + 1; a first message sets up each session.
        for (int p = 0; p < pairs; p++) join(node(2 * p).send(node(2 * p + 1).peerId(), "hello"));
        for (int p = 0; p < pairs; p++) {
            FerryNode recipient = node(2 * p + 1);
            PeerId sender = node(2 * p).peerId();
            await(() -> recipient.conversation(sender, 0, 10).size() == 1);
        }
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        String text = new String(body);
        List<RoundResult> results = new ArrayList<>();
        int total = warmup + rounds;
        for (int round = 1; round <= total; round++) {
            System.out.printf("round %d of %d%s%n", round, total, round <= warmup ? " (warm-up)" : " (measured)");
            results.add(round(text, round));
        }
        return summary(results);
    }

    /**
     * Every round's figures in one table, then the goal, checked on the medians of the measured
     * rounds, with the first round's (cold) figures beside it.
     */
    Result summary(List<RoundResult> results) {
        FigureTable rounds = new FigureTable("round", "", "stored/s", "retrieved/s", "retrieval s", "restart alone s",
                "return to inbox p50 ms", "online/s", "JIT share of CPU");
        for (int i = 0; i < results.size(); i++) {
            RoundResult r = results.get(i);
            rounds.row(Integer.toString(i + 1), i < warmup ? "warm-up" : "measured", fmt("%.0f", r.stored()), fmt("%.0f", r.retrieved()),
                    fmt("%.2f", r.retrieveSeconds()), fmt("%.2f", r.restartSeconds()), fmt("%.0f", r.returnToInboxP50Millis()),
                    fmt("%.0f", r.online()), fmt("%.0f %%", 100 * r.jitShare()));
        }
        System.out.print(rounds.text());
        List<RoundResult> measured = results.subList(warmup, results.size());
        double stored = DhtBenchmark.median(measured.stream().map(RoundResult::stored).toList());
        double retrieved = DhtBenchmark.median(measured.stream().map(RoundResult::retrieved).toList());
        double restart = DhtBenchmark.median(measured.stream().map(RoundResult::restartSeconds).toList());
        double retrieval = DhtBenchmark.median(measured.stream().map(RoundResult::retrieveSeconds).toList());
        double slowest = Math.min(stored, retrieved);
        RoundResult cold = results.getFirst();
        String which = measured.size() == 1 ? "the measured round" : "medians of the " + measured.size() + " measured rounds";
        System.out.printf("goal: %.0f envelopes/s stored and retrieved: %s (%s: stored %.0f, retrieved %.0f; "
                + "%.0f / %.0f = %.2f); the recipients' restart alone took %.2f s of the retrieval's %.2f s; cold (round 1): "
                + "stored %.0f, retrieved %.0f%n", GOAL_ENVELOPES_PER_SECOND, slowest >= GOAL_ENVELOPES_PER_SECOND ? "met" : "not met",
                which, stored, retrieved, slowest, GOAL_ENVELOPES_PER_SECOND, slowest / GOAL_ENVELOPES_PER_SECOND, restart,
                retrieval, cold.stored(), cold.retrieved());
        FigureTable goal = new FigureTable("metric (" + which + ")", "Ferry", "goal", "Ferry/goal", "met?");
        goal.row("offline, stored on the holders, envelopes/s", fmt("%.0f", stored), fmt("%.0f", GOAL_ENVELOPES_PER_SECOND),
                fmt("%.2f", stored / GOAL_ENVELOPES_PER_SECOND), stored >= GOAL_ENVELOPES_PER_SECOND ? "yes" : "NO");
        goal.row("offline, retrieved (restarts included), envelopes/s", fmt("%.0f", retrieved), fmt("%.0f", GOAL_ENVELOPES_PER_SECOND),
                fmt("%.2f", retrieved / GOAL_ENVELOPES_PER_SECOND), retrieved >= GOAL_ENVELOPES_PER_SECOND ? "yes" : "NO");
        goal.row("of the retrieval's seconds, the recipients' restart alone", fmt("%.2f of %.2f", restart, retrieval), "", "", "");
        goal.row("online, direct, messages/s", fmt("%.0f", DhtBenchmark.median(measured.stream().map(RoundResult::online).toList())),
                "", "", "");
        goal.row("cold (round 1): stored, retrieved", fmt("%.0f, %.0f", cold.stored(), cold.retrieved()), "", "", "");
        return new Result(results, warmup, rounds, goal);
    }

    private static String fmt(String format, Object... args) {
        return String.format(java.util.Locale.ROOT, format, args);
    }

    /**
     * A round's figures: envelopes per second stored and retrieved, the retrieval's seconds and
     * those of a restart alone, the median time from a recipient's return to a message in its
     * inbox, online messages per second, and the JIT compilers' share of the
     * process's CPU over the whole round; and the samples behind the latencies: each message's
     * milliseconds from its recipient's return to its inbox, and each online message's from send
     * to ACK.
     */
    record RoundResult(double stored, double retrieved, double retrieveSeconds, double restartSeconds,
            double returnToInboxP50Millis, double online, double jitShare, List<Double> returnToInboxMillis,
            List<Double> onlineAckMillis) {}

    /**
     * One offline phase, one online phase and a restart of the recipients with nothing waiting for them.
     * Every round after the first finds the JIT compiler past the hottest paths, though not done (see docs/BENCHMARKS.md).
     */
    private RoundResult round(String text, int round) {
        long cpuBefore = processCpu();
        long jitBefore = compilerThreadsCpu();
        int pairs = nodes / 2;
        int perSender = messages / pairs;

        // Offline: the recipients go away.
        List<PeerId> recipients = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            recipients.add(node(2 * p + 1).peerId());
            running.remove(2 * p + 1).close();
        }
        Usage atStart = usage();
        long started = System.nanoTime();
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            FerryNode sender = node(2 * p);
            PeerId to = recipients.get(p);
            sending.add(CompletableFuture.runAsync(() -> sendWindowed(sender, to, text, perSender, DeliveryState.STORED)));
        }
        sending.forEach(MessengerBenchmark::join);
        double storeSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("offline: %d envelopes stored on their holders in %.2f s: %.0f envelopes/s%n", perSender * pairs, storeSeconds,
                perSender * pairs / storeSeconds);
        reportSince("storing", atStart, perSender * pairs);

        atStart = usage();
        started = System.nanoTime();
        java.time.Instant back = java.time.Instant.now();
        // The recipients come back at once, each on its own: a start returns when its first fetch round is done.
        startRecipients();
        double startSeconds = (System.nanoTime() - started) / 1e9;
        // After the session's first message, each earlier round left 2 * perSender messages in the inbox (offline and online).
        int expected = 1 + perSender * (2 * round - 1);
        for (int p = 0; p < pairs; p++) {
            FerryNode recipient = node(2 * p + 1);
            PeerId sender = node(2 * p).peerId();
            await(() -> inbox(recipient, sender) >= expected);
        }
        double fetchSeconds = (System.nanoTime() - started) / 1e9;
        // End-to-end for a recipient who was away: from its return to each message in its inbox (read after the clock stopped).
        List<Long> sinceReturn = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            for (ReceivedMessage m : node(2 * p + 1).conversation(node(2 * p).peerId(), expected - perSender, perSender)) {
                sinceReturn.add(Duration.between(back, m.receivedAt()).toNanos());
            }
        }
        sinceReturn.sort(Comparator.naturalOrder());
        System.out.printf("offline: %d envelopes retrieved into the inboxes in %.2f s (their starts returned after %.2f s): %.0f envelopes/s; "
                + "from the recipients' return to the inbox p50 %.0f ms, p90 %.0f ms, p99 %.0f ms%n",
                perSender * pairs, fetchSeconds, startSeconds, perSender * pairs / fetchSeconds, percentile(sinceReturn, 0.5),
                percentile(sinceReturn, 0.9), percentile(sinceReturn, 0.99));
        reportSince("retrieving", atStart, perSender * pairs);

        // Online: everyone is here; direct delivery.
        Map<EnvelopeId, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < pairs; p++) {
            java.util.function.Consumer<DeliveryUpdate> listener = update -> {
                if (update.state() == DeliveryState.DELIVERED) {
                    Long at = sentAt.remove(update.envelope());
                    if (at != null) latencies.add(System.nanoTime() - at);
                }
            };
            node(2 * p).onDelivery(listener);
        }
        long directBefore = running.values().stream().mapToLong(n -> counter(n, "ferry_messenger_envelopes_sent_total{path=\"direct\"}")).sum();
        atStart = usage();
        started = System.nanoTime();
        sending.clear();
        for (int p = 0; p < pairs; p++) {
            FerryNode sender = node(2 * p);
            PeerId to = node(2 * p + 1).peerId();
            sending.add(CompletableFuture.runAsync(() -> sendWindowed(sender, to, text, perSender, DeliveryState.DELIVERED, sentAt)));
        }
        sending.forEach(MessengerBenchmark::join);
        double onlineSeconds = (System.nanoTime() - started) / 1e9;
        long direct = running.values().stream().mapToLong(n -> counter(n, "ferry_messenger_envelopes_sent_total{path=\"direct\"}")).sum() - directBefore;
        List<Long> sorted = latencies.stream().sorted(Comparator.naturalOrder()).toList();
        System.out.printf("online: %d messages delivered in %.2f s: %.0f messages/s (%d sent directly); latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms%n",
                perSender * pairs, onlineSeconds, perSender * pairs / onlineSeconds, direct, percentile(sorted, 0.5),
                percentile(sorted, 0.9), percentile(sorted, 0.99));
        reportSince("online", atStart, perSender * pairs);
        double restartSeconds = restartWithEmptyMailboxes();
        long used = processCpu() - cpuBefore;
        double jitShare = used == 0 ? 0 : (double) (compilerThreadsCpu() - jitBefore) / used;
        return new RoundResult(perSender * pairs / storeSeconds, perSender * pairs / fetchSeconds, fetchSeconds, restartSeconds,
                percentile(sinceReturn, 0.5), perSender * pairs / onlineSeconds, jitShare, millis(sinceReturn), millis(sorted));
    }

    /** Starts every recipient (odd index) at once, each on its own thread; returns when all started. */
    private void startRecipients() {
        List<CompletableFuture<FerryNode>> starting = new ArrayList<>();
        for (int p = 0; p < nodes / 2; p++) {
            int index = 2 * p + 1;
            starting.add(CompletableFuture.supplyAsync(() -> start(index), starters));
        }
        starting.forEach(MessengerBenchmark::join);
    }

    /**
     * What coming back costs by itself: the recipients stop and start again as in the offline
     * phase, with nothing waiting for them. The seconds this takes are part of the retrieval
     * figure, however few envelopes wait; returns them.
     */
    private double restartWithEmptyMailboxes() {
        int pairs = nodes / 2;
        for (int p = 0; p < pairs; p++) running.remove(2 * p + 1).close();
        Usage atStart = usage();
        long started = System.nanoTime();
        startRecipients();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("restart: the %d recipients back with empty mailboxes in %.2f s%n", pairs, seconds);
        reportSince("restarting", atStart, 0);
        return seconds;
    }

    /**
     * CPU nanoseconds so far of the JIT compiler threads, from /proc (the JVM's management beans
     * give only their elapsed time, which counts the time they wait for a core); 0 off Linux.
     */
    private static long compilerThreadsCpu() {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) continue;
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                } catch (java.io.IOException | RuntimeException e) {
                    // a thread that ended while listed
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    /**
     * What the process has used so far: CPU nanoseconds of the whole process, of its JIT compilers
     * and of each kind of thread (its name without the node or pool number), and the bytes the nodes
     * running now have sent on all their connections (a node started since counts from zero).
     */
    private record Usage(long processCpu, long jitCpu, Map<String, Long> cpuByThreadKind, long bytesSent) {}

    /** CPU nanoseconds the whole process has used so far. */
    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** What the process has used so far, with {@code --cpu}; null without (nothing is reported then). */
    private Usage usage() {
        if (!cpu) return null;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> byKind = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) continue;
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos < 0) continue;
            String kind = info.getThreadName().replaceAll("-12D3KooW\\w*", "").replaceAll("-?\\d+$", "").replaceAll("-\\d+-", "-");
            byKind.merge(kind, nanos, Long::sum);
        }
        long process = processCpu();
        long bytes = running.values().stream().mapToLong(n -> counter(n, "ferry_overlay_bytes_total{direction=\"out\"}")).sum();
        return new Usage(process, compilerThreadsCpu(), byKind, bytes);
    }

    /**
     * With {@code --cpu}, prints what the phase used since {@code before}: the CPU time of the whole
     * process, the JIT compilers' time in it and the CPU time each kind of thread used (threads that
     * ended since are not counted; nor are the JVM's own, compiler and GC threads, which is what the
     * whole has on top of the kinds listed); the mailbox requests so far; the bytes all nodes sent, in
     * all and per envelope or message of the phase.
     */
    private void reportSince(String phase, Usage before, int envelopes) {
        if (!cpu) return;
        Usage now = usage();
        StringBuilder line = new StringBuilder(String.format("  cpu while %s: %.1fs in all, JIT compilers %.1fs;", phase,
                (now.processCpu() - before.processCpu()) / 1e9, (now.jitCpu() - before.jitCpu()) / 1e9));
        now.cpuByThreadKind().entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.cpuByThreadKind().getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 50_000_000L)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> line.append(String.format(" %s %.1fs", e.getKey(), e.getValue() / 1e9)));
        System.out.println(line);
        Map<String, Long> requests = new java.util.TreeMap<>();
        for (FerryNode node : running.values()) {
            node.metrics().scrapeText().lines().filter(l -> l.startsWith("ferry_mailbox_requests_total{")).forEach(l -> {
                String type = l.replaceAll(".*type=\"([^\"]*)\".*", "$1");
                if (type.equals("ack")) type = "ack/" + l.replaceAll(".*status=\"([^\"]*)\".*", "$1");
                requests.merge(type, (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), Long::sum);
            });
        }
        System.out.println("  mailbox requests so far (nodes running now): " + requests);
        long sent = now.bytesSent() - before.bytesSent();
        if (envelopes > 0) {
            System.out.printf("  on the wire: %.1f MB sent by all nodes, %.0f bytes per envelope%n", sent / 1e6, (double) sent / envelopes);
        }
    }

    /**
     * The messages in the recipient's inbox from {@code sender}: the inbox numbers them from 1 and
     * the benchmark deletes none, so the last number is the count (reading them all, every 10 ms,
     * was a twentieth of the CPU while retrieving).
     */
    private static long inbox(FerryNode recipient, PeerId sender) {
        return recipient.store().inbox().lastSequence(dev.ferry.store.ConversationId.of(sender.toBytes()));
    }

    private FerryNode node(int index) {
        return running.get(index);
    }

    private void sendWindowed(FerryNode sender, PeerId to, String text, int count, DeliveryState until) {
        sendWindowed(sender, to, text, count, until, null);
    }

    /** Sends {@code count} messages keeping at most {@code window} short of {@code until}; returns when all reached it. */
    private void sendWindowed(FerryNode sender, PeerId to, String text, int count, DeliveryState until, Map<EnvelopeId, Long> sentAt) {
        Semaphore slots = new Semaphore(window);
        Map<EnvelopeId, Boolean> waiting = new ConcurrentHashMap<>();
        Map<EnvelopeId, Boolean> reachedEarly = new ConcurrentHashMap<>();
        java.util.function.Consumer<DeliveryUpdate> listener = update -> {
            if (update.state().ordinal() < until.ordinal() || !update.recipient().equals(to)) return;
            if (waiting.remove(update.envelope()) != null) {
                slots.release();
            } else {
                reachedEarly.put(update.envelope(), Boolean.TRUE);
            }
        };
        sender.onDelivery(listener);
        for (int i = 0; i < count; i++) {
            slots.acquireUninterruptibly();
            long at = System.nanoTime();
            EnvelopeId id = join(sender.send(to, text));
            if (sentAt != null) sentAt.put(id, at);
            waiting.put(id, Boolean.TRUE);
            if (reachedEarly.remove(id) != null && waiting.remove(id) != null) slots.release();
        }
        if (!acquire(slots, window)) {
            throw new IllegalStateException(waiting.size() + " messages did not reach " + until + " within " + TIMEOUT);
        }
    }

    private static boolean acquire(Semaphore slots, int permits) {
        try {
            return slots.tryAcquire(permits, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long counter(FerryNode node, String line) {
        return node.metrics().scrapeText().lines().filter(l -> l.startsWith(line + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(line.length() + 1))).orElse(0L);
    }

    private static List<Double> millis(List<Long> nanos) {
        return nanos.stream().map(n -> n / 1e6).toList();
    }

    private static double percentile(List<Long> sortedNanos, double q) {
        if (sortedNanos.isEmpty()) return Double.NaN;
        int index = (int) Math.min(sortedNanos.size() - 1, Math.ceil(q * sortedNanos.size()) - 1);
        return sortedNanos.get(Math.max(0, index)) / 1e6;
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("not done within " + TIMEOUT);
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("did not complete: " + e);
        }
    }

}
