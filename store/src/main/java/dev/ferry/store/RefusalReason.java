package dev.ferry.store;

/** Why the store refused a shard (or a held prekey bundle); the mailbox protocol sends it back to the sender. */
public enum RefusalReason {
    /** The shard alone is larger than {@link StoreLimits#maxShardBytes()}. */
    TOO_LARGE,
    /** The envelope was acknowledged here: its tombstone stops it from coming back. */
    TOMBSTONED,
    /** The sending peer already stores {@link StoreLimits#maxPeerBytes()} here. */
    PEER_QUOTA,
    /** The mailbox already holds {@link StoreLimits#maxMailboxBytes()}. */
    MAILBOX_FULL,
    /** The node already holds {@link StoreLimits#maxTotalBytes()}. */
    TOTAL_FULL,
    /** The node already holds {@link StoreLimits#maxHeldPrekeyBundles()} prekey bundles for others. */
    HELD_BUNDLES_FULL
}
