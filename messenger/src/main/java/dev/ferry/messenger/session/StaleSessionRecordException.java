package dev.ferry.messenger.session;

/**
 * Thrown inside the caller's store batch when a session change was computed from a record that
 * has changed since (two seals or opens for one peer computed from the same state). The batch
 * applies nothing; the caller drops the envelope it was about to send, or opens the received
 * one again.
 */
public final class StaleSessionRecordException extends IllegalStateException {
    public StaleSessionRecordException(String message) {
        super(message);
    }
}
