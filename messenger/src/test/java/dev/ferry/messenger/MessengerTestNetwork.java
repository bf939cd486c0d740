package dev.ferry.messenger;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Whole Ferry nodes in one JVM on loopback, sharing a small event loop group, each with its own
 * RocksDB store under a directory the test owns, so that a node can be stopped and started again
 * with its identity and its data.
 */
final class MessengerTestNetwork implements AutoCloseable {
    /** Longest any one thing in these tests may take. */
    static final Duration WAIT = Duration.ofSeconds(60);
    static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final MessengerConfig config;
    private final Map<Integer, IdentityKeyPair> identities = new ConcurrentHashMap<>();
    private final Map<Integer, FerryNode> running = new ConcurrentHashMap<>();
    /** The first three nodes started: the others join through those of them that run. */
    private final List<Integer> seedNodes = new CopyOnWriteArrayList<>();

    MessengerTestNetwork(Path root, MessengerConfig config) {
        this.root = root;
        this.config = config;
    }

    /** A valid envelope to a new stranger's mailbox, coded 4 + 2: its header and all its shards. */
    record CodedEnvelope(EnvelopeHeader header, EncodedShards shards) {}

    /** A valid envelope of {@code payloadBytes} of random bytes to a new stranger's mailbox, as a flooder or a relay test stores it. */
    static CodedEnvelope strangerEnvelope(int payloadBytes) {
        Instant now = Instant.now();
        byte[] payload = new byte[payloadBytes];
        RANDOM.nextBytes(payload);
        PeerId stranger = IdentityKeyPair.generate(RANDOM).peerId();
        InnerContent content = InnerContent.create(
                ContentType.TEXT, IdentityKeyPair.generate(RANDOM).publicKey(), now, payload, RANDOM);
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content,
                X25519.generate(RANDOM).publicKey(), Mailbox.keyFor(stranger), now,
                now.plusSeconds(3600), RANDOM);
        EncodedShards shards = new ReedSolomonCodec(
                ErasureParameters.DEFAULT).encode(sealed.ciphertext());
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) hashes.add(shards.shardHash(i));
        return new CodedEnvelope(sealed.codedHeader(4, 2, hashes), shards);
    }

    /** A config with intervals short enough for tests. */
    static MessengerConfig fastConfig() {
        return MessengerConfig.defaults()
                .withIntervals(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .withRetry(new dev.ferry.messenger.delivery.RetrySchedule(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2),
                        Duration.ofSeconds(5));
    }

    /**
     * {@code config} with repair rounds an hour apart: no holder rebuilds a missing shard or
     * passes on another's tombstone unless the test runs {@link FerryNode#repairNow()}.
     */
    static MessengerConfig withoutRepair(MessengerConfig config) {
        return config.withIntervals(config.fetchInterval(), config.acknowledgementCheck(), Duration.ofHours(1), config.sweepInterval());
    }

    /** Starts {@code count} nodes, numbered from the current size, each joined through the first node(s). */
    List<FerryNode> start(int count) {
        List<FerryNode> started = new ArrayList<>();
        for (int i = 0; i < count; i++) started.add(start(identities.size(), UnaryOperator.identity()));
        return started;
    }

    /** Starts node {@code index} (again, with its identity and data, if it ran before). */
    FerryNode start(int index, UnaryOperator<FerryNode.Builder> adjust) {
        IdentityKeyPair identity = identities.computeIfAbsent(index, i -> IdentityKeyPair.generate(RANDOM));
        List<Integer> seedIndices = seedNodes.stream().filter(i -> i != index && running.containsKey(i)).toList();
        // When a test has stopped every seed node, a node coming back joins through others that run:
        // with no seed at all it would start a network of its own.
        if (seedIndices.isEmpty()) seedIndices = running.keySet().stream().filter(i -> i != index).sorted().limit(3).toList();
        List<Multiaddr> seeds = seedIndices.stream().map(i -> running.get(i).addresses().getFirst()).toList();
        FerryNode node = adjust.apply(FerryNode.builder()
                        .identity(identity)
                        .dataDirectory(root.resolve("node-" + index))
                        .listen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                        .bootstrap(seeds)
                        .config(config)
                        .eventLoops(group))
                .start();
        running.put(index, node);
        if (seedNodes.size() < 3 && !seedNodes.contains(index)) seedNodes.add(index);
        join(node.join()); // the first node too: it publishes its prekey bundle
        return node;
    }

    FerryNode node(int index) {
        FerryNode node = running.get(index);
        if (node == null) throw new IllegalStateException("node " + index + " is not running");
        return node;
    }

    boolean isRunning(int index) {
        return running.containsKey(index);
    }

    /** The running nodes that hold a shard of any of {@code envelopes}, by index, those holding shards of the most first. */
    List<Integer> holdersOf(Collection<EnvelopeId> envelopes) {
        Map<Integer, Long> held = new HashMap<>();
        running.forEach((index, node) -> held.put(index, heldBy(node, envelopes)));
        return held.keySet().stream().filter(i -> held.get(i) > 0)
                .sorted(Comparator.comparing(held::get, Comparator.reverseOrder()))
                .toList();
    }

    /** Shards of {@code envelope} on the running nodes. */
    int liveShards(EnvelopeId envelope) {
        return running.values().stream().mapToInt(n -> n.store().shards().getAll(envelope).size()).sum();
    }

    /** How many of {@code envelopes} {@code node} holds a shard of. */
    static long heldBy(FerryNode node, Collection<EnvelopeId> envelopes) {
        return envelopes.stream().filter(e -> node.store().shards().has(e)).count();
    }

    /** Stops node {@code index}, keeping its data for a restart. */
    void stop(int index) {
        FerryNode node = running.remove(index);
        if (node != null) node.close();
    }

    /** Sends a first message from {@code sender} to node {@code recipientIndex}, waits until it arrives (a session exists), then stops the recipient. */
    PeerId meetThenStop(FerryNode sender, int recipientIndex) {
        FerryNode recipient = node(recipientIndex);
        join(sender.send(recipient.peerId(), "first"));
        await("the first message arrives", () -> recipient.conversation(sender.peerId(), 0, 10).size() == 1,
                () -> "sender " + summary(sender) + "; recipient " + summary(recipient));
        stop(recipientIndex);
        return recipient.peerId();
    }

    /** The messenger's non-zero counters of {@code node}, for a failure message. */
    static String summary(FerryNode node) {
        return node.metrics().scrapeText().lines()
                .filter(l -> (l.startsWith("ferry_messenger") || l.startsWith("ferry_direct") || l.startsWith("ferry_mailbox_requests"))
                        && !l.contains("bucket") && !l.endsWith(" 0.0") && !l.endsWith(" 0"))
                .toList().toString();
    }

    /**
     * The value of one sample in {@code node}'s metrics scrape, named as the scrape names it:
     * {@code ferry_messenger_outbox_envelopes{state="stored"}}, {@code ..._seconds_count}.
     */
    static double metric(FerryNode node, String sample) {
        String prefix = sample + " ";
        return node.metrics().scrapeText().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).split(" ")[0]))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + sample + " in the scrape"));
    }

    /** The delivery states {@code sender} reports from now on, by envelope. */
    static Map<EnvelopeId, DeliveryState> deliveryStates(FerryNode sender) {
        Map<EnvelopeId, DeliveryState> states = new ConcurrentHashMap<>();
        sender.onDelivery(update -> states.put(update.envelope(), update.state()));
        return states;
    }

    /** Sends each text, then waits until the sender's node has stored (or delivered) every one. */
    static List<EnvelopeId> sendAndAwaitStored(FerryNode sender, PeerId recipient, List<String> texts,
            Map<EnvelopeId, DeliveryState> states) {
        List<EnvelopeId> envelopes = new ArrayList<>();
        for (String text : texts) envelopes.add(join(sender.send(recipient, text)));
        await("every envelope is stored", () -> envelopes.stream()
                .allMatch(e -> states.get(e) != null && states.get(e) != DeliveryState.QUEUED));
        return envelopes;
    }

    /** {@code prefix 0}, {@code prefix 1}, ... */
    static List<String> texts(String prefix, int count) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) texts.add(prefix + " " + i);
        return texts;
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("did not complete in " + WAIT + ": " + e, e);
        }
    }

    /** Waits until {@code condition} holds, checking every 20 ms; fails with {@code what} after {@code WAIT}. */
    static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    /** As {@link #await(String, BooleanSupplier)}, saying {@code state} on failure. */
    static void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT + ": " + what + " " + state.get());
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        for (Integer index : List.copyOf(running.keySet())) stop(index);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
