package dev.ferry.store.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.InconsistentShardsException;
import dev.ferry.store.erasure.NotEnoughShardsException;
import dev.ferry.store.erasure.ReedSolomonCodec;
import dev.ferry.store.erasure.RebuiltData;
import dev.ferry.store.erasure.ShardManifest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shards of an envelope come back from holders, any of which may lie, and its manifest
 * (sizes and hashes) comes from a sender, who may lie too. Whatever shards are given, rebuilding
 * gives the data or refuses with {@link NotEnoughShardsException} (repair also with
 * {@link InconsistentShardsException}), never another exception. With the sender's true manifest
 * the data rebuilt is the data sent, and exactly the shards that were changed are rejected.
 */
class ShardRebuildFuzzTest {
    @FuzzTest
    void rebuild(FuzzedDataProvider in) throws Exception {
        ErasureParameters parameters = new ErasureParameters(in.consumeInt(1, 8), in.consumeInt(0, 4));
        ReedSolomonCodec codec = new ReedSolomonCodec(parameters);
        byte[] data = in.consumeBytes(in.consumeInt(0, 512));
        EncodedShards encoded = codec.encode(data);

        // What the holders return: each shard kept, lost, or replaced by other bytes.
        Map<Integer, byte[]> returned = new HashMap<>();
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < encoded.totalShards(); i++) {
            switch (in.consumeInt(0, 3)) {
                case 0 -> returned.put(i, encoded.shard(i));
                case 1 -> { }
                case 2 -> {
                    byte[] other = in.consumeBytes(in.consumeInt(0, encoded.shardSize() + 2));
                    returned.put(i, other);
                    if (!Arrays.equals(other, encoded.shard(i))) changed.add(i);
                }
                default -> {
                    byte[] flipped = encoded.shard(i);
                    flipped[in.consumeInt(0, flipped.length - 1)] ^= (byte) in.consumeInt(1, 255);
                    returned.put(i, flipped);
                    changed.add(i);
                }
            }
        }

        try {
            RebuiltData rebuilt = codec.decode(encoded.manifest(), returned);
            if (!Arrays.equals(rebuilt.data(), data)) throw new AssertionError("rebuilt other data than was sent");
            if (!rebuilt.rejectedShards().equals(new java.util.TreeSet<>(changed))) {
                throw new AssertionError("rejected " + rebuilt.rejectedShards() + ", changed " + changed);
            }
        } catch (NotEnoughShardsException refused) {
            // fewer than k true shards
        }
        int index = in.consumeInt(0, encoded.totalShards() - 1);
        try {
            if (!Arrays.equals(codec.repair(encoded.manifest(), index, returned), encoded.shard(index))) {
                throw new AssertionError("repaired shard differs from the one sent");
            }
        } catch (NotEnoughShardsException refused) {
            // fewer than k true shards
        }

        // A lying sender: a manifest whose hashes are those of whatever came back, right-sized or not.
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < encoded.totalShards(); i++) {
            byte[] shard = returned.get(i);
            hashes.add(MessageDigest.getInstance("SHA-256").digest(shard == null ? new byte[0] : shard));
        }
        ShardManifest forged = new ShardManifest(parameters, data.length, hashes);
        try {
            RebuiltData rebuilt = codec.decode(forged, returned);
            if (rebuilt.data().length != data.length) throw new AssertionError("rebuilt data of another length than the manifest's");
        } catch (NotEnoughShardsException refused) {
            // too few of the right size
        }
        try {
            codec.repair(forged, index, returned);
        } catch (NotEnoughShardsException | InconsistentShardsException refused) {
            // too few, or they do not agree with each other
        }
    }
}
