package dev.ferry.pubsub.router;

/**
 * An application check on the messages of one topic, run after the signature policy and before
 * delivery and forwarding. Called on the router thread, once per message (duplicates never reach
 * it), so it must be quick and must not block; a validator that throws counts as
 * {@link ValidationResult#IGNORE}.
 */
@FunctionalInterface
public interface MessageValidator {
    ValidationResult validate(ReceivedMessage message);
}
