package dev.ferry.pubsub.cache;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A pubsub message id as a value: the bytes the router's message-id function produced (by default
 * {@code from || seqno}), compared by content. Immutable.
 *
 * <p>This is the caches' and the mesh's key; it stands in for the message package's id type and
 * is meant to be replaced by it, which is why it has nothing but bytes, equality and a length cap.
 */
public final class MessageKey {
    /**
     * Longest id accepted. Default ids are about 46 bytes (a PeerId and an 8-byte seqno) and hash
     * ids 32; 256 leaves room for any custom id function while bounding what the seen cache, the
     * message cache and promise tracking hold per id.
     */
    public static final int MAX_LENGTH = 256;

    private final byte[] bytes;
    private final int hash;

    private MessageKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /**
     * The id made of a copy of {@code bytes}.
     *
     * @throws IllegalArgumentException if empty or longer than {@link #MAX_LENGTH}; ids from the
     *     network are checked by the codec first
     */
    public static MessageKey of(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("message id length " + bytes.length + " not in [1, " + MAX_LENGTH + "]");
        }
        return new MessageKey(bytes.clone());
    }

    /** A copy of the id's bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The number of bytes in the id. */
    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageKey other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "MessageKey[" + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 8))
                + (bytes.length > 8 ? "..." : "") + "]";
    }
}
