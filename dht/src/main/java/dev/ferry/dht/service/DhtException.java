package dev.ferry.dht.service;

/**
 * A DHT request or operation failed: a refused answer, a limit reached, a closed service. A
 * {@linkplain #isLocal() local} failure is this node's own refusal (a limit, closing), which
 * says nothing about the peer the request was for.
 */
public final class DhtException extends RuntimeException {
    private final boolean local;

    public DhtException(String message) {
        this(message, false);
    }

    private DhtException(String message, boolean local) {
        super(message);
        this.local = local;
    }

    /** A failure of this node's making: a limit of ours, or the service closing. */
    static DhtException local(String message) {
        return new DhtException(message, true);
    }

    /** True if this node refused the work itself; false if a peer or the network failed it. */
    public boolean isLocal() {
        return local;
    }
}
