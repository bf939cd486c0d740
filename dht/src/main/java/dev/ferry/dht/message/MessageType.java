package dev.ferry.dht.message;

import java.util.Optional;

/** The kad-dht message types, with their protobuf numbers. */
public enum MessageType {
    PUT_VALUE(0),
    GET_VALUE(1),
    ADD_PROVIDER(2),
    GET_PROVIDERS(3),
    FIND_NODE(4),
    /** Deprecated by the spec in favour of the ping protocol: answered, never sent. */
    PING(5);

    private final int number;

    MessageType(int number) {
        this.number = number;
    }

    /** The protobuf enum number. */
    public int number() {
        return number;
    }

    /** The type numbered {@code number}; empty for a number the spec does not define. */
    public static Optional<MessageType> forNumber(int number) {
        for (MessageType type : values()) {
            if (type.number == number) return Optional.of(type);
        }
        return Optional.empty();
    }
}
