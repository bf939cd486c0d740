package dev.ferry.dht.message;

import java.util.Objects;

/** What {@link DhtMessages} made of a message's bytes: the message, or why it was refused. */
public sealed interface DecodeResult {
    /**
     * The message, accepted; {@code dropped} counts the peers and addresses left out of it,
     * which a caller should count and may hold against the sender.
     */
    record Decoded(DhtMessage message, Dropped dropped) implements DecodeResult {
        public Decoded {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(dropped, "dropped");
        }
    }

    /** The message was refused as a whole; {@code detail} is one line, without the message's bytes. */
    record Refused(Refusal reason, String detail) implements DecodeResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
