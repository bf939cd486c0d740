package dev.ferry.crypto.senderkey;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.Aes256Gcm;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.proto.SenderKeyProto;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A group message as it travels on the group's topic and in its mailbox: group id, epoch, sender
 * identity, iteration and ciphertext (the signed body, kept as the exact bytes that were signed),
 * and the Ed25519 signature by the sender's signing key of the epoch. Decoding checks the shape
 * only; {@link GroupSenderKeys#decrypt} checks the signature before anything else. The header
 * fields are public so that the messenger can find the group's state; the plaintext is not here.
 */
public final class SenderKeyMessage {
    private static final byte[] SIGNATURE_LABEL = "ferry/senderkey/v1/signature".getBytes(StandardCharsets.US_ASCII);

    private final byte[] groupId;
    private final long epoch;
    private final IdentityPublicKey sender;
    private final int iteration;
    private final byte[] ciphertext;
    private final byte[] body;
    private final byte[] signature;

    private SenderKeyMessage(byte[] groupId, long epoch, IdentityPublicKey sender, int iteration, byte[] ciphertext,
            byte[] body, byte[] signature) {
        this.groupId = groupId;
        this.epoch = epoch;
        this.sender = sender;
        this.iteration = iteration;
        this.ciphertext = ciphertext;
        this.body = body;
        this.signature = signature;
    }

    /** Builds and signs a message; the body is encoded once and those bytes are what is signed. */
    static SenderKeyMessage sign(byte[] groupId, long epoch, IdentityPublicKey sender, int iteration, byte[] ciphertext,
            IdentityKeyPair signingKey) {
        byte[] body = SenderKeyProto.SenderKeyMessageBody.newBuilder()
                .setGroupId(ByteString.copyFrom(groupId))
                .setEpoch(epoch)
                .setSender(ByteString.copyFrom(sender.raw()))
                .setIteration(iteration)
                .setCiphertext(ByteString.copyFrom(ciphertext))
                .build()
                .toByteArray();
        byte[] signature = signingKey.sign(signedBytes(body));
        return new SenderKeyMessage(groupId.clone(), epoch, sender, iteration, ciphertext.clone(), body, signature);
    }

    /**
     * Parses an encoded message.
     *
     * @throws SenderKeyException {@code TOO_LARGE} over {@link SenderKeyLimits#MAX_MESSAGE_LENGTH},
     *     {@code MALFORMED} for anything that is not a well-formed message
     */
    public static SenderKeyMessage decode(byte[] encoded) throws SenderKeyException {
        if (encoded.length > SenderKeyLimits.MAX_MESSAGE_LENGTH) {
            throw new SenderKeyException(SenderKeyException.Reason.TOO_LARGE,
                    "group message of " + encoded.length + " bytes exceeds " + SenderKeyLimits.MAX_MESSAGE_LENGTH);
        }
        try {
            SenderKeyProto.SenderKeyMessage outer = SenderKeyProto.SenderKeyMessage.parseFrom(encoded);
            byte[] body = outer.getBody().toByteArray();
            SenderKeyProto.SenderKeyMessageBody parsed = SenderKeyProto.SenderKeyMessageBody.parseFrom(body);
            byte[] signature = outer.getSignature().toByteArray();
            if (signature.length != IdentityPublicKey.SIGNATURE_LENGTH) throw malformed("signature must be 64 bytes");
            byte[] groupId = checkGroupId(parsed.getGroupId().toByteArray());
            if (parsed.getIteration() < 0) throw malformed("iteration out of range");
            byte[] ciphertext = parsed.getCiphertext().toByteArray();
            if (ciphertext.length < Aes256Gcm.TAG_LENGTH) throw malformed("ciphertext shorter than its tag");
            return new SenderKeyMessage(groupId, parsed.getEpoch(), identity(parsed.getSender().toByteArray()),
                    parsed.getIteration(), ciphertext, body, signature);
        } catch (InvalidProtocolBufferException e) {
            throw new SenderKeyException(SenderKeyException.Reason.MALFORMED, "not a group message", e);
        }
    }

    /** The wire encoding. */
    public byte[] encode() {
        return SenderKeyProto.SenderKeyMessage.newBuilder()
                .setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(signature))
                .build()
                .toByteArray();
    }

    /** True if the signature verifies with {@code signingKey}. */
    boolean verify(IdentityPublicKey signingKey) {
        return signingKey.verify(signedBytes(body), signature);
    }

    public byte[] groupId() {
        return groupId.clone();
    }

    public long epoch() {
        return epoch;
    }

    public IdentityPublicKey sender() {
        return sender;
    }

    public int iteration() {
        return iteration;
    }

    byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public String toString() {
        return "SenderKeyMessage[epoch=" + epoch + ", sender=" + sender + ", iteration=" + iteration
                + ", ciphertext=" + ciphertext.length + " bytes]";
    }

    private static byte[] signedBytes(byte[] body) {
        byte[] out = Arrays.copyOf(SIGNATURE_LABEL, SIGNATURE_LABEL.length + body.length);
        System.arraycopy(body, 0, out, SIGNATURE_LABEL.length, body.length);
        return out;
    }

    static byte[] checkGroupId(byte[] groupId) throws SenderKeyException {
        if (groupId.length == 0 || groupId.length > SenderKeyLimits.MAX_GROUP_ID_LENGTH) {
            throw malformed("group id must be 1.." + SenderKeyLimits.MAX_GROUP_ID_LENGTH + " bytes");
        }
        return groupId;
    }

    static IdentityPublicKey identity(byte[] raw) throws SenderKeyException {
        try {
            return IdentityPublicKey.fromRaw(raw);
        } catch (IllegalArgumentException e) {
            throw new SenderKeyException(SenderKeyException.Reason.MALFORMED, "not an Ed25519 public key", e);
        }
    }

    static SenderKeyException malformed(String message) {
        return new SenderKeyException(SenderKeyException.Reason.MALFORMED, message);
    }
}
