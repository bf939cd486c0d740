package dev.ferry.pubsub.router;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.message.PubSubMessage;
import java.util.Objects;
import java.util.Optional;

/**
 * A message that passed the signature policy, as validators and subscribers see it.
 *
 * @param id its id under the router's message-id function
 * @param message the message itself (topic, data, and under StrictSign from, seqno, signature)
 * @param author who published it, verified; empty under StrictNoSign
 * @param receivedFrom the peer that sent it to us (the propagation source, not the author)
 */
public record ReceivedMessage(MessageId id, PubSubMessage message, Optional<PeerId> author, PeerId receivedFrom) {
    public ReceivedMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(receivedFrom, "receivedFrom");
    }

    public String topic() {
        return message.topic();
    }

    /** A copy of the payload. */
    public byte[] data() {
        return message.data();
    }
}
