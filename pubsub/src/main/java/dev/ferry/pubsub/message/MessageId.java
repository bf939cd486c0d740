package dev.ferry.pubsub.message;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The id of a published message, as a {@link MessageIdFunction} computes it and IHAVE and IWANT
 * carry it: opaque bytes, compared by value. Immutable.
 */
public final class MessageId {
    /**
     * Longest id accepted: default ids are 32 (a data hash) to 46 bytes (a PeerId and an 8-byte
     * seqno); the cap bounds what the seen cache, message cache and IWANT promises hold per id.
     */
    public static final int MAX_LENGTH = 256;

    private final byte[] bytes;
    private final int hash;

    private MessageId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /**
     * The id made of a copy of {@code bytes}.
     *
     * @throws IllegalArgumentException if empty or longer than {@link #MAX_LENGTH}
     */
    public static MessageId of(byte[] bytes) {
        return wrap(bytes.clone());
    }

    /** Wraps bytes the caller hands over and never touches again. */
    static MessageId wrap(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("message id length " + bytes.length + " not in [1, " + MAX_LENGTH + "]");
        }
        return new MessageId(bytes);
    }

    /** A copy of the id's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The id's length in bytes. */
    public int length() {
        return bytes.length;
    }

    /** The id in standard base64, the form js-libp2p gossipsub keys its caches and logs by. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId other && other.hash == hash && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The id in lower-case hex. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
