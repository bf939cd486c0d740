package dev.ferry.crypto;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with SHA-256 (RFC 5869) and HMAC-SHA-256: the key derivation of X3DH, the Double Ratchet
 * and the sender keys. Stateless and thread-safe; each call takes its own {@link Mac}.
 */
public final class Hkdf {
    /** SHA-256's output, and HMAC-SHA-256's. */
    public static final int HASH_LENGTH = 32;
    /** RFC 5869: at most 255 blocks of output. */
    public static final int MAX_OUTPUT = 255 * HASH_LENGTH;

    private Hkdf() {}

    /**
     * {@code length} bytes of output keying material from {@code ikm}, {@code salt} (an empty or
     * null salt means 32 zero bytes, as the RFC says) and {@code info}.
     */
    public static byte[] sha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        if (length < 1 || length > MAX_OUTPUT) throw new IllegalArgumentException("HKDF output must be 1.." + MAX_OUTPUT + " bytes");
        byte[] prk = hmacSha256(salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt, ikm);
        Mac mac = mac(prk);
        byte[] out = new byte[length];
        byte[] block = new byte[0];
        for (int i = 1, written = 0; written < length; i++) {
            mac.update(block);
            mac.update(info);
            mac.update((byte) i);
            block = mac.doFinal();
            int n = Math.min(block.length, length - written);
            System.arraycopy(block, 0, out, written, n);
            written += n;
        }
        return out;
    }

    /** HMAC-SHA-256 of {@code data} under {@code key}. */
    public static byte[] hmacSha256(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 is unavailable or refused a key", e);
        }
    }
}
