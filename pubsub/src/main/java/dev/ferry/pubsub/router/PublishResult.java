package dev.ferry.pubsub.router;

import dev.ferry.pubsub.message.MessageId;
import java.util.Objects;

/**
 * What {@link GossipSubRouter#publish} did.
 *
 * @param id the message's id
 * @param peers peers the message was queued for; 0 when no peer of the topic was known (it stays
 *     in the message cache, so peers that join within the gossip window can still get it by IWANT)
 */
public record PublishResult(MessageId id, int peers) {
    public PublishResult {
        Objects.requireNonNull(id, "id");
        if (peers < 0) throw new IllegalArgumentException("peers must not be negative");
    }
}
