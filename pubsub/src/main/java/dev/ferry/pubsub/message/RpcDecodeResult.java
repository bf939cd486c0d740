package dev.ferry.pubsub.message;

import java.util.Objects;

/** What {@link RpcCodec} made of an RPC's bytes: the RPC, or why it was refused. */
public sealed interface RpcDecodeResult {
    /**
     * The RPC, accepted; {@code dropped} counts the entries left out of it, which a caller should
     * count in its metrics and may hold against the sender.
     */
    record Decoded(Rpc rpc, RpcDropped dropped) implements RpcDecodeResult {
        public Decoded {
            Objects.requireNonNull(rpc, "rpc");
            Objects.requireNonNull(dropped, "dropped");
        }
    }

    /** The RPC was refused as a whole; {@code detail} is one line, without the RPC's bytes. */
    record Refused(RpcRefusal reason, String detail) implements RpcDecodeResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
