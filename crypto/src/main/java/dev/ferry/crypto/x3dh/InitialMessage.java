package dev.ferry.crypto.x3dh;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.X3dhProto;
import java.util.Arrays;

/**
 * What the initiator sends in front of the first ratchet message of a session: its public
 * identity, its ephemeral key and the id of the recipient's prekey it used. Nothing in it is
 * secret; the whole message travels inside the sealed envelope.
 *
 * @param sender the initiator's identity (signature already verified)
 * @param ephemeralPublic X3DH's EK_A
 * @param prekeyId the recipient's signed prekey the initiator used
 */
public record InitialMessage(PublicIdentity sender, byte[] ephemeralPublic, int prekeyId) {
    /** Upper bound of an encoded initial message; a real one is about 180 bytes. */
    public static final int MAX_ENCODED_LENGTH = 384;

    public InitialMessage {
        if (ephemeralPublic.length != X25519.KEY_LENGTH) {
            throw new IllegalArgumentException("ephemeral key must be " + X25519.KEY_LENGTH + " bytes");
        }
        ephemeralPublic = ephemeralPublic.clone();
    }

    @Override
    public byte[] ephemeralPublic() {
        return ephemeralPublic.clone();
    }

    public byte[] encode() {
        return X3dhProto.InitialMessage.newBuilder()
                .setSender(sender.toProto())
                .setEphemeralPublic(ByteString.copyFrom(ephemeralPublic))
                .setPrekeyId(prekeyId)
                .build()
                .toByteArray();
    }

    /** Decodes an initial message and verifies the sender's identity signature. */
    public static InitialMessage decode(byte[] bytes) throws X3dhException {
        if (bytes.length > MAX_ENCODED_LENGTH) {
            throw new X3dhException(X3dhException.Reason.MALFORMED,
                    "initial message of " + bytes.length + " bytes exceeds " + MAX_ENCODED_LENGTH);
        }
        X3dhProto.InitialMessage proto;
        try {
            proto = X3dhProto.InitialMessage.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, "initial message does not decode: " + e.getMessage());
        }
        if (!proto.hasSender()) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, "initial message has no sender identity");
        }
        PublicIdentity sender = PublicIdentity.fromProto(proto.getSender());
        byte[] ephemeral = X3dh.exactLength(proto.getEphemeralPublic(), X25519.KEY_LENGTH, "ephemeral key");
        return new InitialMessage(sender, ephemeral, proto.getPrekeyId());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitialMessage m && m.sender.equals(sender)
                && Arrays.equals(m.ephemeralPublic, ephemeralPublic) && m.prekeyId == prekeyId;
    }

    @Override
    public int hashCode() {
        return sender.hashCode() * 31 + prekeyId;
    }

    @Override
    public String toString() {
        return "InitialMessage[from " + sender.peerId() + ", prekey " + Integer.toUnsignedString(prekeyId) + "]";
    }
}
