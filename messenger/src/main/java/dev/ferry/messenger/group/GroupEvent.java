package dev.ferry.messenger.group;

/** What an operation or a control message did, for the application and the metrics. */
public enum GroupEvent {
    /** This member created the group. */
    CREATED,
    /** This member was invited: it now holds the group (or holds it again). */
    JOINED,
    /** A new epoch started: a member was invited, removed or left. */
    EPOCH_STARTED,
    /** A member's sender key was taken. */
    SENDER_KEY_ACCEPTED,
    /** A member's sender key for an epoch not yet installed was kept for later. */
    SENDER_KEY_PENDING,
    /**
     * A member that may have missed this member's sender key asked for it (it joined, or asked
     * again with {@link Groups#requestSenderKeys}); the current one was sent back.
     */
    SENDER_KEY_RESENT,
    /** This member sent its sender key again and asked every member for theirs. */
    SENDER_KEYS_REQUESTED,
    /** A member left (at the owner, this also started a new epoch). */
    MEMBER_LEFT,
    /** This member left. */
    LEFT,
    /** This member was removed. */
    REMOVED,
    /** The owner left: the group ended. */
    ENDED
}
