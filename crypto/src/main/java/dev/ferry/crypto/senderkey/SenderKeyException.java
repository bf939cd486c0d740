package dev.ferry.crypto.senderkey;

/**
 * A group message, distribution or state that was refused, with the reason. A refusal never
 * changes any state. Messages name no key material.
 */
public final class SenderKeyException extends Exception {
    /** Why something was refused. */
    public enum Reason {
        /** Not a valid encoding, or a field of the wrong size. */
        MALFORMED,
        /** Larger than its limit in {@link SenderKeyLimits}. */
        TOO_LARGE,
        /** For another group than this state's. */
        WRONG_GROUP,
        /** A distribution that names another sender than the session it arrived on. */
        SENDER_MISMATCH,
        /** No chain for this epoch and sender: never distributed to us, or dropped with its epoch. */
        NO_SENDER_KEY,
        /** An epoch older than the ones kept, or too far ahead of the current one. */
        EPOCH_OUT_OF_RANGE,
        /** More senders in one epoch than {@link SenderKeyLimits#MAX_SENDERS_PER_EPOCH}. */
        TOO_MANY_SENDERS,
        /** The signature does not verify with the sender's signing key for the epoch. */
        BAD_SIGNATURE,
        /** More than {@link SenderKeyLimits#MAX_FORWARD} messages ahead of the chain. */
        TOO_FAR_AHEAD,
        /** An iteration whose key was used already (a replay) or dropped from the skipped keys. */
        DUPLICATE_OR_TOO_OLD,
        /** Signed correctly but the ciphertext does not authenticate. */
        DECRYPTION_FAILED
    }

    private final Reason reason;

    public SenderKeyException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public SenderKeyException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
