package dev.ferry.store.erasure;

import java.util.Set;
import java.util.TreeSet;

/**
 * Fewer than k of the given shards matched their hashes, so the data (or a missing shard)
 * cannot be rebuilt. An expected outcome when holders are offline or serve bad shards: the
 * caller retries later or with other holders.
 */
public final class NotEnoughShardsException extends ShardDecodingException {
    private final int validShards;
    private final int requiredShards;
    private final Set<Integer> rejectedShards;

    NotEnoughShardsException(int validShards, int requiredShards, Set<Integer> rejectedShards) {
        super("need " + requiredShards + " valid shards, have " + validShards
                + (rejectedShards.isEmpty() ? "" : " (rejected as not matching their hash: " + new TreeSet<>(rejectedShards) + ")"));
        this.validShards = validShards;
        this.requiredShards = requiredShards;
        this.rejectedShards = Set.copyOf(rejectedShards);
    }

    /** How many given shards matched their hashes. */
    public int validShards() {
        return validShards;
    }

    /** k, the number needed. */
    public int requiredShards() {
        return requiredShards;
    }

    /** Indices of given shards that did not match their hash. */
    public Set<Integer> rejectedShards() {
        return rejectedShards;
    }
}
