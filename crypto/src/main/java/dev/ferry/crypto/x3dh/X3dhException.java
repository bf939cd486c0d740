package dev.ferry.crypto.x3dh;

/** A prekey bundle or initial message that X3DH refuses, with the reason. */
public final class X3dhException extends Exception {
    /** Why the input was refused. */
    public enum Reason {
        /** The bytes do not decode, or a field has the wrong size. */
        MALFORMED,
        /** A signature by the Ed25519 identity does not verify. */
        BAD_SIGNATURE,
        /** The bundle is signed by someone other than the peer it was fetched for. */
        WRONG_IDENTITY,
        /** The bundle's prekey is too old (its owner has dropped it) or dated in the future. */
        STALE_PREKEY,
        /** The initial message names a prekey this node no longer (or never) had. */
        UNKNOWN_PREKEY,
        /** A public key is a low-order point, which would make the secret public. */
        INVALID_KEY
    }

    private final Reason reason;

    public X3dhException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
