package dev.ferry.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a 12-byte nonce and a 16-byte tag, as the JDK provides it: the AEAD of the
 * Double Ratchet, the sender keys and sealed envelopes. Stateless and thread-safe.
 */
public final class Aes256Gcm {
    public static final int KEY_LENGTH = 32;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;

    private Aes256Gcm() {}

    /** {@code plaintext} encrypted and authenticated with {@code associatedData}; the tag is appended. */
    public static byte[] encrypt(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData) {
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key, nonce);
            cipher.updateAAD(associatedData);
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM encryption failed", e);
        }
    }

    /**
     * The plaintext of {@code ciphertext} (with its tag).
     *
     * @throws AuthenticationException if the ciphertext, tag, nonce, key or associated data do not match
     */
    public static byte[] decrypt(byte[] key, byte[] nonce, byte[] ciphertext, byte[] associatedData) throws AuthenticationException {
        if (ciphertext.length < TAG_LENGTH) throw new AuthenticationException("ciphertext shorter than its tag");
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, nonce);
            cipher.updateAAD(associatedData);
            return cipher.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new AuthenticationException("authentication failed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM decryption failed", e);
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
        if (key.length != KEY_LENGTH) throw new IllegalArgumentException("AES-256 keys are " + KEY_LENGTH + " bytes");
        if (nonce.length != NONCE_LENGTH) throw new IllegalArgumentException("GCM nonces here are " + NONCE_LENGTH + " bytes");
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        return cipher;
    }

    /** A ciphertext that does not authenticate: tampered, truncated, or for another key or context. */
    public static final class AuthenticationException extends Exception {
        public AuthenticationException(String message) {
            super(message);
        }
    }
}
