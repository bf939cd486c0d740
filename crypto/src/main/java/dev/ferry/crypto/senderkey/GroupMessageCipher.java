package dev.ferry.crypto.senderkey;

import dev.ferry.crypto.Aes256Gcm;
import dev.ferry.crypto.Hkdf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The AEAD step of a group message: AES-256-GCM key and nonce from the message key with HKDF, and
 * associated data binding group id, epoch, sender and iteration, so that a ciphertext cannot be
 * replayed under another of them.
 */
final class GroupMessageCipher {
    private static final byte[] KEYS_INFO = "ferry/senderkey/v1/message-keys".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AD_LABEL = "ferry/senderkey/v1/associated-data".getBytes(StandardCharsets.US_ASCII);

    private GroupMessageCipher() {}

    static byte[] encrypt(byte[] messageKey, byte[] plaintext, byte[] associatedData) {
        byte[] keys = Hkdf.sha256(messageKey, null, KEYS_INFO, Aes256Gcm.KEY_LENGTH + Aes256Gcm.NONCE_LENGTH);
        try {
            return Aes256Gcm.encrypt(key(keys), nonce(keys), plaintext, associatedData);
        } finally {
            SenderChainKey.wipe(keys);
        }
    }

    static byte[] decrypt(byte[] messageKey, byte[] ciphertext, byte[] associatedData) throws Aes256Gcm.AuthenticationException {
        byte[] keys = Hkdf.sha256(messageKey, null, KEYS_INFO, Aes256Gcm.KEY_LENGTH + Aes256Gcm.NONCE_LENGTH);
        try {
            return Aes256Gcm.decrypt(key(keys), nonce(keys), ciphertext, associatedData);
        } finally {
            SenderChainKey.wipe(keys);
        }
    }

    /** label || len(group id) || group id || epoch || sender || iteration, fixed widths. */
    static byte[] associatedData(byte[] groupId, long epoch, byte[] sender, int iteration) {
        return ByteBuffer.allocate(AD_LABEL.length + 1 + groupId.length + Long.BYTES + sender.length + Integer.BYTES)
                .put(AD_LABEL)
                .put((byte) groupId.length)
                .put(groupId)
                .putLong(epoch)
                .put(sender)
                .putInt(iteration)
                .array();
    }

    private static byte[] key(byte[] keys) {
        return Arrays.copyOfRange(keys, 0, Aes256Gcm.KEY_LENGTH);
    }

    private static byte[] nonce(byte[] keys) {
        return Arrays.copyOfRange(keys, Aes256Gcm.KEY_LENGTH, keys.length);
    }
}
