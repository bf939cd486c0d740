package dev.ferry.bench.jmh;

import dev.ferry.store.Durability;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.Shard;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.rocks.RocksFerryStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shard writes and reads on a RocksDB store in a temporary directory: a put is one WriteBatch
 * with the shard, its mailbox-index and expiry-index entries and three accounting counters; a
 * get reads one shard of {@value #PRELOADED} held ones at random.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RocksStoreBenchmark {
    /** Shards stored before measuring gets: more than fit in the memtable, fewer than make setup slow. */
    static final int PRELOADED = 20_000;

    /** Mailboxes and senders the shards spread over, as on a relay serving many recipients. */
    static final int MAILBOXES = 256;

    static final Instant EXPIRY = Instant.parse("2030-01-01T00:00:00Z");

    /** Room for every shard a run writes: the benchmark measures writes, not refusals. */
    static final StoreLimits UNBOUNDED = new StoreLimits(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4,
            StoreLimits.DEFAULT_MAX_SHARD_BYTES);

    @Param({"4096"})
    int shardBytes;

    @Param({"PROCESS_CRASH", "POWER_LOSS"})
    Durability durability;

    private Path directory;
    private RocksFerryStore store;
    private byte[] data;
    private byte[] header;
    private long next;
    private final SplittableRandom random = new SplittableRandom(1);

    @Setup
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("ferry-rocks-bench");
        store = RocksFerryStore.open(directory, UNBOUNDED, durability);
        data = new byte[shardBytes];
        random.nextBytes(data);
        header = new byte[200];
        random.nextBytes(header);
        store.write(batch -> {
            for (long n = 0; n < PRELOADED; n++) {
                batch.shards().put(shard(n));
            }
        });
        next = PRELOADED;
        // Reopening flushes the preloaded shards to table files (RocksDB flushes what it replays
        // from the log), so gets read a settled database, not a memtable being flushed meanwhile.
        store.close();
        store = RocksFerryStore.open(directory, UNBOUNDED, durability);
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Benchmark
    public boolean put() {
        return store.shards().put(shard(next++));
    }

    @Benchmark
    public Optional<Shard> get() {
        return store.shards().get(envelope(random.nextLong(PRELOADED)), 0);
    }

    private Shard shard(long n) {
        long spread = n % MAILBOXES;
        return new Shard(envelope(n), 0, MailboxKey.of(ByteBuffer.allocate(32).putLong(spread).array()),
                PeerBytes.of(ByteBuffer.allocate(38).putLong(spread).array()), EXPIRY, header, data);
    }

    private static EnvelopeId envelope(long n) {
        // Spread ids over the key space as SHA-256 ids are, rather than writing in key order.
        return EnvelopeId.of(ByteBuffer.allocate(32).putLong(Long.reverse(n) ^ 0x5DEECE66DL).putLong(n).array());
    }
}
