package dev.ferry.messenger;

/**
 * Where a message the user sent stands, as the sender sees it. States only move forward:
 * {@code QUEUED -> STORED -> DELIVERED}, and {@code QUEUED} or {@code STORED} may end in
 * {@code EXPIRED} instead.
 */
public enum DeliveryState {
    /** Sealed and kept in the outbox; neither delivered directly nor on enough mailbox holders yet. */
    QUEUED,
    /** At least k mailbox holders confirmed their shard: the recipient can get it while this node is away. */
    STORED,
    /** The recipient acknowledged it (directly, or to its mailbox holders). */
    DELIVERED,
    /** Its expiry passed before the recipient acknowledged it; nobody keeps it any longer. */
    EXPIRED;

    /** Whether nothing more happens to a message in this state. */
    public boolean isFinal() {
        return this == DELIVERED || this == EXPIRED;
    }
}
