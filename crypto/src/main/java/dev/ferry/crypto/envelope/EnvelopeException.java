package dev.ferry.crypto.envelope;

/** An envelope, header or inner content that was refused, with the reason. Names no key material. */
public final class EnvelopeException extends Exception {
    /** Why something was refused. */
    public enum Reason {
        /** Not a valid encoding, or a field of the wrong size or out of range. */
        MALFORMED,
        /** Larger than its limit in {@link EnvelopeLimits}. */
        TOO_LARGE,
        /** The envelope id carried does not match the one its fields give: a field was changed. */
        ID_MISMATCH,
        /** The ciphertext's length or SHA-256 is not the one the header commits to. */
        CIPHERTEXT_MISMATCH,
        /** The expiry time has passed. */
        EXPIRED,
        /** Created further in the future than {@link EnvelopeLimits#MAX_CLOCK_SKEW}. */
        NOT_YET_VALID,
        /** The ciphertext does not open with this recipient key and these outer fields. */
        DECRYPTION_FAILED,
        /** The inner ACK secret does not hash to the outer ACK hash. */
        ACK_MISMATCH
    }

    private final Reason reason;

    public EnvelopeException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public EnvelopeException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
