package dev.ferry.crypto.envelope;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the hash of envelope ids, ciphertexts, shards, ACK secrets and mailbox keys. */
final class Sha256 {
    static final int LENGTH = 32;

    private Sha256() {}

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK's SHA-256 is unavailable", e);
        }
    }

    static byte[] hash(byte[] data) {
        return digest().digest(data);
    }
}
