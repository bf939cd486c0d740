package dev.ferry.messenger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.messenger.proto.DeliveryProto;
import dev.ferry.store.ConversationId;
import dev.ferry.store.EnvelopeId;
import java.time.Instant;
import java.util.Optional;

/** How a {@link ReceivedMessage} is kept in the store's inbox, and in which conversation. */
final class InboxRecords {
    private InboxRecords() {}

    /** A 1:1 conversation is named by the peer's PeerId bytes; a group's by its id (32 bytes, a length no PeerId has). */
    static ConversationId conversationOf(ReceivedMessage message) {
        return message.group().map(ConversationId::of).orElseGet(() -> ConversationId.of(message.sender().toBytes()));
    }

    static byte[] encode(ReceivedMessage message) {
        return encode(message, Optional.empty());
    }

    /** As {@link #encode(ReceivedMessage)}, for a message the user sent 1:1 with the envelope that carries it. */
    static byte[] encode(ReceivedMessage message, Optional<EnvelopeId> envelope) {
        DeliveryProto.InboxRecord.Builder record = DeliveryProto.InboxRecord.newBuilder()
                .setSender(ByteString.copyFrom(message.sender().toBytes()))
                .setSequence(message.sequence())
                .setContentType(message.type().name())
                .setBody(ByteString.copyFrom(message.body()))
                .setSentMs(message.sentAt().toEpochMilli())
                .setReceivedMs(message.receivedAt().toEpochMilli());
        message.group().ifPresent(group -> record.setGroupId(ByteString.copyFrom(group)));
        envelope.ifPresent(id -> record.setEnvelopeId(ByteString.copyFrom(id.bytes())));
        return record.build().toByteArray();
    }

    /**
     * Reads an inbox record back.
     *
     * @throws IllegalArgumentException if it is not one {@link #encode} wrote (a damaged store)
     */
    static ReceivedMessage decode(byte[] bytes) {
        return decodeEntry(bytes).message();
    }

    /** An inbox record read back: the message, and the envelope of one the user sent 1:1. */
    record Entry(ReceivedMessage message, Optional<EnvelopeId> envelope) {}

    /**
     * Reads an inbox record back with its envelope id.
     *
     * @throws IllegalArgumentException if it is not one {@link #encode} wrote (a damaged store)
     */
    static Entry decodeEntry(byte[] bytes) {
        try {
            DeliveryProto.InboxRecord record = DeliveryProto.InboxRecord.parseFrom(bytes);
            Optional<EnvelopeId> envelope = record.getEnvelopeId().isEmpty() ? Optional.empty()
                    : Optional.of(EnvelopeId.of(record.getEnvelopeId().toByteArray()));
            return new Entry(new ReceivedMessage(PeerId.fromBytes(record.getSender().toByteArray()),
                    record.getGroupId().isEmpty() ? Optional.empty() : Optional.of(record.getGroupId().toByteArray()),
                    record.getSequence(), ContentType.valueOf(record.getContentType()), record.getBody().toByteArray(),
                    Instant.ofEpochMilli(record.getSentMs()), Instant.ofEpochMilli(record.getReceivedMs())), envelope);
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IllegalArgumentException("unreadable inbox record: " + e.getMessage(), e);
        }
    }
}
