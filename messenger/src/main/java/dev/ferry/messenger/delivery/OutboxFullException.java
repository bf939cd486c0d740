package dev.ferry.messenger.delivery;

/** A send refused because the outbox already tracks its maximum of envelopes in flight. */
public final class OutboxFullException extends IllegalStateException {
    OutboxFullException(int max) {
        super("the outbox is full: " + max + " messages are still on their way; wait for some to be delivered or expire");
    }
}
