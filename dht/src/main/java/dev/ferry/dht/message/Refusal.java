package dev.ferry.dht.message;

/** Why {@link DhtMessages} refused a whole message; one metric label each. */
public enum Refusal {
    /** Longer than the codec's maximum message size. */
    TOO_LARGE,
    /**
     * Not a protobuf {@code Message}: truncated, a bad varint or tag, a known field with the wrong
     * wire type, a group, or a {@code timeReceived} that is not UTF-8.
     */
    MALFORMED,
    /** A message type the spec does not define. */
    UNKNOWN_TYPE,
    /** A response whose type is not the request's. */
    UNEXPECTED_TYPE,
    /** A request without the key its type needs. */
    MISSING_KEY,
    /**
     * A message or record key longer than {@link DhtProtocol#MAX_KEY_LENGTH}, or a provider key
     * longer than {@link DhtProtocol#MAX_PROVIDER_KEY_LENGTH}.
     */
    KEY_TOO_LONG,
    /** A PUT_VALUE, or the echo of one, without a record. */
    MISSING_RECORD,
    /**
     * A record that does not belong where it is: a PUT_VALUE whose record key is not the message
     * key, a GET_VALUE answer with a record for another key, or a PUT_VALUE echo that is not
     * what was put.
     */
    RECORD_MISMATCH
}
