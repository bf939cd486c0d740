package dev.ferry.crypto.ratchet;

import dev.ferry.crypto.Aes256Gcm;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ratchet's key derivations (spec section 5.2): KDF_RK with HKDF-SHA-256, KDF_CK with
 * HMAC-SHA-256, and the expansion of a message key into an AES-256-GCM key and nonce. Each thread
 * reuses one {@link Mac}, re-keyed on every call, to keep provider look-ups off the hot path; the
 * Mac is never exposed and holds no more than the last key it was given.
 */
final class RatchetKdf {
    /** HKDF info of KDF_RK, domain-separated from every other use of HKDF in Ferry. */
    static final byte[] ROOT_INFO = "ferry/ratchet/v1/root".getBytes(StandardCharsets.US_ASCII);
    /** HKDF info of a message key's expansion into an AEAD key and nonce. */
    static final byte[] MESSAGE_INFO = "ferry/ratchet/v1/message".getBytes(StandardCharsets.US_ASCII);
    /** KDF_CK's constants, as the spec recommends: message key = HMAC(ck, 0x01), next chain key = HMAC(ck, 0x02). */
    static final byte MESSAGE_KEY_CONSTANT = 0x01;
    static final byte CHAIN_KEY_CONSTANT = 0x02;
    /** Root, chain and message keys are all 32 bytes. */
    static final int KEY_LENGTH = 32;
    /** An AES-256 key followed by a GCM nonce. */
    static final int MESSAGE_MATERIAL_LENGTH = Aes256Gcm.KEY_LENGTH + Aes256Gcm.NONCE_LENGTH;

    private static final byte[] ZERO_SALT = new byte[KEY_LENGTH];
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 is unavailable", e);
        }
    });

    private RatchetKdf() {}

    /** KDF_RK's output: the next root key and a new chain key. */
    record RootStep(byte[] rootKey, byte[] chainKey) {}

    /** KDF_CK's output: a message key and the next chain key. */
    record ChainStep(byte[] messageKey, byte[] nextChainKey) {}

    /** KDF_RK(rk, dh_out): HKDF with salt = root key, ikm = DH output, 64 bytes out. */
    static RootStep rootStep(byte[] rootKey, byte[] dhOutput) {
        byte[] okm = hkdf(rootKey, dhOutput, ROOT_INFO, 2 * KEY_LENGTH);
        try {
            return new RootStep(Arrays.copyOfRange(okm, 0, KEY_LENGTH), Arrays.copyOfRange(okm, KEY_LENGTH, 2 * KEY_LENGTH));
        } finally {
            Arrays.fill(okm, (byte) 0);
        }
    }

    /** KDF_CK(ck). */
    static ChainStep chainStep(byte[] chainKey) {
        Mac mac = keyed(chainKey);
        mac.update(MESSAGE_KEY_CONSTANT);
        byte[] messageKey = mac.doFinal();
        mac.update(CHAIN_KEY_CONSTANT);
        return new ChainStep(messageKey, mac.doFinal());
    }

    /**
     * A message key's AEAD key (bytes 0..31) and nonce (bytes 32..43): HKDF with a zero salt, as
     * spec section 5.2 does for its encryption key and IV. A message key encrypts exactly one
     * message, so a nonce derived from it never repeats under its key.
     */
    static byte[] messageMaterial(byte[] messageKey) {
        return hkdf(ZERO_SALT, messageKey, MESSAGE_INFO, MESSAGE_MATERIAL_LENGTH);
    }

    private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        Mac mac = keyed(salt);
        byte[] prk = mac.doFinal(ikm);
        mac = keyed(prk);
        Arrays.fill(prk, (byte) 0);
        byte[] out = new byte[length];
        byte[] block = null;
        for (int counter = 1, written = 0; written < length; counter++) {
            if (block != null) mac.update(block);
            mac.update(info);
            mac.update((byte) counter);
            if (block != null) Arrays.fill(block, (byte) 0);
            block = mac.doFinal();
            int n = Math.min(block.length, length - written);
            System.arraycopy(block, 0, out, written, n);
            written += n;
        }
        Arrays.fill(block, (byte) 0);
        return out;
    }

    private static Mac keyed(byte[] key) {
        Mac mac = HMAC.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused a " + key.length + "-byte key", e);
        }
        return mac;
    }
}
