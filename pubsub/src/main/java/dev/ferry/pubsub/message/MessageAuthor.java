package dev.ferry.pubsub.message;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the messages this node publishes, as its {@link SignaturePolicy} wants them.
 *
 * <p>Under STRICT_SIGN each message gets {@code from} = our PeerId, a fresh 8-byte big-endian
 * {@code seqno}, and an Ed25519 signature over {@code "libp2p-pubsub:"} and the protobuf of the
 * message without signature and key. {@code key} is left out when the PeerId inlines the key,
 * as it always does for Ed25519 (the spec sends it only "when it cannot be inlined"; js-libp2p
 * sends it anyway, and both forms verify everywhere).
 *
 * <p>Sequence numbers come from a counter that starts at a seed and goes up by one per message.
 * The spec asks for a "linearly increasing" number unique per author; go-libp2p-pubsub, rust-libp2p
 * and js-libp2p gossipsub 17 seed theirs from the wall clock in nanoseconds, and so does
 * {@link #seqnoSeed(Instant)}: a node that restarts continues above where it stopped (unless it
 * published more than a billion messages a second), which kubo's seqno validator requires, and
 * which a random seed would not give. The clock is read by the caller, once, at start.
 *
 * <p>Thread-safe: the counter is atomic, signing is stateless.
 */
public final class MessageAuthor {
    private final SignaturePolicy policy;
    private final IdentityKeyPair keys;
    private final PeerId peerId;
    private final byte[] key;
    private final AtomicLong nextSeqno;

    private MessageAuthor(SignaturePolicy policy, IdentityKeyPair keys, long firstSeqno) {
        this.policy = policy;
        this.keys = keys;
        this.peerId = keys == null ? null : keys.peerId();
        this.key = peerId == null || peerId.extractPublicKey().isPresent() ? null : keys.publicKey().marshal();
        this.nextSeqno = new AtomicLong(firstSeqno);
    }

    /**
     * An author that signs with {@code keys}; its first message has sequence number
     * {@code firstSeqno} (usually {@link #seqnoSeed(Instant)} of now), each next one the number after.
     */
    public static MessageAuthor strictSign(IdentityKeyPair keys, long firstSeqno) {
        return new MessageAuthor(SignaturePolicy.STRICT_SIGN, Objects.requireNonNull(keys, "keys"), firstSeqno);
    }

    /** An author of anonymous messages: no from, seqno, signature or key. */
    public static MessageAuthor strictNoSign() {
        return new MessageAuthor(SignaturePolicy.STRICT_NO_SIGN, null, 0);
    }

    /** A sequence number seed: {@code now} in nanoseconds since the epoch, as go, rust and js seed theirs. */
    public static long seqnoSeed(Instant now) {
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }

    public SignaturePolicy policy() {
        return policy;
    }

    /** The PeerId messages are signed as; empty under STRICT_NO_SIGN. */
    public Optional<PeerId> peerId() {
        return Optional.ofNullable(peerId);
    }

    /** A new message of {@code data} on {@code topic}, signed if the policy signs. */
    public PubSubMessage publish(String topic, byte[] data) {
        PubSubMessage.Builder message = PubSubMessage.builder(topic).data(Objects.requireNonNull(data, "data"));
        if (policy == SignaturePolicy.STRICT_NO_SIGN) return message.build();
        message.from(peerId).seqno(bigEndian(nextSeqno.getAndIncrement()));
        byte[] signature = keys.sign(MessageSigning.signedBytes(message.build()));
        return message.signature(signature).key(key).build();
    }

    private static byte[] bigEndian(long value) {
        byte[] out = new byte[MessageSigning.SEQNO_LENGTH];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return out;
    }

    @Override
    public String toString() {
        return "MessageAuthor[" + policy + (peerId == null ? "" : ", " + peerId) + "]";
    }
}
