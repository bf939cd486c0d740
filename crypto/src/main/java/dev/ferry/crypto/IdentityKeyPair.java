package dev.ferry.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.proto.KeysProto;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 identity key pair: the node key, whose public half names the node ({@link PeerId}).
 * The private seed never appears in {@link #toString()}.
 */
public final class IdentityKeyPair {
    /** Ed25519 private keys are a 32-byte seed. */
    public static final int SEED_LENGTH = Ed25519.SECRET_KEY_SIZE;

    private final byte[] seed;
    private final IdentityPublicKey publicKey;
    private final byte[] publicRaw;

    private IdentityKeyPair(byte[] seed) {
        this.seed = seed;
        this.publicRaw = new byte[IdentityPublicKey.LENGTH];
        Ed25519.generatePublicKey(seed, 0, publicRaw, 0);
        this.publicKey = IdentityPublicKey.fromRaw(publicRaw);
    }

    /** A fresh key pair from {@code random}. */
    public static IdentityKeyPair generate(SecureRandom random) {
        byte[] seed = new byte[SEED_LENGTH];
        random.nextBytes(seed);
        return new IdentityKeyPair(seed);
    }

    /** The key pair of a 32-byte seed. */
    public static IdentityKeyPair fromSeed(byte[] seed) {
        if (seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("Ed25519 seed must be " + SEED_LENGTH + " bytes, got " + seed.length);
        }
        return new IdentityKeyPair(seed.clone());
    }

    /**
     * Parses the protobuf {@code PrivateKey} of the peer-id spec. Its Ed25519 data is the seed
     * followed by the public key (64 bytes), as go- and js-libp2p write it; a bare 32-byte seed and
     * the legacy 96-byte form (public key twice) are accepted too. Every public half must match
     * the seed.
     */
    public static IdentityKeyPair unmarshalPrivateKey(byte[] protobuf) {
        KeysProto.PrivateKey key;
        try {
            key = KeysProto.PrivateKey.parseFrom(protobuf);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("private key is not a valid protobuf PrivateKey", e);
        }
        if (key.getType() != KeysProto.KeyType.Ed25519) {
            throw new IllegalArgumentException("unsupported private key type " + key.getType() + " (only Ed25519)");
        }
        byte[] data = key.getData().toByteArray();
        try {
            // 32: a bare seed; 64: seed || public key (what libp2p writes); 96: the legacy form that
            // repeats the public key, which the spec asks implementations to keep reading.
            int publicCopies = (data.length - SEED_LENGTH) / IdentityPublicKey.LENGTH;
            if (data.length < SEED_LENGTH || (data.length - SEED_LENGTH) % IdentityPublicKey.LENGTH != 0 || publicCopies > 2) {
                throw new IllegalArgumentException("Ed25519 private key data must be 32, 64 or 96 bytes, got " + data.length);
            }
            IdentityKeyPair pair = new IdentityKeyPair(Arrays.copyOf(data, SEED_LENGTH));
            for (int i = 0; i < publicCopies; i++) {
                int from = SEED_LENGTH + i * IdentityPublicKey.LENGTH;
                if (!Arrays.equals(Arrays.copyOfRange(data, from, from + IdentityPublicKey.LENGTH), pair.publicRaw)) {
                    throw new IllegalArgumentException("Ed25519 private key data holds a public key that does not match");
                }
            }
            return pair;
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    /** The protobuf {@code PrivateKey} encoding (seed || public key), for the key file. */
    public byte[] marshalPrivateKey() {
        byte[] data = new byte[SEED_LENGTH + IdentityPublicKey.LENGTH];
        System.arraycopy(seed, 0, data, 0, SEED_LENGTH);
        System.arraycopy(publicRaw, 0, data, SEED_LENGTH, IdentityPublicKey.LENGTH);
        try {
            return KeysProto.PrivateKey.newBuilder()
                    .setType(KeysProto.KeyType.Ed25519)
                    .setData(ByteString.copyFrom(data))
                    .build()
                    .toByteArray();
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    /** Signs {@code message} with Ed25519 (deterministic, 64 bytes). */
    public byte[] sign(byte[] message) {
        byte[] signature = new byte[IdentityPublicKey.SIGNATURE_LENGTH];
        Ed25519.sign(seed, 0, publicRaw, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    public IdentityPublicKey publicKey() {
        return publicKey;
    }

    public PeerId peerId() {
        return publicKey.toPeerId();
    }

    @Override
    public String toString() {
        return "IdentityKeyPair[" + peerId() + "]";
    }
}
