package dev.ferry.crypto.x3dh;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;

/**
 * The X3DH key agreement of Signal's specification, with X25519, SHA-256 and no one-time
 * prekeys: {@code SK = HKDF(F || DH1 || DH2 || DH3)} where DH1 = DH(IK_A, SPK_B),
 * DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B), F is 32 bytes of 0xFF, the salt is 32 zero bytes
 * and the info string is {@value #INFO}. The associated data is both identities, initiator first
 * (Ed25519 then X25519 key each), and goes into every Double Ratchet message of the session.
 */
public final class X3dh {
    /** HKDF info: names the application and version, as the spec asks. */
    public static final String INFO = "ferry/x3dh/v1";
    /** Length of the shared secret SK: the Double Ratchet's first root key. */
    public static final int SHARED_SECRET_LENGTH = 32;

    private static final byte[] INFO_BYTES = ascii(INFO);
    private static final byte[] SALT = new byte[Hkdf.HASH_LENGTH];

    private X3dh() {}

    /**
     * What the initiator gets: the shared secret and associated data for the ratchet, the message
     * to send in front of the first ratchet message, and the recipient's first ratchet key (its
     * signed prekey). {@link #toString()} hides the secret.
     */
    public record Initiation(byte[] sharedSecret, byte[] associatedData, InitialMessage message, byte[] remoteRatchetKey, PublicIdentity remote) {
        @Override
        public String toString() {
            return "X3dh.Initiation[to " + remote.peerId() + ", " + message + "]";
        }
    }

    /**
     * What the responder gets: the shared secret and associated data, the initiator's identity
     * and the signed prekey pair to start its ratchet with. {@link #toString()} hides the secret.
     */
    public record Agreement(byte[] sharedSecret, byte[] associatedData, PublicIdentity remote, X25519.KeyPair ownRatchetKeyPair) {
        @Override
        public String toString() {
            return "X3dh.Agreement[from " + remote.peerId() + "]";
        }
    }

    /**
     * Starts a session with the owner of {@code bundle}, after checking that the bundle belongs to
     * {@code recipient} and is fresh at {@code now} (its signatures were checked when decoded).
     *
     * @throws X3dhException WRONG_IDENTITY, STALE_PREKEY or INVALID_KEY
     */
    public static Initiation initiate(MessagingIdentity own, PrekeyBundle bundle, PeerId recipient, Instant now,
                                      PrekeyPolicy policy, SecureRandom random) throws X3dhException {
        bundle.checkFor(recipient, now, policy);
        X25519.KeyPair ephemeral = X25519.generate(random);
        byte[] identityKey = own.dhKeyPair().privateKey();
        byte[] ephemeralKey = ephemeral.privateKey();
        byte[] recipientPrekey = bundle.prekeyPublic();
        try {
            byte[] secret = deriveSecret(
                    agree(identityKey, recipientPrekey),
                    agree(ephemeralKey, bundle.identity().dhKey()),
                    agree(ephemeralKey, recipientPrekey));
            InitialMessage message = new InitialMessage(own.publicIdentity(), ephemeral.publicKey(), bundle.prekeyId());
            return new Initiation(secret, associatedData(own.publicIdentity(), bundle.identity()), message,
                    recipientPrekey, bundle.identity());
        } finally {
            Arrays.fill(identityKey, (byte) 0);
            Arrays.fill(ephemeralKey, (byte) 0);
        }
    }

    /**
     * Answers an initial message with the prekey it names, if {@code prekeys} still holds it.
     *
     * @throws X3dhException UNKNOWN_PREKEY or INVALID_KEY
     */
    public static Agreement respond(MessagingIdentity own, PrekeyRing prekeys, InitialMessage message, Instant now,
                                    PrekeyPolicy policy) throws X3dhException {
        SignedPrekey prekey = prekeys.find(message.prekeyId(), now, policy).orElseThrow(() -> new X3dhException(
                X3dhException.Reason.UNKNOWN_PREKEY, "prekey " + Integer.toUnsignedString(message.prekeyId())
                        + " named by " + message.sender().peerId() + " is not held (rotated out, or never ours)"));
        byte[] prekeyPrivate = prekey.keyPair().privateKey();
        byte[] identityKey = own.dhKeyPair().privateKey();
        byte[] ephemeral = message.ephemeralPublic();
        try {
            byte[] secret = deriveSecret(
                    agree(prekeyPrivate, message.sender().dhKey()),
                    agree(identityKey, ephemeral),
                    agree(prekeyPrivate, ephemeral));
            return new Agreement(secret, associatedData(message.sender(), own.publicIdentity()), message.sender(), prekey.keyPair());
        } finally {
            Arrays.fill(prekeyPrivate, (byte) 0);
            Arrays.fill(identityKey, (byte) 0);
        }
    }

    private static byte[] agree(byte[] privateKey, byte[] publicKey) throws X3dhException {
        try {
            return X25519.agree(privateKey, publicKey);
        } catch (IllegalArgumentException e) {
            throw new X3dhException(X3dhException.Reason.INVALID_KEY, "X3DH: " + e.getMessage());
        }
    }

    private static byte[] deriveSecret(byte[] dh1, byte[] dh2, byte[] dh3) {
        byte[] keyMaterial = new byte[X25519.KEY_LENGTH * 4];
        Arrays.fill(keyMaterial, 0, X25519.KEY_LENGTH, (byte) 0xFF);
        System.arraycopy(dh1, 0, keyMaterial, X25519.KEY_LENGTH, X25519.KEY_LENGTH);
        System.arraycopy(dh2, 0, keyMaterial, X25519.KEY_LENGTH * 2, X25519.KEY_LENGTH);
        System.arraycopy(dh3, 0, keyMaterial, X25519.KEY_LENGTH * 3, X25519.KEY_LENGTH);
        try {
            return Hkdf.sha256(keyMaterial, SALT, INFO_BYTES, SHARED_SECRET_LENGTH);
        } finally {
            Arrays.fill(keyMaterial, (byte) 0);
            Arrays.fill(dh1, (byte) 0);
            Arrays.fill(dh2, (byte) 0);
            Arrays.fill(dh3, (byte) 0);
        }
    }

    /** AD = Encode(IK_A) || Encode(IK_B), each identity as its Ed25519 key then its X25519 key. */
    static byte[] associatedData(PublicIdentity initiator, PublicIdentity responder) {
        return concat(initiator.encodeForAssociatedData(), responder.encodeForAssociatedData());
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] exactLength(ByteString field, int length, String what) throws X3dhException {
        if (field.size() != length) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, what + " must be " + length + " bytes, got " + field.size());
        }
        return field.toByteArray();
    }
}
