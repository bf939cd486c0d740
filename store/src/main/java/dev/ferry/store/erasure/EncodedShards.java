package dev.ferry.store.erasure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output of {@link ReedSolomonCodec#encode(byte[])}: the n shards (k data, then m parity)
 * and their {@link ShardManifest} (parameters, data length, shard size and shard hashes).
 * Immutable: accessors hand out copies.
 */
public final class EncodedShards {
    private final ShardManifest manifest;
    private final byte[][] shards;

    /** Takes ownership of {@code shards}; the codec is the only caller. */
    EncodedShards(ShardManifest manifest, byte[][] shards) {
        this.manifest = manifest;
        this.shards = shards;
    }

    public ShardManifest manifest() {
        return manifest;
    }

    public ErasureParameters parameters() {
        return manifest.parameters();
    }

    /** k. */
    public int dataShards() {
        return manifest.parameters().dataShards();
    }

    /** m. */
    public int parityShards() {
        return manifest.parameters().parityShards();
    }

    /** n = k + m. */
    public int totalShards() {
        return shards.length;
    }

    public int dataLength() {
        return manifest.dataLength();
    }

    public int shardSize() {
        return manifest.shardSize();
    }

    /** A copy of shard {@code index} (0..k-1 data, k..n-1 parity). */
    public byte[] shard(int index) {
        return shards[manifest.checkIndex(index)].clone();
    }

    /** A copy of the SHA-256 of shard {@code index}. */
    public byte[] shardHash(int index) {
        return manifest.shardHash(index);
    }

    /** Copies of all shard hashes, in shard order. */
    public List<byte[]> shardHashes() {
        return manifest.shardHashes();
    }

    /** Copies of all shards keyed by index, the form {@link ReedSolomonCodec#decode} takes. */
    public Map<Integer, byte[]> shardsByIndex() {
        Map<Integer, byte[]> byIndex = new LinkedHashMap<>();
        for (int i = 0; i < shards.length; i++) byIndex.put(i, shards[i].clone());
        return byIndex;
    }

    @Override
    public String toString() {
        return "EncodedShards[" + manifest + "]";
    }
}
