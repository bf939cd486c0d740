package dev.ferry.store;

import java.util.Arrays;

/**
 * An inbox conversation: a 1:1 conversation is named by the other peer's PeerId bytes, a group one by its group id (the layer above keeps the two apart, e.g. with a prefix byte).
 *
 * <p>1 to {@value #MAX_LENGTH} bytes; the array is copied in and out, so an instance never changes.
 */
public final class ConversationId implements Comparable<ConversationId> {
    /** Room for a PeerId or a group id plus a prefix byte, while keeping inbox keys small. */
    public static final int MAX_LENGTH = 64;

    private final byte[] bytes;

    private ConversationId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id made of these bytes; throws {@link IllegalArgumentException} when empty or longer than {@value #MAX_LENGTH}. */
    public static ConversationId of(byte[] bytes) {
        return new ConversationId(IdBytes.bounded("ConversationId", bytes, MAX_LENGTH));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public int compareTo(ConversationId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConversationId that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return IdBytes.show("ConversationId", bytes);
    }
}
