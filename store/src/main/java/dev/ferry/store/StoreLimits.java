package dev.ferry.store;

/**
 * How many shard bytes a node keeps, checked when a shard is written. A shard's charged size is
 * its header plus its data ({@link Shard#chargedBytes()}). A write that would pass a limit is
 * refused with a {@link StoreRefusedException}; stored data is never evicted to make room.
 *
 * @param maxTotalBytes all shards of all mailboxes together: the disk the operator gives relaying
 * @param maxMailboxBytes one mailbox's shards: one recipient cannot take a whole node
 * @param maxPeerBytes the shards one sending peer stored here: one sender cannot fill a node or a
 *     mailbox (flooding a victim's mailbox costs the flooder its own quota first)
 * @param maxShardBytes one shard's charged size: a cap on any single write
 * @param maxHeldPrekeyBundles prekey bundles held for others ({@link HeldPrekeyBundles}), each at
 *     most {@link HeldPrekeyBundles#MAX_BUNDLE_BYTES}: they are not charged as shard bytes, so
 *     their own count bounds them
 */
public record StoreLimits(long maxTotalBytes, long maxMailboxBytes, long maxPeerBytes, int maxShardBytes,
        int maxHeldPrekeyBundles) {
    /** 1 GiB: a relay on a small VPS gives this much disk to strangers' shards. */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 1L << 30;

    /**
     * 64 MiB: a week of heavy 1:1 and group traffic for one offline recipient, while 16 full
     * mailboxes still fit in the total.
     */
    public static final long DEFAULT_MAX_MAILBOX_BYTES = 64L << 20;

    /** 32 MiB: half a mailbox, so a single sender cannot fill one mailbox on its own. */
    public static final long DEFAULT_MAX_PEER_BYTES = 32L << 20;

    /**
     * 1 MiB: an envelope is at most a few MiB and is cut into k = 4 data shards, so a real shard
     * plus its header is well below this.
     */
    public static final int DEFAULT_MAX_SHARD_BYTES = 1 << 20;

    /**
     * 100,000: a holder serves the mailboxes whose keys are near its own, a few per peer of the
     * network it knows; at most {@link HeldPrekeyBundles#MAX_BUNDLE_BYTES} each this stays under
     * 100 MiB (about 25 MiB for real, 250-byte bundles).
     */
    public static final int DEFAULT_MAX_HELD_PREKEY_BUNDLES = 100_000;

    /** The defaults above. */
    public static final StoreLimits DEFAULTS = new StoreLimits(DEFAULT_MAX_TOTAL_BYTES, DEFAULT_MAX_MAILBOX_BYTES,
            DEFAULT_MAX_PEER_BYTES, DEFAULT_MAX_SHARD_BYTES, DEFAULT_MAX_HELD_PREKEY_BUNDLES);

    /** Checks that every limit is positive. */
    public StoreLimits {
        if (maxTotalBytes <= 0 || maxMailboxBytes <= 0 || maxPeerBytes <= 0 || maxShardBytes <= 0
                || maxHeldPrekeyBundles <= 0) {
            throw new IllegalArgumentException("store limits must be positive: " + maxTotalBytes + ", "
                    + maxMailboxBytes + ", " + maxPeerBytes + ", " + maxShardBytes + ", " + maxHeldPrekeyBundles);
        }
    }

    /** Shard limits with the default {@link #DEFAULT_MAX_HELD_PREKEY_BUNDLES}. */
    public StoreLimits(long maxTotalBytes, long maxMailboxBytes, long maxPeerBytes, int maxShardBytes) {
        this(maxTotalBytes, maxMailboxBytes, maxPeerBytes, maxShardBytes, DEFAULT_MAX_HELD_PREKEY_BUNDLES);
    }
}
