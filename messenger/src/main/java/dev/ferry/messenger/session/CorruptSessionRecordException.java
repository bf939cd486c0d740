package dev.ferry.messenger.session;

/**
 * A session record in the store that does not decode. Only this node writes session records, so
 * this means a damaged store or a bug, not bad input from a peer; it names no secret.
 */
public final class CorruptSessionRecordException extends IllegalStateException {
    public CorruptSessionRecordException(String message) {
        super(message);
    }
}
