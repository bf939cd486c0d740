package dev.ferry.store;

/**
 * What one {@link FerryStore#sweepExpired} call deleted.
 *
 * @param shards shards deleted
 * @param tombstones ACK tombstones deleted
 * @param outboxEntries outbox entries deleted
 * @param bytesFreed shard bytes released from the limits
 * @param more whether more entries were already due: call again (after yielding to other work)
 */
public record SweepResult(int shards, int tombstones, int outboxEntries, long bytesFreed, boolean more) {
    /** Everything deleted in this call. */
    public int total() {
        return shards + tombstones + outboxEntries;
    }
}
