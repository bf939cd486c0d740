package dev.ferry.pubsub.router;

/** A pubsub request of ours that cannot be done; the message is one line, fit for a CLI. */
public final class PubSubException extends RuntimeException {
    public PubSubException(String message) {
        super(message);
    }
}
