package dev.ferry.messenger;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.messenger.proto.DeliveryProto;
import dev.ferry.store.ConversationId;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.InboxMessage;
import dev.ferry.store.StoreBatch;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The conversations as the user sees them: what arrived, and what the user sent, in one inbox
 * per peer or group. A message the user sends is written to its conversation in the same batch
 * as the sealed envelope, so the two never disagree after a crash; its delivery state is kept
 * beside it (the {@code sent_messages} table) and only moves forward.
 */
final class Conversations {
    private final FerryStore store;
    private final PeerId self;

    Conversations(FerryStore store, PeerId self) {
        this.store = store;
        this.self = self;
    }

    /** Whether a message of this type is the user's own content, shown in the conversation (not keys or control messages). */
    static boolean isShown(ContentType type) {
        return type == ContentType.TEXT;
    }

    /** In the batch that queues the envelope: the user's 1:1 message, appended to the conversation, and its state QUEUED. */
    void recordSent(StoreBatch batch, PeerId recipient, EnvelopeId envelope, long sequence, ContentType type, byte[] body, Instant at) {
        ReceivedMessage own = new ReceivedMessage(self, Optional.empty(), sequence, type, body, at, at);
        long position = batch.inbox().append(ConversationId.of(recipient.toBytes()), InboxRecords.encode(own, Optional.of(envelope)));
        batch.sentMessages().put(envelope, sentRecord(recipient, position, DeliveryState.QUEUED, at));
    }

    /** In the batch that keeps the group's new sender-key state: the user's message, appended to the group's conversation. */
    void recordSentToGroup(StoreBatch batch, byte[] groupId, ContentType type, byte[] body, Instant at) {
        ReceivedMessage own = new ReceivedMessage(self, Optional.of(groupId), 0, type, body, at, at);
        batch.inbox().append(ConversationId.of(groupId), InboxRecords.encode(own, Optional.empty()));
    }

    /**
     * Keeps the newest state of a message the user sent; a state never goes back (an update that
     * arrives late, after the final one, changes nothing).
     *
     * @return whether the kept state changed
     */
    boolean updateState(EnvelopeId envelope, DeliveryState state, Instant at) {
        Optional<DeliveryProto.SentRecord> current = sentRecord(envelope);
        if (current.isEmpty()) return false;
        DeliveryState was = DeliveryState.valueOf(current.get().getState());
        if (was.isFinal() || was.compareTo(state) >= 0) return false;
        store.sentMessages().put(envelope, current.get().toBuilder().setState(state.name()).setUpdatedMs(at.toEpochMilli()).build().toByteArray());
        return true;
    }

    /** The kept state of a message the user sent, if it is one. */
    Optional<DeliveryState> stateOf(EnvelopeId envelope) {
        return sentRecord(envelope).map(r -> DeliveryState.valueOf(r.getState()));
    }

    /** Up to {@code limit} messages of a conversation after position {@code after}, oldest first. */
    List<ChatMessage> read(ConversationId conversation, long after, int limit) {
        return store.inbox().read(conversation, after, limit).stream().map(this::toChatMessage).toList();
    }

    /** Only the messages that arrived, for callers that page over received messages alone. */
    List<ReceivedMessage> received(ConversationId conversation, long after, int limit) {
        return store.inbox().read(conversation, after, limit).stream()
                .map(entry -> InboxRecords.decode(entry.body()))
                .filter(message -> !message.sender().equals(self))
                .toList();
    }

    private ChatMessage toChatMessage(InboxMessage entry) {
        InboxRecords.Entry decoded = InboxRecords.decodeEntry(entry.body());
        ReceivedMessage m = decoded.message();
        Optional<DeliveryState> state = decoded.envelope().flatMap(this::stateOf);
        return new ChatMessage(entry.sequence(), m.sender(), m.sender().equals(self), m.group(), m.type(), m.body(), m.sentAt(),
                m.receivedAt(), decoded.envelope(), state);
    }

    private Optional<DeliveryProto.SentRecord> sentRecord(EnvelopeId envelope) {
        return store.sentMessages().get(envelope).map(bytes -> {
            try {
                return DeliveryProto.SentRecord.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("unreadable sent-message record of " + envelope + ": " + e.getMessage(), e);
            }
        });
    }

    private static byte[] sentRecord(PeerId recipient, long position, DeliveryState state, Instant at) {
        return DeliveryProto.SentRecord.newBuilder()
                .setRecipient(com.google.protobuf.ByteString.copyFrom(recipient.toBytes()))
                .setPosition(position)
                .setState(state.name())
                .setUpdatedMs(at.toEpochMilli())
                .build().toByteArray();
    }
}
