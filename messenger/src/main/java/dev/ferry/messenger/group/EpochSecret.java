package dev.ferry.messenger.group;

import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.Mailbox;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 32-byte secret the owner chooses for one epoch of one group and sends only to that epoch's
 * members, and the keys derived from it with HKDF-SHA-256 (salt {@code "ferry/group/v1/epoch"},
 * info a domain label {@code || group id || epoch (u64, big-endian)}, so no two groups or epochs
 * share a key even if a secret were reused):
 *
 * <ul>
 *   <li>the group mailbox's owner key ({@code "ferry/group/v1/mailbox-identity"}, 32 bytes, an
 *       Ed25519 seed): the epoch's mailbox is {@link Mailbox#keyFor(PeerId)} of its PeerId, and
 *       members sign FETCH requests with it;
 *   <li>the X25519 key pair group envelopes are sealed to ({@code "ferry/group/v1/seal-key"}).
 * </ul>
 *
 * A member removed at an epoch never gets the next secret, so it can derive neither key. The
 * secret never appears in {@link #toString()}.
 */
public final class EpochSecret {
    /** Epoch secrets are 32 random bytes, the strength of every key derived from them. */
    public static final int LENGTH = 32;

    private static final byte[] SALT = ascii("ferry/group/v1/epoch");
    private static final byte[] MAILBOX_IDENTITY_INFO = ascii("ferry/group/v1/mailbox-identity");
    private static final byte[] SEAL_KEY_INFO = ascii("ferry/group/v1/seal-key");

    private final byte[] groupId;
    private final long epoch;
    private final byte[] secret;

    private EpochSecret(byte[] groupId, long epoch, byte[] secret) {
        this.groupId = groupId.clone();
        this.epoch = epoch;
        this.secret = secret.clone();
    }

    static EpochSecret generate(byte[] groupId, long epoch, SecureRandom random) {
        byte[] secret = new byte[LENGTH];
        random.nextBytes(secret);
        return new EpochSecret(groupId, epoch, secret);
    }

    /** The secret of {@code epoch} received or stored as {@code secret}. */
    static EpochSecret of(byte[] groupId, long epoch, byte[] secret) throws Refusal {
        if (secret.length != LENGTH) throw Refusal.malformed("epoch secret must be " + LENGTH + " bytes");
        return new EpochSecret(groupId, epoch, secret);
    }

    public long epoch() {
        return epoch;
    }

    /** The Ed25519 key that owns this epoch's group mailbox; members sign FETCH requests with it. */
    public IdentityKeyPair mailboxIdentity() {
        return IdentityKeyPair.fromSeed(derive(MAILBOX_IDENTITY_INFO));
    }

    /** This epoch's group mailbox key: {@code SHA-256("ferry/mailbox/v1" || mailbox identity's PeerId)}. */
    public byte[] mailboxKey() {
        return Mailbox.keyFor(mailboxIdentity().peerId());
    }

    /** The X25519 key pair group envelopes of this epoch are sealed to (and opened with). */
    public X25519.KeyPair sealKeyPair() {
        return X25519.fromPrivateKey(derive(SEAL_KEY_INFO));
    }

    byte[] secret() {
        return secret.clone();
    }

    private byte[] derive(byte[] label) {
        byte[] info = ByteBuffer.allocate(label.length + groupId.length + Long.BYTES).put(label).put(groupId).putLong(epoch).array();
        return Hkdf.sha256(secret, SALT, info, 32);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpochSecret e && e.epoch == epoch && Arrays.equals(e.groupId, groupId) && MessageDigest.isEqual(e.secret, secret);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(groupId) * 31 + Long.hashCode(epoch);
    }

    @Override
    public String toString() {
        return "EpochSecret[epoch=" + epoch + "]";
    }
}
