package dev.ferry.messenger.group;

/**
 * Why an operation, a control message, a group message or a stored state was refused; a refusal
 * never changes any state. {@code detail} says what was wrong and never names key material.
 */
public record GroupRefusal(Reason reason, String detail) {
    /** Why something was refused. */
    public enum Reason {
        /** Not a valid encoding, or a field of the wrong size or out of its range. */
        MALFORMED,
        /** Larger than its limit in {@link GroupLimits}. */
        TOO_LARGE,
        /** For another group than the state given. */
        WRONG_GROUP,
        /** A control message other than an invitation for a group this member does not hold. */
        UNKNOWN_GROUP,
        /** A roster or group message whose signature does not verify. */
        BAD_SIGNATURE,
        /** A roster signed by (and naming) another owner than the group's. */
        WRONG_OWNER,
        /** Only the owner sends rosters, removal and end notices; this came from someone else. */
        NOT_FROM_OWNER,
        /** A roster whose epoch is not newer than the one held (a replay or a reordering). */
        STALE_EPOCH,
        /** An epoch beyond {@link GroupLimits#MAX_EPOCH}, or outside the kept or accepted range. */
        EPOCH_OUT_OF_RANGE,
        /** A message of an epoch this member has not installed yet: retry once its roster arrived. */
        EPOCH_AHEAD,
        /** A message of an older epoch after {@link GroupLimits#EPOCH_GRACE}, or of an epoch no longer kept. */
        EPOCH_EXPIRED,
        /** A roster whose member list omits its owner. */
        OWNER_NOT_LISTED,
        /** A roster that lists a member twice. */
        DUPLICATE_MEMBER,
        /** A new epoch's roster that does not list this member (a removal comes as a removal notice). */
        NOT_LISTED,
        /** The peer named (or the sender) is not a member of the group's current roster. */
        NOT_A_MEMBER,
        /** A distribution that names someone else than the session it arrived on, or this member. */
        SENDER_MISMATCH,
        /** A group message whose sender is not in its epoch's roster. */
        SENDER_NOT_IN_ROSTER,
        /** This member's own message coming back (gossip, the mailbox): nothing to read. */
        OWN_MESSAGE,
        /** No sender key of this sender for the epoch yet: retry once its distribution arrived. */
        NO_SENDER_KEY,
        /** A message whose key was used already: a replay (or dropped from the skipped keys). */
        REPLAY,
        /** A message too far ahead of its sender's chain. */
        TOO_FAR_AHEAD,
        /** Signed correctly but its ciphertext does not authenticate. */
        DECRYPTION_FAILED,
        /** Only the owner invites and removes. */
        NOT_OWNER,
        /** The owner cannot be removed, nor leave as a member: the owner leaving ends the group. */
        OWNER_CANNOT_BE_REMOVED,
        /** The member invited is in the group already. */
        ALREADY_MEMBER,
        /** The group has {@link GroupLimits#MAX_MEMBERS} members already. */
        GROUP_FULL,
        /** More distributions waiting for their epoch than {@link GroupLimits#MAX_PENDING_DISTRIBUTIONS}. */
        TOO_MANY_PENDING,
        /** This member left or was removed, or the group ended. */
        INACTIVE
    }

    @Override
    public String toString() {
        return reason + ": " + detail;
    }
}
