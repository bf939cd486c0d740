package dev.ferry.crypto.envelope;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.proto.EnvelopeProto;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;

/**
 * What only the recipient of an envelope reads: the content type, the sender's identity, the
 * sender's timestamp (millisecond precision), the ACK secret and the payload. The sender named
 * here is a claim: it is authenticated by the payload's own layer (the ratchet or X3DH message
 * binds both identities), not by the seal. Never shows the payload or secret in {@link #toString()}.
 */
public record InnerContent(ContentType type, IdentityPublicKey sender, Instant timestamp, AckSecret ackSecret, byte[] payload) {
    public InnerContent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(ackSecret, "ackSecret");
        timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
        if (payload.length > EnvelopeLimits.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + EnvelopeLimits.MAX_PAYLOAD_LENGTH);
        }
        payload = payload.clone();
    }

    /** Content with a fresh ACK secret from {@code random}. */
    public static InnerContent create(ContentType type, IdentityPublicKey sender, Instant timestamp, byte[] payload, SecureRandom random) {
        return new InnerContent(type, sender, timestamp, AckSecret.generate(random), payload);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The protobuf encoding that is sealed. */
    public byte[] encode() {
        return EnvelopeProto.InnerContent.newBuilder()
                .setType(type.wire())
                .setSender(ByteString.copyFrom(sender.raw()))
                .setTimestampMillis(timestamp.toEpochMilli())
                .setAckSecret(ByteString.copyFrom(ackSecret.bytes()))
                .setPayload(ByteString.copyFrom(payload))
                .build()
                .toByteArray();
    }

    /**
     * Parses opened inner content.
     *
     * @throws EnvelopeException {@code TOO_LARGE} or {@code MALFORMED}
     */
    public static InnerContent decode(byte[] encoded) throws EnvelopeException {
        if (encoded.length > EnvelopeLimits.MAX_INNER_LENGTH) {
            throw new EnvelopeException(EnvelopeException.Reason.TOO_LARGE, "inner content of " + encoded.length + " bytes exceeds its limit");
        }
        EnvelopeProto.InnerContent parsed;
        try {
            parsed = EnvelopeProto.InnerContent.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            throw new EnvelopeException(EnvelopeException.Reason.MALFORMED, "not inner content", e);
        }
        ContentType type = ContentType.fromWire(parsed.getType());
        byte[] ackSecret = parsed.getAckSecret().toByteArray();
        if (ackSecret.length != AckSecret.LENGTH) throw malformed("ACK secret must be " + AckSecret.LENGTH + " bytes");
        if (parsed.getPayload().size() > EnvelopeLimits.MAX_PAYLOAD_LENGTH) {
            throw new EnvelopeException(EnvelopeException.Reason.TOO_LARGE, "payload exceeds " + EnvelopeLimits.MAX_PAYLOAD_LENGTH);
        }
        IdentityPublicKey sender;
        try {
            sender = IdentityPublicKey.fromRaw(parsed.getSender().toByteArray());
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException(EnvelopeException.Reason.MALFORMED, "sender is not an Ed25519 public key", e);
        }
        return new InnerContent(type, sender, Instant.ofEpochMilli(parsed.getTimestampMillis()), AckSecret.of(ackSecret),
                parsed.getPayload().toByteArray());
    }

    static EnvelopeException malformed(String message) {
        return new EnvelopeException(EnvelopeException.Reason.MALFORMED, message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InnerContent c && c.type == type && c.sender.equals(sender) && c.timestamp.equals(timestamp)
                && c.ackSecret.equals(ackSecret) && Arrays.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, sender, timestamp);
    }

    @Override
    public String toString() {
        return "InnerContent[type=" + type + ", sender=" + sender + ", timestamp=" + timestamp + ", payload=" + payload.length + " bytes]";
    }
}
