package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.store.EnvelopeId;
import java.time.Instant;
import java.util.Objects;

/**
 * A sent message reached a new {@link DeliveryState}.
 *
 * @param envelope the envelope carrying it (what the outbox lists)
 * @param recipient the peer it is for (for a group message: the group mailbox's owner key)
 * @param sequence the message's sequence number towards the recipient
 * @param state the state reached
 * @param at when it was reached, by this node's clock
 */
public record DeliveryUpdate(EnvelopeId envelope, PeerId recipient, long sequence, DeliveryState state, Instant at) {
    /** Checks the fields. */
    public DeliveryUpdate {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
    }
}
