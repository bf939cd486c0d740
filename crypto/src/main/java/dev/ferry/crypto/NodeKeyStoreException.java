package dev.ferry.crypto;

/**
 * The node key could not be loaded or stored. The message is one line, fit to show a user of the
 * command line, and says what to do when there is something to do (such as {@code chmod 600}).
 */
public final class NodeKeyStoreException extends RuntimeException {
    public NodeKeyStoreException(String message) {
        super(message);
    }

    public NodeKeyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
