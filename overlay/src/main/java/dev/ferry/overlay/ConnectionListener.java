package dev.ferry.overlay;

/** Told of connections as they open and close; called on the connection's event loop. */
public interface ConnectionListener {
    default void connected(Connection connection) {}

    default void disconnected(Connection connection) {}
}
