package dev.ferry.store;

/**
 * What one {@link FerryStore#sweepExpired} call deleted.
 *
 * @param shards shards deleted
 * @param tombstones ACK tombstones deleted
 * @param outboxEntries outbox entries deleted
 * @param prekeyBundles prekey bundles held for others deleted
 * @param bytesFreed shard bytes released from the limits
 * @param more whether more entries were already due: call again (after yielding to other work)
 */
public record SweepResult(int shards, int tombstones, int outboxEntries, int prekeyBundles, long bytesFreed,
        boolean more) {
    /** A result that deleted no prekey bundles (the form from before bundles were held). */
    public SweepResult(int shards, int tombstones, int outboxEntries, long bytesFreed, boolean more) {
        this(shards, tombstones, outboxEntries, 0, bytesFreed, more);
    }

    /** Everything deleted in this call. */
    public int total() {
        return shards + tombstones + outboxEntries + prekeyBundles;
    }
}
