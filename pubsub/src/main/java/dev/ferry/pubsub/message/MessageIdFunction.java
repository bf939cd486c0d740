package dev.ferry.pubsub.message;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.Multihash;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Computes the id of a message, which the seen-cache, the message cache and IHAVE/IWANT gossip
 * go by. All peers in a topic must compute ids the same way, or their gossip never matches.
 *
 * <p>The defaults ({@link #defaultFor}) are js-libp2p gossipsub 17's, byte for byte:
 * under STRICT_SIGN {@link #keyAndSeqno()}, under STRICT_NO_SIGN {@link #dataSha256()}.
 * go-libp2p-pubsub's default differs ({@link #fromAndSeqno()}: the PeerId bytes instead of the
 * key's, two bytes longer for Ed25519), so a Ferry node meshing with go peers under STRICT_SIGN
 * must choose that one; ids are never mixed within a network.
 */
@FunctionalInterface
public interface MessageIdFunction {
    /**
     * The id of {@code message}, which has passed its policy's {@link SignaturePolicy#check}.
     *
     * @throws IllegalArgumentException if the message lacks what the function needs (a sign that
     *     it was not checked first)
     */
    MessageId idOf(PubSubMessage message);

    /** js-libp2p's default for {@code policy}. */
    static MessageIdFunction defaultFor(SignaturePolicy policy) {
        return switch (Objects.requireNonNull(policy, "policy")) {
            case STRICT_SIGN -> keyAndSeqno();
            case STRICT_NO_SIGN -> dataSha256();
        };
    }

    /**
     * js-libp2p gossipsub's {@code msgIdFnStrictSign}: the author's protobuf {@code PublicKey}
     * (the one the PeerId inlines, else the {@code key} field) followed by the 8 seqno bytes;
     * 44 bytes for an Ed25519 author.
     */
    static MessageIdFunction keyAndSeqno() {
        return message -> {
            byte[] from = message.rawFrom();
            byte[] seqno = message.rawSeqno();
            if (from == null || seqno == null) {
                throw new IllegalArgumentException("a key-and-seqno id needs from and seqno; check the message first");
            }
            PeerId.fromBytes(from);
            Multihash author = Multihash.decode(from);
            byte[] key = author.code() == Multihash.IDENTITY ? author.digest() : message.rawKey();
            if (key == null) throw new IllegalArgumentException("a key-and-seqno id needs the author's key");
            return MessageId.wrap(concat(key, seqno));
        };
    }

    /**
     * go-libp2p-pubsub's {@code DefaultMsgIdFn}: the {@code from} bytes (the PeerId's multihash)
     * followed by the seqno bytes, each empty if absent.
     */
    static MessageIdFunction fromAndSeqno() {
        return message -> {
            byte[] from = message.rawFrom();
            byte[] seqno = message.rawSeqno();
            byte[] id = concat(from == null ? new byte[0] : from, seqno == null ? new byte[0] : seqno);
            if (id.length == 0) throw new IllegalArgumentException("a from-and-seqno id needs from or seqno");
            return MessageId.wrap(id);
        };
    }

    /**
     * js-libp2p gossipsub's {@code msgIdFnStrictNoSign}: the 32-byte SHA-256 of the payload (a
     * bare digest, not a multihash). Identical payloads share an id, so repeats within the
     * seen-cache's time are dropped as duplicates: applications make payloads unique.
     */
    static MessageIdFunction dataSha256() {
        return message -> {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                byte[] data = message.rawData();
                if (data != null) sha256.update(data);
                return MessageId.wrap(sha256.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
