package dev.ferry.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * X25519 Diffie-Hellman (RFC 7748) over Bouncy Castle's constant-time implementation: the DH
 * function of Noise's {@code 25519} and of X3DH.
 */
public final class X25519 {
    /** Private keys (scalars) and public keys (u-coordinates) are both 32 bytes. */
    public static final int KEY_LENGTH = org.bouncycastle.math.ec.rfc7748.X25519.POINT_SIZE;

    private X25519() {}

    /**
     * An X25519 key pair. The private half never appears in {@link #toString()}; accessors return
     * copies so that a caller cannot change the pair.
     */
    public record KeyPair(byte[] privateKey, byte[] publicKey) {
        public KeyPair {
            if (privateKey.length != KEY_LENGTH || publicKey.length != KEY_LENGTH) {
                throw new IllegalArgumentException("X25519 keys must be " + KEY_LENGTH + " bytes");
            }
            privateKey = privateKey.clone();
            publicKey = publicKey.clone();
        }

        @Override
        public byte[] privateKey() {
            return privateKey.clone();
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyPair k
                    && MessageDigest.isEqual(k.privateKey, privateKey)
                    && Arrays.equals(k.publicKey, publicKey);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(publicKey);
        }

        @Override
        public String toString() {
            return "X25519.KeyPair[public=" + HexFormat.of().formatHex(publicKey) + "]";
        }
    }

    /** A fresh key pair from {@code random}. */
    public static KeyPair generate(SecureRandom random) {
        byte[] privateKey = new byte[KEY_LENGTH];
        org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(random, privateKey);
        try {
            return fromPrivateKey(privateKey);
        } finally {
            Arrays.fill(privateKey, (byte) 0);
        }
    }

    /**
     * The key pair of a 32-byte private key (test vectors, persisted keys). The scalar is used as
     * given; clamping happens inside the scalar multiplication, as RFC 7748 specifies.
     */
    public static KeyPair fromPrivateKey(byte[] privateKey) {
        checkLength("private", privateKey);
        byte[] publicKey = new byte[KEY_LENGTH];
        org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(privateKey, 0, publicKey, 0);
        return new KeyPair(privateKey, publicKey);
    }

    /**
     * The shared secret of {@code privateKey} and the remote {@code publicKey}.
     *
     * @throws IllegalArgumentException when a key has the wrong length, or when the result is all
     *     zeros: the remote key is a low-order point, which would make the "secret" known to anyone
     *     (RFC 7748 section 6.1 allows, and Noise and libp2p peers expect, refusing it)
     */
    public static byte[] agree(byte[] privateKey, byte[] publicKey) {
        checkLength("private", privateKey);
        checkLength("public", publicKey);
        byte[] shared = new byte[KEY_LENGTH];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(privateKey, 0, publicKey, 0, shared, 0);
        int acc = 0;
        for (byte b : shared) acc |= b; // constant time: no early exit on the secret
        if (acc == 0) {
            throw new IllegalArgumentException("X25519 public key is a low-order point (all-zero shared secret)");
        }
        return shared;
    }

    private static void checkLength(String which, byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "X25519 " + which + " key must be " + KEY_LENGTH + " bytes, got " + key.length);
        }
    }
}
