package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.store.EnvelopeId;
import java.time.Instant;

/**
 * A 1:1 message the user sent, as its delivery state is kept (also after delivery or expiry).
 *
 * @param envelope the envelope that carries it
 * @param recipient whom it is for: the conversation
 * @param position its place in that conversation ({@link ChatMessage#position()})
 * @param state how far it got, as last heard
 * @param sentAt when the user sent it
 * @param updatedAt when the state last changed
 */
public record SentMessage(EnvelopeId envelope, PeerId recipient, long position, DeliveryState state, Instant sentAt, Instant updatedAt) {}
