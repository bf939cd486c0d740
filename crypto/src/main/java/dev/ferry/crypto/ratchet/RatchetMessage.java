package dev.ferry.crypto.ratchet;

import dev.ferry.crypto.Aes256Gcm;
import dev.ferry.crypto.X25519;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A Double Ratchet message on the wire, a fixed binary layout:
 *
 * <pre>
 * version (1 byte, {@value #VERSION}) | sender's ratchet public key (32) | PN (uint32, big-endian)
 *   | N (uint32, big-endian) | AES-256-GCM ciphertext with its 16-byte tag
 * </pre>
 *
 * The first {@value #HEADER_LENGTH} bytes are the header; they are authenticated, together with
 * the session's associated data, by the AEAD, so the header is exactly the bytes that were sent
 * and needs no canonical re-encoding. {@link #decode} accepts untrusted bytes and throws nothing
 * but {@link RatchetException}.
 */
public final class RatchetMessage {
    /** The only format version so far. */
    public static final int VERSION = 1;
    /** Version, ratchet public key, PN and N. */
    public static final int HEADER_LENGTH = 1 + X25519.KEY_LENGTH + 4 + 4;
    /** A header and an empty plaintext's tag. */
    public static final int MIN_LENGTH = HEADER_LENGTH + Aes256Gcm.TAG_LENGTH;

    static final int RATCHET_KEY_OFFSET = 1;
    static final int PN_OFFSET = RATCHET_KEY_OFFSET + X25519.KEY_LENGTH;
    static final int N_OFFSET = PN_OFFSET + 4;

    private final byte[] encoded;
    private final byte[] ratchetPublicKey;
    private final int previousChainLength;
    private final int messageNumber;

    private RatchetMessage(byte[] encoded, byte[] ratchetPublicKey, int previousChainLength, int messageNumber) {
        this.encoded = encoded;
        this.ratchetPublicKey = ratchetPublicKey;
        this.previousChainLength = previousChainLength;
        this.messageNumber = messageNumber;
    }

    /**
     * The message in {@code bytes} (copied).
     *
     * @throws RatchetException with reason {@link RatchetException.Reason#MALFORMED} if the bytes are too
     *     short or too long, of another version, or carry a counter above {@link RatchetLimits#MAX_MESSAGE_NUMBER}
     */
    public static RatchetMessage decode(byte[] bytes) throws RatchetException {
        if (bytes == null) throw malformed("no bytes");
        if (bytes.length < MIN_LENGTH) throw malformed("message of " + bytes.length + " bytes is shorter than " + MIN_LENGTH);
        if (bytes.length > RatchetLimits.MAX_MESSAGE_SIZE) {
            throw malformed("message of " + bytes.length + " bytes exceeds " + RatchetLimits.MAX_MESSAGE_SIZE);
        }
        if (bytes[0] != VERSION) throw malformed("unknown version " + (bytes[0] & 0xff));
        long pn = readUint32(bytes, PN_OFFSET);
        long n = readUint32(bytes, N_OFFSET);
        if (pn > RatchetLimits.MAX_MESSAGE_NUMBER || n > RatchetLimits.MAX_MESSAGE_NUMBER) {
            throw malformed("message counter out of range");
        }
        byte[] copy = bytes.clone();
        return new RatchetMessage(copy, Arrays.copyOfRange(copy, RATCHET_KEY_OFFSET, PN_OFFSET), (int) pn, (int) n);
    }

    /** A message's bytes with the header written and room for {@code ciphertextLength} bytes after it. */
    static byte[] allocate(byte[] ratchetPublicKey, int previousChainLength, int messageNumber, int ciphertextLength) {
        byte[] out = new byte[HEADER_LENGTH + ciphertextLength];
        out[0] = VERSION;
        System.arraycopy(ratchetPublicKey, 0, out, RATCHET_KEY_OFFSET, X25519.KEY_LENGTH);
        writeUint32(out, PN_OFFSET, previousChainLength);
        writeUint32(out, N_OFFSET, messageNumber);
        return out;
    }

    /** The encoded message (a copy). */
    public byte[] encode() {
        return encoded.clone();
    }

    /** The sender's ratchet public key at the time it sent this (a copy). */
    public byte[] ratchetPublicKey() {
        return ratchetPublicKey.clone();
    }

    /** PN: the number of messages in the sender's previous sending chain. */
    public int previousChainLength() {
        return previousChainLength;
    }

    /** N: this message's number in its sending chain, from 0. */
    public int messageNumber() {
        return messageNumber;
    }

    /** The ciphertext's length, tag included. */
    public int ciphertextLength() {
        return encoded.length - HEADER_LENGTH;
    }

    byte[] encodedNoCopy() {
        return encoded;
    }

    byte[] ratchetPublicKeyNoCopy() {
        return ratchetPublicKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RatchetMessage m && Arrays.equals(m.encoded, encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "RatchetMessage[ratchetKey=" + HexFormat.of().formatHex(ratchetPublicKey) + ", pn=" + previousChainLength
                + ", n=" + messageNumber + ", ciphertext=" + ciphertextLength() + " bytes]";
    }

    private static RatchetException malformed(String why) {
        return new RatchetException(RatchetException.Reason.MALFORMED, why);
    }

    private static long readUint32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    private static void writeUint32(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }
}
