package dev.ferry.overlay.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise SymmetricState (Noise spec section 5.2) with SHA-256: the chaining key {@code ck}, the
 * handshake hash {@code h} and the handshake's CipherState. Not thread-safe.
 */
final class SymmetricState {
    /** SHA-256 output length, Noise's HASHLEN. */
    static final int HASH_LENGTH = 32;

    private final MessageDigest sha256;
    private final Mac hmac;
    private final CipherState cipherState = new CipherState();
    private byte[] chainingKey;
    private byte[] handshakeHash;

    /** Noise {@code InitializeSymmetric(protocol_name)}. */
    SymmetricState(String protocolName) {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
            hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-256 or HmacSHA256", e);
        }
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        handshakeHash = name.length <= HASH_LENGTH ? Arrays.copyOf(name, HASH_LENGTH) : sha256.digest(name);
        chainingKey = handshakeHash.clone();
    }

    /** Noise {@code MixKey}: feeds a DH output into the chaining key and rekeys the CipherState. */
    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = hkdf(chainingKey, inputKeyMaterial, 2);
        chainingKey = out[0];
        cipherState.initializeKey(out[1]);
        Arrays.fill(out[1], (byte) 0);
    }

    /** Noise {@code MixHash}: {@code h = SHA-256(h || data)}. */
    void mixHash(byte[] data) {
        mixHash(data, 0, data.length);
    }

    void mixHash(byte[] data, int offset, int length) {
        sha256.update(handshakeHash);
        sha256.update(data, offset, length);
        handshakeHash = sha256.digest();
    }

    /** Noise {@code EncryptAndHash}. */
    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipherState.encryptWithAd(handshakeHash, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    /** Noise {@code DecryptAndHash}; the state is unusable after a failure. */
    byte[] decryptAndHash(byte[] message, int offset, int length) throws AEADBadTagException {
        byte[] plaintext = cipherState.decryptWithAd(handshakeHash, message, offset, length);
        mixHash(message, offset, length);
        return plaintext;
    }

    boolean hasKey() {
        return cipherState.hasKey();
    }

    /** The handshake hash {@code h}, which both sides share once the handshake is over. */
    byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /**
     * Noise {@code Split}: the CipherStates for initiator-to-responder ({@code [0]}) and
     * responder-to-initiator ({@code [1]}) transport messages.
     */
    CipherState[] split() {
        byte[][] keys = hkdf(chainingKey, new byte[0], 2);
        CipherState[] pair = {new CipherState(keys[0]), new CipherState(keys[1])};
        Arrays.fill(keys[0], (byte) 0);
        Arrays.fill(keys[1], (byte) 0);
        Arrays.fill(chainingKey, (byte) 0);
        return pair;
    }

    /** Noise {@code HKDF} (section 4.3): HKDF-SHA256 with {@code chainingKey} as salt, no info. */
    private byte[][] hkdf(byte[] salt, byte[] inputKeyMaterial, int outputs) {
        byte[] tempKey = hmac(salt, inputKeyMaterial, null, (byte) 0);
        byte[][] out = new byte[outputs][];
        byte[] previous = null;
        for (int i = 0; i < outputs; i++) {
            previous = hmac(tempKey, new byte[0], previous, (byte) (i + 1));
            out[i] = previous;
        }
        Arrays.fill(tempKey, (byte) 0);
        return out;
    }

    /** HMAC-SHA256(key, data || previous || counter); the counter byte is left out when 0. */
    private byte[] hmac(byte[] key, byte[] data, byte[] previous, byte counter) {
        try {
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused a key", e);
        }
        hmac.update(data);
        if (previous != null) hmac.update(previous);
        if (counter != 0) hmac.update(counter);
        return hmac.doFinal();
    }
}
