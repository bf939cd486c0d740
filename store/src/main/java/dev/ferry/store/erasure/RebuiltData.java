package dev.ferry.store.erasure;

import java.util.Set;

/**
 * The result of {@link ReedSolomonCodec#decode}: the original data and the indices of the given
 * shards that were ignored because they did not match their hash (wrong size or content), so
 * that the caller can tell which holder served a bad shard.
 */
public final class RebuiltData {
    private final byte[] data;
    private final Set<Integer> rejectedShards;

    RebuiltData(byte[] data, Set<Integer> rejectedShards) {
        this.data = data;
        this.rejectedShards = Set.copyOf(rejectedShards);
    }

    /** The rebuilt data; a fresh array the caller owns. */
    public byte[] data() {
        return data;
    }

    /** Indices of given shards that did not match their hash. */
    public Set<Integer> rejectedShards() {
        return rejectedShards;
    }

    @Override
    public String toString() {
        return "RebuiltData[" + data.length + " bytes, rejected shards " + rejectedShards + "]";
    }
}
