package dev.ferry.pubsub.score;

/**
 * Why the router did not deliver a message, as far as scoring cares (go-libp2p-pubsub's reject
 * reasons). Each reason belongs to one {@link Effect}.
 */
public enum RejectReason {
    /** A signature was required and missing. */
    MISSING_SIGNATURE(Effect.PENALISE_SENDER),
    /** The signature did not verify. */
    INVALID_SIGNATURE(Effect.PENALISE_SENDER),
    /** A signature was present where the policy forbids one (StrictNoSign). */
    UNEXPECTED_SIGNATURE(Effect.PENALISE_SENDER),
    /** A from or seqno field was present where the policy forbids it (StrictNoSign). */
    UNEXPECTED_AUTH_INFO(Effect.PENALISE_SENDER),
    /** The message claims to come from us, and we did not send it. */
    SELF_ORIGIN(Effect.PENALISE_SENDER),
    /** The forwarding peer is blacklisted. */
    BLACKLISTED_PEER(Effect.NONE),
    /** The message's author is blacklisted. */
    BLACKLISTED_SOURCE(Effect.NONE),
    /** Our validation queue was full: our limit, not the peer's fault. */
    VALIDATION_QUEUE_FULL(Effect.NONE),
    /** Validation was throttled: our limit, not the peer's fault. */
    VALIDATION_THROTTLED(Effect.IGNORE),
    /** The validator said "ignore" (extended validators): drop it, penalise nobody. */
    VALIDATION_IGNORED(Effect.IGNORE),
    /** The validator said "reject": the message is invalid (P4). */
    VALIDATION_FAILED(Effect.INVALID);

    /** What a rejection does to scores. */
    public enum Effect {
        /**
         * P4 for the sender only, and no record of the message id: the message is malformed
         * before validation, and its id may be that of a valid message (a forged signature on
         * someone else's content), which must not be marked invalid for everyone.
         */
        PENALISE_SENDER,
        /** Nothing: the reason says nothing about the peer. */
        NONE,
        /**
         * The message is dropped without penalty, and its later duplicates neither earn nor
         * cost anything: we cannot tell whether it was valid.
         */
        IGNORE,
        /**
         * P4 for the sender and for every peer that sent the message before or after, since
         * honest peers validate before forwarding.
         */
        INVALID
    }

    private final Effect effect;

    RejectReason(Effect effect) {
        this.effect = effect;
    }

    public Effect effect() {
        return effect;
    }
}
