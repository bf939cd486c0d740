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

    /** Up to {@code limit} messages that arrived, after position {@code after}, skipping the user's own. */
    List<ReceivedMessage> received(ConversationId conversation, long after, int limit) {
        List<ReceivedMessage> found = new java.util.ArrayList<>();
        long from = after;
        while (found.size() < limit) {
            List<InboxMessage> page = store.inbox().read(conversation, from, Math.min(limit, dev.ferry.store.Inbox.MAX_READ));
            for (InboxMessage entry : page) {
                ReceivedMessage message = InboxRecords.decode(entry.body());
                if (!message.sender().equals(self) && found.size() < limit) found.add(message);
            }
            if (page.size() < Math.min(limit, dev.ferry.store.Inbox.MAX_READ)) break;
            from = page.getLast().sequence();
        }
        return found;
    }

    /** Up to {@code limit} messages the user sent 1:1, in envelope id order after {@code after}, with their kept states. */
    List<SentMessage> sent(Optional<EnvelopeId> after, int limit) {
        return store.sentMessages().list(after, Math.min(limit, dev.ferry.store.KeyedRecords.MAX_LIST)).stream().map(e -> {
            DeliveryProto.SentRecord r = parse(e.getKey(), e.getValue());
            return new SentMessage(e.getKey(), PeerId.fromBytes(r.getRecipient().toByteArray()), r.getPosition(),
                    DeliveryState.valueOf(r.getState()), Instant.ofEpochMilli(r.getSentMs()), Instant.ofEpochMilli(r.getUpdatedMs()));
        }).toList();
    }

    /**
     * The peers the user has a 1:1 conversation with: every peer with a session or a contact entry
     * whose conversation holds a message, each with its last position.
     */
    java.util.Map<PeerId, Long> peers() {
        java.util.Map<PeerId, Long> found = new java.util.LinkedHashMap<>();
        for (dev.ferry.store.KeyedRecords<dev.ferry.store.PeerBytes> table : List.of(store.sessions(), store.contacts())) {
            Optional<dev.ferry.store.PeerBytes> after = Optional.empty();
            while (true) {
                var page = table.list(after, dev.ferry.store.KeyedRecords.MAX_LIST);
                for (var e : page) {
                    byte[] peer = e.getKey().bytes();
                    long last = store.inbox().lastSequence(ConversationId.of(peer));
                    if (last > 0) found.putIfAbsent(PeerId.fromBytes(peer), last);
                }
                if (page.size() < dev.ferry.store.KeyedRecords.MAX_LIST) break;
                after = Optional.of(page.getLast().getKey());
            }
        }
        return found;
    }

    private ChatMessage toChatMessage(InboxMessage entry) {
        InboxRecords.Entry decoded = InboxRecords.decodeEntry(entry.body());
        ReceivedMessage m = decoded.message();
        Optional<DeliveryState> state = decoded.envelope().flatMap(this::stateOf);
        return new ChatMessage(entry.sequence(), m.sender(), m.sender().equals(self), m.group(), m.type(), m.body(), m.sentAt(),
                m.receivedAt(), decoded.envelope(), state);
    }

    private Optional<DeliveryProto.SentRecord> sentRecord(EnvelopeId envelope) {
        return store.sentMessages().get(envelope).map(bytes -> parse(envelope, bytes));
    }

    private static DeliveryProto.SentRecord parse(EnvelopeId envelope, byte[] bytes) {
        try {
            return DeliveryProto.SentRecord.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable sent-message record of " + envelope + ": " + e.getMessage(), e);
        }
    }

    private static byte[] sentRecord(PeerId recipient, long position, DeliveryState state, Instant at) {
        return DeliveryProto.SentRecord.newBuilder()
                .setRecipient(com.google.protobuf.ByteString.copyFrom(recipient.toBytes()))
                .setPosition(position)
                .setState(state.name())
                .setUpdatedMs(at.toEpochMilli())
                .setSentMs(at.toEpochMilli())
                .build().toByteArray();
    }
}
