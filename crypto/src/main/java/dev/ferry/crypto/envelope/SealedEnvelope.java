package dev.ferry.crypto.envelope;

import dev.ferry.crypto.Aes256Gcm;
import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.X25519;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Sealing ("sealed sender"): the inner content is encrypted to the recipient's X25519 identity
 * key with an ephemeral X25519 key, so that relays learn neither sender nor plaintext.
 *
 * <ul>
 *   <li>ciphertext = ephemeral public key (32) || salt (16) || AES-256-GCM(inner content), tag
 *       appended;
 *   <li>key (32) and nonce (12) = HKDF-SHA-256(ikm = X25519(ephemeral, recipient), salt = the
 *       envelope's salt, info = "ferry/envelope/v2/seal-keys" || ephemeral public || recipient
 *       public);
 *   <li>associated data = "ferry/envelope/v1/seal-ad" || mailbox || created ms || expires ms ||
 *       ACK hash: a relay cannot move the ciphertext to another mailbox, extend its expiry or
 *       swap its ACK hash.
 * </ul>
 *
 * <p>The salt is random for every envelope, so every envelope has its own key and nonce even when
 * the ephemeral key is shared: a sender's {@link SealingKeys} uses one ephemeral key per recipient
 * for a run of envelopes, and a recipient's {@link OpeningKeys} remembers the agreement, so that a
 * burst costs one X25519 agreement on each side instead of one per envelope.
 *
 * <p>The seal hides the sender and authenticates nothing about it: anyone can seal to anyone.
 * Sender authenticity comes from the payload's own layer (the Double Ratchet or X3DH message,
 * whose associated data binds both identities), as with Signal's sealed sender.
 */
public final class SealedEnvelope {
    /** Bytes of the random salt each envelope's key and nonce are derived with. */
    public static final int SALT_LENGTH = 16;

    /** Bytes a sealed ciphertext adds to the inner content: the ephemeral public key, the salt and the GCM tag. */
    public static final int OVERHEAD = X25519.KEY_LENGTH + SALT_LENGTH + Aes256Gcm.TAG_LENGTH;

    private static final byte[] KEYS_INFO = "ferry/envelope/v2/seal-keys".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AD_LABEL = "ferry/envelope/v1/seal-ad".getBytes(StandardCharsets.US_ASCII);

    private SealedEnvelope() {}

    /**
     * A sealed envelope before its header is made: the ciphertext, the ACK secret (for the sender's
     * outbox: it recognises the ACK), the outer fields that the seal binds, and whether it can be
     * acknowledged at all (see {@link #sealUnacknowledgeable}).
     */
    public record Sealed(byte[] ciphertext, AckSecret ackSecret, byte[] mailbox, Instant created, Instant expires,
            boolean acknowledgeable) {
        public Sealed {
            ciphertext = ciphertext.clone();
            mailbox = mailbox.clone();
        }

        @Override
        public byte[] ciphertext() {
            return ciphertext.clone();
        }

        @Override
        public byte[] mailbox() {
            return mailbox.clone();
        }

        /** The header for direct delivery (k = 1, m = 0). */
        public EnvelopeHeader directHeader() {
            return EnvelopeHeader.direct(mailbox, created, expires, ackHash(), ciphertext);
        }

        /** The header for an erasure-coded envelope, with the coder's shard hashes. */
        public EnvelopeHeader codedHeader(int dataShards, int parityShards, List<byte[]> shardHashes) {
            return EnvelopeHeader.coded(mailbox, created, expires, ackHash(), ciphertext, dataShards, parityShards, shardHashes);
        }

        private byte[] ackHash() {
            return acknowledgeable ? ackSecret.hash() : EnvelopeHeader.noAckHash();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed s && Arrays.equals(s.ciphertext, ciphertext) && s.ackSecret.equals(ackSecret)
                    && Arrays.equals(s.mailbox, mailbox) && s.created.equals(created) && s.expires.equals(expires)
                    && s.acknowledgeable == acknowledgeable;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ciphertext);
        }

        @Override
        public String toString() {
            return "Sealed[ciphertext=" + ciphertext.length + " bytes, created=" + created + ", expires=" + expires + "]";
        }
    }

    /**
     * Seals {@code content} to {@code recipientX25519Public} for {@code mailbox}, created and
     * expiring at the given times (millisecond precision).
     *
     * @throws IllegalArgumentException for a key or mailbox of the wrong size, times that are not
     *     sane (see {@link EnvelopeHeader}), or a low-order recipient key
     */
    public static Sealed seal(InnerContent content, byte[] recipientX25519Public, byte[] mailbox, Instant created, Instant expires,
            SecureRandom random) {
        return seal(content, recipientX25519Public, mailbox, created, expires, content.ackSecret().hash(),
                () -> SealingKeys.oneOff(recipientX25519Public, random));
    }

    /** As {@link #seal(InnerContent, byte[], byte[], Instant, Instant, SecureRandom)}, with the ephemeral key {@code keys} has for the recipient. */
    public static Sealed seal(InnerContent content, byte[] recipientX25519Public, byte[] mailbox, Instant created, Instant expires,
            SealingKeys keys) {
        return seal(content, recipientX25519Public, mailbox, created, expires, content.ackSecret().hash(),
                () -> keys.next(recipientX25519Public));
    }

    /**
     * As {@link #seal}, for an envelope nobody can acknowledge: its outer ACK hash is all zeros,
     * which no secret hashes to, so no holder deletes it before it expires. For a group mailbox,
     * whose every member can read the inner ACK secret: with it, any one member could delete the
     * group's messages before the members who are away fetch them.
     */
    public static Sealed sealUnacknowledgeable(InnerContent content, byte[] recipientX25519Public, byte[] mailbox, Instant created,
            Instant expires, SecureRandom random) {
        return seal(content, recipientX25519Public, mailbox, created, expires, EnvelopeHeader.noAckHash(),
                () -> SealingKeys.oneOff(recipientX25519Public, random));
    }

    /** As {@link #sealUnacknowledgeable(InnerContent, byte[], byte[], Instant, Instant, SecureRandom)}, with the ephemeral key {@code keys} has. */
    public static Sealed sealUnacknowledgeable(InnerContent content, byte[] recipientX25519Public, byte[] mailbox, Instant created,
            Instant expires, SealingKeys keys) {
        return seal(content, recipientX25519Public, mailbox, created, expires, EnvelopeHeader.noAckHash(),
                () -> keys.next(recipientX25519Public));
    }

    /** As the public seal, with the outer ACK hash given: tests use it to seal a mismatching one. */
    static Sealed seal(InnerContent content, byte[] recipientX25519Public, byte[] mailbox, Instant created, Instant expires,
            byte[] ackHash, SecureRandom random) {
        return seal(content, recipientX25519Public, mailbox, created, expires, ackHash,
                () -> SealingKeys.oneOff(recipientX25519Public, random));
    }

    private static Sealed seal(InnerContent content, byte[] recipientX25519Public, byte[] mailbox, Instant created, Instant expires,
            byte[] ackHash, Supplier<SealingKeys.Use> ephemeralKey) {
        byte[] inner = content.encode();
        // The header's own checks (sizes, times) before any work; its ciphertext fields are placeholders.
        EnvelopeHeader outer = new EnvelopeHeader(mailbox, created, expires, ackHash, 1, 0, OVERHEAD + inner.length,
                new byte[EnvelopeHeader.HASH_LENGTH], List.of(new byte[EnvelopeHeader.HASH_LENGTH]));
        SealingKeys.Use ephemeral = ephemeralKey.get();
        byte[] keys = keys(ephemeral.shared(), ephemeral.salt(), ephemeral.ephemeralPublic(), recipientX25519Public);
        try {
            byte[] sealed = Aes256Gcm.encrypt(Arrays.copyOf(keys, Aes256Gcm.KEY_LENGTH),
                    Arrays.copyOfRange(keys, Aes256Gcm.KEY_LENGTH, keys.length), inner, associatedData(outer));
            byte[] ciphertext = ByteBuffer.allocate(X25519.KEY_LENGTH + SALT_LENGTH + sealed.length)
                    .put(ephemeral.ephemeralPublic()).put(ephemeral.salt()).put(sealed).array();
            return new Sealed(ciphertext, content.ackSecret(), outer.mailbox(), outer.created(), outer.expires(),
                    outer.acknowledgeable());
        } finally {
            Arrays.fill(keys, (byte) 0);
            Arrays.fill(inner, (byte) 0);
        }
    }

    /**
     * Opens an envelope: checks that {@code ciphertext} is the one {@code header} commits to, that
     * the envelope is live at {@code now}, decrypts with the recipient's identity key, and checks
     * that the inner ACK secret hashes to the outer ACK hash (unless the envelope cannot be
     * acknowledged: an all-zero ACK hash).
     *
     * @throws EnvelopeException {@code CIPHERTEXT_MISMATCH}, {@code EXPIRED}, {@code NOT_YET_VALID},
     *     {@code DECRYPTION_FAILED}, {@code MALFORMED}, {@code TOO_LARGE} or {@code ACK_MISMATCH}
     */
    public static InnerContent open(X25519.KeyPair recipientIdentity, EnvelopeHeader header, byte[] ciphertext, Instant now)
            throws EnvelopeException {
        return open(recipientIdentity.publicKey(), ephemeralPublic -> X25519.agree(recipientIdentity.privateKey(), ephemeralPublic),
                header, ciphertext, now);
    }

    /** As {@link #open(X25519.KeyPair, EnvelopeHeader, byte[], Instant)}, taking the agreement {@code keys} remembers when it has it. */
    public static InnerContent open(OpeningKeys keys, EnvelopeHeader header, byte[] ciphertext, Instant now) throws EnvelopeException {
        return open(keys.identity().publicKey(), keys::agree, header, ciphertext, now);
    }

    private static InnerContent open(byte[] recipientPublic, UnaryOperator<byte[]> agreement, EnvelopeHeader header, byte[] ciphertext,
            Instant now) throws EnvelopeException {
        header.verify(ciphertext);
        if (!now.isBefore(header.expires())) {
            throw new EnvelopeException(EnvelopeException.Reason.EXPIRED, "envelope expired at " + header.expires());
        }
        if (header.created().isAfter(now.plus(EnvelopeLimits.MAX_CLOCK_SKEW))) {
            throw new EnvelopeException(EnvelopeException.Reason.NOT_YET_VALID, "envelope created at " + header.created() + ", in the future");
        }
        byte[] ephemeralPublic = Arrays.copyOf(ciphertext, X25519.KEY_LENGTH);
        byte[] salt = Arrays.copyOfRange(ciphertext, X25519.KEY_LENGTH, X25519.KEY_LENGTH + SALT_LENGTH);
        byte[] keys;
        try {
            keys = keys(agreement.apply(ephemeralPublic), salt, ephemeralPublic, recipientPublic);
        } catch (IllegalArgumentException lowOrder) {
            throw new EnvelopeException(EnvelopeException.Reason.DECRYPTION_FAILED, "ephemeral key is not usable", lowOrder);
        }
        byte[] inner;
        try {
            inner = Aes256Gcm.decrypt(Arrays.copyOf(keys, Aes256Gcm.KEY_LENGTH), Arrays.copyOfRange(keys, Aes256Gcm.KEY_LENGTH, keys.length),
                    Arrays.copyOfRange(ciphertext, X25519.KEY_LENGTH + SALT_LENGTH, ciphertext.length), associatedData(header));
        } catch (Aes256Gcm.AuthenticationException e) {
            throw new EnvelopeException(EnvelopeException.Reason.DECRYPTION_FAILED, "does not open with this key and these outer fields");
        } finally {
            Arrays.fill(keys, (byte) 0);
        }
        InnerContent content = InnerContent.decode(inner);
        Arrays.fill(inner, (byte) 0);
        if (header.acknowledgeable() && !content.ackSecret().matches(header.ackHash())) {
            throw new EnvelopeException(EnvelopeException.Reason.ACK_MISMATCH, "inner ACK secret does not hash to the outer ACK hash");
        }
        return content;
    }

    /** The envelope's AES-GCM key and nonce; wipes {@code shared}. */
    private static byte[] keys(byte[] shared, byte[] salt, byte[] ephemeralPublic, byte[] recipientPublic) {
        byte[] info = ByteBuffer.allocate(KEYS_INFO.length + 2 * X25519.KEY_LENGTH).put(KEYS_INFO).put(ephemeralPublic).put(recipientPublic).array();
        try {
            return Hkdf.sha256(shared, salt, info, Aes256Gcm.KEY_LENGTH + Aes256Gcm.NONCE_LENGTH);
        } finally {
            Arrays.fill(shared, (byte) 0);
        }
    }

    private static byte[] associatedData(EnvelopeHeader header) {
        return ByteBuffer.allocate(AD_LABEL.length + Mailbox.KEY_LENGTH + 2 * Long.BYTES + EnvelopeHeader.HASH_LENGTH)
                .put(AD_LABEL).put(header.mailbox()).putLong(header.created().toEpochMilli()).putLong(header.expires().toEpochMilli())
                .put(header.ackHash())
                .array();
    }
}
