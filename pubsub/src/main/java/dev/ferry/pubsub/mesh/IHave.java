package dev.ferry.pubsub.mesh;

import dev.ferry.pubsub.cache.MessageKey;
import java.util.List;
import java.util.Objects;

/** One IHAVE entry, received or to send: message ids of one topic. */
public record IHave(String topic, List<MessageKey> ids) {
    public IHave {
        Objects.requireNonNull(topic, "topic");
        ids = List.copyOf(ids);
    }
}
