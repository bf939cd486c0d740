package dev.ferry.messenger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.messenger.proto.DeliveryProto;
import java.time.Instant;
import java.util.Optional;

/** The plaintext of a group message: what it is, the body, and when it was sent. */
record GroupPayload(ContentType type, byte[] body, Instant sentAt) {
    static byte[] encode(ContentType type, byte[] body, Instant sentAt) {
        return DeliveryProto.GroupPayload.newBuilder()
                .setContentType(type.name())
                .setBody(ByteString.copyFrom(body))
                .setSentMs(sentAt.toEpochMilli())
                .build().toByteArray();
    }

    /** The payload, or empty if a member sent something this node does not read (a newer type). */
    static Optional<GroupPayload> decode(byte[] bytes) {
        try {
            DeliveryProto.GroupPayload payload = DeliveryProto.GroupPayload.parseFrom(bytes);
            return Optional.of(new GroupPayload(ContentType.valueOf(payload.getContentType()), payload.getBody().toByteArray(),
                    Instant.ofEpochMilli(payload.getSentMs())));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
