package dev.ferry.dht.message;

/**
 * What the sender of a message says about its connection to a peer it lists. Advisory: a
 * number the spec does not define is read as {@link #NOT_CONNECTED}, "no information".
 */
public enum ConnectionType {
    /** No connection and no other information (the default). */
    NOT_CONNECTED(0),
    /** A live connection. */
    CONNECTED(1),
    /** Connected recently. */
    CAN_CONNECT(2),
    /** Tried hard to connect recently, and failed. */
    CANNOT_CONNECT(3);

    private final int number;

    ConnectionType(int number) {
        this.number = number;
    }

    /** The protobuf enum number. */
    public int number() {
        return number;
    }

    /** The type numbered {@code number}, or {@link #NOT_CONNECTED} for one the spec does not define. */
    public static ConnectionType forNumber(int number) {
        for (ConnectionType type : values()) {
            if (type.number == number) return type;
        }
        return NOT_CONNECTED;
    }
}
