package dev.ferry.overlay.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState (Noise spec section 5.1) for {@code ChaChaPoly}: a key {@code k} and a
 * 64-bit message counter {@code n}, over the JDK's ChaCha20-Poly1305 (intrinsified on recent
 * JDKs). The nonce is 4 zero bytes followed by {@code n} little-endian; every message consumes
 * one. Without a key (early in a handshake) encryption is the identity, as the spec says.
 *
 * <p>One {@link Cipher} is reused and initialised per message. Not thread-safe: a session's
 * sending and receiving CipherStates each belong to the connection's event loop.
 */
public final class CipherState {
    /** ChaChaPoly keys are 32 bytes. */
    public static final int KEY_LENGTH = 32;
    /** The Poly1305 tag appended to every ciphertext. */
    public static final int TAG_LENGTH = NoiseProtocol.TAG_LENGTH;

    /** 2^64-1 is reserved (Noise spec section 5.1): a CipherState that reaches it is used up. */
    private static final long RESERVED_NONCE = -1L;
    private static final int NONCE_LENGTH = 12;
    private static final String TRANSFORMATION = "ChaCha20-Poly1305";

    private final Cipher cipher;
    private final byte[] nonceBytes = new byte[NONCE_LENGTH];
    private SecretKeySpec key;
    private long nonce;
    /**
     * Staging area for direct (off-heap) buffers: the JDK cipher works on arrays and would
     * otherwise allocate a fresh array per message for them. Grows to the largest message seen,
     * which Noise caps at 65535 bytes.
     */
    private byte[] scratch;

    /** A CipherState without a key, as a handshake starts. */
    public CipherState() {
        try {
            cipher = Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + TRANSFORMATION, e);
        }
    }

    /** A CipherState with key {@code k} and nonce 0. */
    public CipherState(byte[] k) {
        this();
        initializeKey(k);
    }

    /** Noise {@code InitializeKey}: sets the key and resets the nonce. */
    void initializeKey(byte[] k) {
        if (k.length != KEY_LENGTH) {
            throw new IllegalArgumentException("ChaChaPoly key must be " + KEY_LENGTH + " bytes, got " + k.length);
        }
        key = new SecretKeySpec(k, "ChaCha20");
        nonce = 0;
    }

    /** Noise {@code HasKey}. */
    public boolean hasKey() {
        return key != null;
    }

    /** The nonce the next message will use (a count of messages so far, unsigned). */
    public long nonce() {
        return nonce;
    }

    /** Noise {@code SetNonce}; used by tests to reach the end of the nonce space. */
    void setNonce(long n) {
        nonce = n;
    }

    /**
     * Noise {@code EncryptWithAd} for handshake messages: the ciphertext and tag of
     * {@code plaintext}, or a copy of it while there is no key.
     */
    byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
        if (key == null) return plaintext.clone();
        checkNonce();
        byte[] out = new byte[plaintext.length + TAG_LENGTH];
        try {
            init(Cipher.ENCRYPT_MODE);
            cipher.updateAAD(ad);
            cipher.doFinal(plaintext, 0, plaintext.length, out, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
        }
        nonce++;
        return out;
    }

    /**
     * Noise {@code DecryptWithAd} for handshake messages. On failure the nonce does not advance.
     *
     * @throws AEADBadTagException if the ciphertext or {@code ad} was tampered with, or was made
     *     with another key
     */
    byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int offset, int length) throws AEADBadTagException {
        if (key == null) return Arrays.copyOfRange(ciphertext, offset, offset + length);
        if (length < TAG_LENGTH) throw new AEADBadTagException("ciphertext shorter than its tag");
        checkNonce();
        byte[] out = new byte[length - TAG_LENGTH];
        try {
            init(Cipher.DECRYPT_MODE);
            cipher.updateAAD(ad);
            cipher.doFinal(ciphertext, offset, length, out, 0);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
        }
        nonce++;
        return out;
    }

    /**
     * Encrypts a transport message (empty associated data): reads all of {@code plaintext} and
     * writes its ciphertext and tag to {@code out}, advancing both positions. Array-backed buffers
     * are processed in place without copies; {@code plaintext} and {@code out} may be views of
     * the same array at the same offset (in-place encryption).
     *
     * @return the bytes written: {@code plaintext.remaining() + 16}
     * @throws IllegalArgumentException if the plaintext exceeds
     *     {@value NoiseProtocol#MAX_PLAINTEXT_LENGTH} bytes or {@code out} lacks room
     * @throws NoiseTransportException if the nonce space is exhausted
     */
    public int encrypt(ByteBuffer plaintext, ByteBuffer out) {
        int length = plaintext.remaining();
        if (length > NoiseProtocol.MAX_PLAINTEXT_LENGTH) {
            throw new IllegalArgumentException("plaintext of " + length + " bytes exceeds "
                    + NoiseProtocol.MAX_PLAINTEXT_LENGTH);
        }
        if (out.remaining() < length + TAG_LENGTH) {
            throw new IllegalArgumentException("output buffer has " + out.remaining() + " bytes, needs "
                    + (length + TAG_LENGTH));
        }
        requireKey();
        checkNonce();
        try {
            init(Cipher.ENCRYPT_MODE);
            int written = crypt(plaintext, out, length + TAG_LENGTH);
            nonce++;
            return written;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
        }
    }

    /**
     * Decrypts a transport message (empty associated data): reads all of {@code ciphertext}
     * (ciphertext and tag) and writes the plaintext to {@code out}, advancing both positions.
     * Nothing is written and the nonce does not advance when authentication fails.
     * {@code ciphertext} and {@code out} may be views of the same array at the same offset.
     *
     * @return the plaintext length: {@code ciphertext.remaining() - 16}
     * @throws AEADBadTagException if the message was tampered with, truncated or made with another
     *     key or nonce
     * @throws IllegalArgumentException if the message is longer than
     *     {@value NoiseProtocol#MAX_MESSAGE_LENGTH} bytes or {@code out} lacks room
     * @throws NoiseTransportException if the nonce space is exhausted
     */
    public int decrypt(ByteBuffer ciphertext, ByteBuffer out) throws AEADBadTagException {
        int length = ciphertext.remaining();
        if (length < TAG_LENGTH) throw new AEADBadTagException("ciphertext shorter than its tag");
        if (length > NoiseProtocol.MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("ciphertext of " + length + " bytes exceeds "
                    + NoiseProtocol.MAX_MESSAGE_LENGTH);
        }
        if (out.remaining() < length - TAG_LENGTH) {
            throw new IllegalArgumentException("output buffer has " + out.remaining() + " bytes, needs "
                    + (length - TAG_LENGTH));
        }
        requireKey();
        checkNonce();
        try {
            init(Cipher.DECRYPT_MODE);
            int written = crypt(ciphertext, out, length);
            nonce++;
            return written;
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
        }
    }

    private int crypt(ByteBuffer in, ByteBuffer out, int stagingLength) throws GeneralSecurityException {
        int inLength = in.remaining();
        int outPosition = out.position();
        int written;
        if (in.hasArray() && out.hasArray()) {
            written = cipher.doFinal(in.array(), in.arrayOffset() + in.position(), inLength,
                    out.array(), out.arrayOffset() + outPosition);
        } else {
            byte[] buffer = scratch(stagingLength);
            if (in.hasArray()) {
                written = cipher.doFinal(in.array(), in.arrayOffset() + in.position(), inLength, buffer, 0);
            } else {
                in.get(in.position(), buffer, 0, inLength);
                written = cipher.doFinal(buffer, 0, inLength, buffer, 0);
            }
            out.put(outPosition, buffer, 0, written);
        }
        in.position(in.limit());
        out.position(outPosition + written);
        return written;
    }

    private byte[] scratch(int length) {
        if (scratch == null || scratch.length < length) scratch = new byte[length];
        return scratch;
    }

    private void init(int mode) throws GeneralSecurityException {
        long n = nonce;
        for (int i = 4; i < NONCE_LENGTH; i++) {
            nonceBytes[i] = (byte) n;
            n >>>= 8;
        }
        cipher.init(mode, key, new IvParameterSpec(nonceBytes));
    }

    private void requireKey() {
        if (key == null) throw new IllegalStateException("transport CipherState has no key");
    }

    private void checkNonce() {
        if (nonce == RESERVED_NONCE) {
            throw new NoiseTransportException("Noise nonce space exhausted (2^64-1 messages); the connection must be closed");
        }
    }

    @Override
    public String toString() {
        return "CipherState[" + (key == null ? "no key" : "n=" + Long.toUnsignedString(nonce)) + "]";
    }
}
