package dev.ferry.crypto.ratchet;

import dev.ferry.crypto.Aes256Gcm;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ENCRYPT and DECRYPT of the spec: AES-256-GCM under the key and nonce derived from a message
 * key, with associated data = the session's associated data || the message header. Works in place
 * on the message bytes (no copies of header or ciphertext) and reuses one {@link Cipher} per
 * thread, re-initialised on every call. That Cipher also refuses to encrypt twice in a row under the
 * same key and nonce, a last guard against a session state being encrypted from twice.
 */
final class MessageAead {
    private static final ThreadLocal<Cipher> AES_GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES/GCM/NoPadding is unavailable", e);
        }
    });

    private MessageAead() {}

    /** Encrypts {@code plaintext} into {@code message} after its already written header. */
    static void seal(byte[] messageKey, byte[] associatedData, byte[] message, byte[] plaintext) {
        byte[] material = RatchetKdf.messageMaterial(messageKey);
        try {
            Cipher cipher = init(Cipher.ENCRYPT_MODE, material);
            cipher.updateAAD(associatedData);
            cipher.updateAAD(message, 0, RatchetMessage.HEADER_LENGTH);
            cipher.doFinal(plaintext, 0, plaintext.length, message, RatchetMessage.HEADER_LENGTH);
        } catch (InvalidAlgorithmParameterException e) {
            // The JDK refuses the key and nonce it has just encrypted with: a state was encrypted from twice.
            throw new IllegalStateException("message key used twice: continue from the newest session state", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM encryption failed", e);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /** The plaintext of {@code message}, or null if it does not authenticate. */
    static byte[] open(byte[] messageKey, byte[] associatedData, byte[] message) {
        byte[] material = RatchetKdf.messageMaterial(messageKey);
        try {
            Cipher cipher = init(Cipher.DECRYPT_MODE, material);
            cipher.updateAAD(associatedData);
            cipher.updateAAD(message, 0, RatchetMessage.HEADER_LENGTH);
            return cipher.doFinal(message, RatchetMessage.HEADER_LENGTH, message.length - RatchetMessage.HEADER_LENGTH);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM decryption failed", e);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    private static Cipher init(int mode, byte[] material) throws GeneralSecurityException {
        Cipher cipher = AES_GCM.get();
        cipher.init(mode, new SecretKeySpec(material, 0, Aes256Gcm.KEY_LENGTH, "AES"),
                new GCMParameterSpec(Aes256Gcm.TAG_LENGTH * 8, material, Aes256Gcm.KEY_LENGTH, Aes256Gcm.NONCE_LENGTH));
        return cipher;
    }
}
