package dev.ferry.store;

/**
 * A shard was refused for a {@link RefusalReason}; nothing of the write (nor of the batch it was
 * part of) was applied. This is a normal outcome for a full node, not a bug.
 */
public final class StoreRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RefusalReason reason;

    /** A refusal for {@code reason}, with a sentence saying which limit and by how much. */
    public StoreRefusedException(RefusalReason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    /** Why the shard was refused. */
    public RefusalReason reason() {
        return reason;
    }
}
