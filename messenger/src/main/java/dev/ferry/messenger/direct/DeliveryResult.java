package dev.ferry.messenger.direct;

import dev.ferry.crypto.envelope.AckSecret;
import java.util.Objects;

/** How a direct delivery ended, as the sender sees it. */
public sealed interface DeliveryResult {
    /** The recipient answered with the secret whose SHA-256 is the header's ACK hash: delivered. */
    record Delivered(AckSecret ackSecret) implements DeliveryResult {
        public Delivered {
            Objects.requireNonNull(ackSecret, "ackSecret");
        }

        @Override
        public String toString() {
            return "Delivered";
        }
    }

    /** The recipient answered ACKNOWLEDGED with a secret that does not hash to the ACK hash: not delivered. */
    record BadAck(String detail) implements DeliveryResult {}

    /** The recipient refused it with {@code status}: store it in the mailbox, or drop it. */
    record Refused(DirectStatus status, String detail) implements DeliveryResult {}

    /** No answer: no connection, the protocol is not served, the stream broke, a malformed answer, or the timeout passed. */
    record Unreachable(String reason) implements DeliveryResult {}
}
