package dev.ferry.store.erasure;

/**
 * Shards that each match their hash yet rebuild a shard that does not: the manifest's hashes do
 * not come from one encoding (a faulty or malicious sender). Repair must not place such a shard.
 */
public final class InconsistentShardsException extends ShardDecodingException {
    private final int shardIndex;

    InconsistentShardsException(int shardIndex) {
        super("rebuilt shard " + shardIndex + " does not match its hash: the manifest's shard hashes are not from one encoding");
        this.shardIndex = shardIndex;
    }

    /** The shard whose rebuilt bytes did not match its hash. */
    public int shardIndex() {
        return shardIndex;
    }
}
