package dev.ferry.crypto.envelope;

import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The random 32-byte secret inside an envelope. Its SHA-256, the ACK hash, is in the header; the
 * recipient proves it opened the envelope by sending the secret, and a holder deletes its shard
 * only if the secret hashes to the stored ACK hash. Never in {@link #toString()}.
 */
public final class AckSecret {
    /** 32 random bytes: as strong as the hash that commits to them. */
    public static final int LENGTH = 32;

    private final byte[] secret;

    private AckSecret(byte[] secret) {
        this.secret = secret;
    }

    /** A fresh secret from {@code random}. */
    public static AckSecret generate(SecureRandom random) {
        byte[] secret = new byte[LENGTH];
        random.nextBytes(secret);
        return new AckSecret(secret);
    }

    /** The secret of {@code bytes}, as an ACK carries it. */
    public static AckSecret of(byte[] bytes) {
        if (bytes.length != LENGTH) throw new IllegalArgumentException("ACK secrets are " + LENGTH + " bytes, got " + bytes.length);
        return new AckSecret(bytes.clone());
    }

    /** SHA-256 of {@code secret}: the ACK hash a header carries. */
    public static byte[] ackHash(byte[] secret) {
        return Sha256.hash(secret);
    }

    public byte[] bytes() {
        return secret.clone();
    }

    /** This secret's ACK hash. */
    public byte[] hash() {
        return ackHash(secret);
    }

    /** True if this secret hashes to {@code ackHash} (compared in constant time). */
    public boolean matches(byte[] ackHash) {
        return MessageDigest.isEqual(hash(), ackHash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AckSecret a && MessageDigest.isEqual(a.secret, secret);
    }

    @Override
    public int hashCode() {
        return 0; // no bits of the secret in a hash table
    }

    @Override
    public String toString() {
        return "AckSecret[hidden]";
    }
}
