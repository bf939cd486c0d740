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
        return type == ContentType.TEXT || type == ContentType.FILE_CHUNK;
    }

    /** Positions a file search looks back through from a file's last piece: other messages may come between its pieces. */
    static final int MAX_FILE_SEARCH = 20_000;

    /** In the batch that queues the envelope: the user's 1:1 message, appended to the conversation, and its state QUEUED. */
    void recordSent(StoreBatch batch, PeerId recipient, EnvelopeId envelope, long sequence, ContentType type, byte[] body, Instant at) {
        byte[] kept = body;
        if (type == ContentType.FILE_CHUNK) {
            // A file shows once, as its last piece, whose delivery means every piece is in (they arrive in
            // order); the sender has the file, so it keeps none of the data.
            if (FileChunks.decode(body).filter(FileChunks::isLast).isEmpty()) return;
            kept = FileChunks.withoutData(body);
        }
        ReceivedMessage own = new ReceivedMessage(self, Optional.empty(), sequence, type, kept, at, at);
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

    /** A message the user sent 1:1 (a text, or a file's last piece), as kept; empty for any other envelope. */
    Optional<SentMessage> sentMessage(EnvelopeId envelope) {
        return sentRecord(envelope).map(r -> toSentMessage(envelope, r));
    }

    private static SentMessage toSentMessage(EnvelopeId envelope, DeliveryProto.SentRecord r) {
        return new SentMessage(envelope, PeerId.fromBytes(r.getRecipient().toByteArray()), r.getPosition(),
                DeliveryState.valueOf(r.getState()), Instant.ofEpochMilli(r.getSentMs()), Instant.ofEpochMilli(r.getUpdatedMs()));
    }

    /**
     * Up to {@code limit} messages of a conversation after position {@code after}, oldest first.
     * A file shows once, at its last piece; the pieces before it are passed over, and the page's
     * cursor moves past them.
     */
    ConversationPage read(ConversationId conversation, long after, int limit) {
        List<ChatMessage> shown = new java.util.ArrayList<>();
        long next = after;
        int pageSize = Math.min(limit, dev.ferry.store.Inbox.MAX_READ);
        while (shown.size() < limit) {
            List<InboxMessage> page = store.inbox().read(conversation, next, pageSize);
            for (InboxMessage entry : page) {
                if (shown.size() == limit) break;
                next = entry.sequence();
                ChatMessage message = toChatMessage(entry);
                if (message.type() == ContentType.FILE_CHUNK && message.file().isEmpty()) continue;
                shown.add(message);
            }
            if (page.size() < pageSize) break;
        }
        return new ConversationPage(shown, next);
    }

    /**
     * The file whose last piece is at {@code position} of a conversation, joined from its pieces.
     *
     * @throws IllegalArgumentException if no received file ends there
     * @throws IllegalStateException if its pieces are not all there or do not hash to what the sender said
     */
    byte[] readFile(ConversationId conversation, long position) {
        InboxMessage last = store.inbox().get(conversation, position)
                .orElseThrow(() -> new IllegalArgumentException("no message at position " + position));
        ReceivedMessage message = InboxRecords.decode(last.body());
        DeliveryProto.FileChunk end = message.type() == ContentType.FILE_CHUNK ? FileChunks.decode(message.body()).orElse(null) : null;
        if (end == null || !FileChunks.isLast(end)) throw new IllegalArgumentException("no file ends at position " + position);
        if (message.sender().equals(self)) throw new IllegalArgumentException("this node sent that file and keeps no copy of it");
        List<DeliveryProto.FileChunk> pieces = new java.util.ArrayList<>(List.of(end));
        long lowest = Math.max(0, position - 1 - MAX_FILE_SEARCH);
        long before = position - 1;
        while (pieces.size() < end.getCount() && before > lowest) {
            long from = Math.max(lowest, before - dev.ferry.store.Inbox.MAX_READ);
            List<InboxMessage> page = store.inbox().read(conversation, from, (int) (before - from));
            for (InboxMessage entry : page.reversed()) {
                ReceivedMessage m = InboxRecords.decode(entry.body());
                if (m.type() != ContentType.FILE_CHUNK || !m.sender().equals(message.sender())) continue;
                FileChunks.decode(m.body()).filter(c -> c.getFileId().equals(end.getFileId())).ifPresent(pieces::add);
                if (pieces.size() == end.getCount()) break;
            }
            before = from;
        }
        return FileChunks.join(pieces);
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
        return store.sentMessages().list(after, Math.min(limit, dev.ferry.store.KeyedRecords.MAX_LIST)).stream()
                .map(e -> toSentMessage(e.getKey(), parse(e.getKey(), e.getValue()))).toList();
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
