package dev.ferry.bench.jmh;

import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.NotEnoughShardsException;
import dev.ferry.store.erasure.ReedSolomonCodec;
import dev.ferry.store.erasure.RebuiltData;
import dev.ferry.store.erasure.ShardManifest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Reed-Solomon codec at Ferry's default 4 + 2 on a 1 MiB payload. Each operation handles
 * exactly 1 MiB of payload, so ops/s reads directly as MiB/s.
 *
 * <ul>
 *   <li>{@code encode}: split, parity and the six shard SHA-256s (what a sender does).
 *   <li>{@code rebuild}: decode with data shards 0 and 1 missing, from shards 2, 3 and both
 *       parity shards, including checking the four shards' hashes (what a recipient does).
 *   <li>{@code encodeParity}: only the two parity shards from the four data shards, the coding
 *       arithmetic without splitting or hashing.
 *   <li>{@code hashShards}: only the SHA-256 of six 256 KiB shards, the share of {@code encode}
 *       that is hashing rather than coding.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReedSolomonBenchmark {
    /** 1 MiB, so that one op/s is one MiB/s. */
    private static final int PAYLOAD = 1 << 20;

    private ReedSolomonCodec codec;
    private byte[] payload;
    private ShardManifest manifest;
    private Map<Integer, byte[]> twoDataShardsMissing;
    private byte[][] shards;
    private byte[][] dataShards;
    private MessageDigest sha256;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        codec = ReedSolomonCodec.withDefaultParameters();
        payload = new byte[PAYLOAD];
        new Random(1).nextBytes(payload);
        EncodedShards encoded = codec.encode(payload);
        manifest = encoded.manifest();
        twoDataShardsMissing = Map.of(2, encoded.shard(2), 3, encoded.shard(3), 4, encoded.shard(4), 5, encoded.shard(5));
        shards = new byte[encoded.totalShards()][];
        for (int i = 0; i < shards.length; i++) shards[i] = encoded.shard(i);
        dataShards = Arrays.copyOf(shards, 4);
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    @Benchmark
    public EncodedShards encode() {
        return codec.encode(payload);
    }

    @Benchmark
    public RebuiltData rebuild() throws NotEnoughShardsException {
        return codec.decode(manifest, twoDataShardsMissing);
    }

    @Benchmark
    public byte[][] encodeParity() {
        return codec.encodeParity(dataShards);
    }

    @Benchmark
    public byte[] hashShards() {
        byte[] last = null;
        for (byte[] shard : shards) last = sha256.digest(shard);
        return last;
    }
}
