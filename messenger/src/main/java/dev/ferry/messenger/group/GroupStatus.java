package dev.ferry.messenger.group;

/** Where this member stands in a group. Only an active member sends and reads. */
public enum GroupStatus {
    /** A member of the current epoch. */
    ACTIVE,
    /** This member left; an invitation to a newer epoch brings it back. */
    LEFT,
    /** The owner removed this member; an invitation to a newer epoch brings it back. */
    REMOVED,
    /** The owner left, which ends the group for everyone: final. */
    ENDED
}
