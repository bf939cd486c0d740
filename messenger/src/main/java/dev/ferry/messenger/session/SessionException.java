package dev.ferry.messenger.session;

/** Why a message could not be sealed for a peer; nothing changed. */
public final class SessionException extends Exception {
    /** Why sealing was refused. */
    public enum Reason {
        /** There is no session with the peer and no prekey bundle was given: fetch the peer's bundle and seal again. */
        NO_SESSION,
        /** The bundle given is not the peer's, is stale, or carries an unusable key (X3DH refused it). */
        BAD_BUNDLE
    }

    private final Reason reason;

    public SessionException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
