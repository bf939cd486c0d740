package dev.ferry.pubsub.message;

/** Why {@link RpcCodec} refused a whole RPC; one metric label each. */
public enum RpcRefusal {
    /** Longer than {@link RpcLimits#maxRpcBytes()}; refused before a byte of it is read. */
    TOO_LARGE,
    /**
     * Not a protobuf {@code RPC}: truncated, a bad varint or tag, a length past the end, a known
     * field with the wrong wire type, or a group (which pubsub never uses).
     */
    MALFORMED,
    /** A topic that is not valid UTF-8, which protobuf requires of a {@code string}. */
    INVALID_UTF8
}
