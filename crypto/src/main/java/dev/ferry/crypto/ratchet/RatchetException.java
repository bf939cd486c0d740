package dev.ferry.crypto.ratchet;

/**
 * A ratchet message, or a persisted session state, that was refused. The session that refused it
 * is unchanged: keep using it. {@link #reason()} says why, for metrics and for deciding whether
 * the peer is misbehaving; the message never contains key material.
 */
public final class RatchetException extends Exception {
    /** Why a message or a state was refused. */
    public enum Reason {
        /**
         * The message's key was already used (a replay or a duplicate delivery) or is no longer
         * held (dropped by the skipped-key cap).
         */
        DUPLICATE,
        /** Decrypting it would skip more than {@link RatchetLimits#MAX_SKIP} message keys in one chain. */
        TOO_MANY_SKIPPED,
        /**
         * The AEAD check failed: the ciphertext, the header or the associated data was changed, or
         * the message belongs to another session.
         */
        AUTHENTICATION_FAILED,
        /** The bytes are not a ratchet message: wrong version, lengths or size, or an invalid key. */
        MALFORMED,
        /** The bytes are not a valid persisted session state. */
        MALFORMED_STATE
    }

    private final Reason reason;

    public RatchetException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /** Why the message or state was refused. */
    public Reason reason() {
        return reason;
    }
}
