package dev.ferry.store;

/** Where an envelope the node sent stands, so that a restarted node knows what to push again.
 * Stored by ordinal: add new states at the end only. */
public enum OutboxState {
    /** Not yet delivered directly nor stored on enough mailbox holders: push it (again). */
    PENDING,
    /** Delivered directly or stored on its mailbox holders; kept until acknowledged or expired. */
    STORED,
    /** The recipient acknowledged it; kept only until the layer above deletes it. */
    ACKNOWLEDGED
}
