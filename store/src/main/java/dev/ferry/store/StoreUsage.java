package dev.ferry.store;

/**
 * What shards take against a limit: the whole node, one mailbox or one sending peer.
 *
 * @param bytes charged bytes ({@link Shard#chargedBytes()} summed)
 * @param shards how many shards
 */
public record StoreUsage(long bytes, long shards) {
    /** Nothing stored. */
    public static final StoreUsage NONE = new StoreUsage(0, 0);
}
