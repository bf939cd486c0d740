package dev.ferry.store;

import java.util.Arrays;

/**
 * A group's random id, as the group layer chose it.
 *
 * <p>1 to {@value #MAX_LENGTH} bytes; the array is copied in and out, so an instance never changes.
 */
public final class GroupId implements Comparable<GroupId> {
    /** Group ids are random 32-byte values today; 64 leaves room without letting keys grow unbounded. */
    public static final int MAX_LENGTH = 64;

    private final byte[] bytes;

    private GroupId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id made of these bytes; throws {@link IllegalArgumentException} when empty or longer than {@value #MAX_LENGTH}. */
    public static GroupId of(byte[] bytes) {
        return new GroupId(IdBytes.bounded("GroupId", bytes, MAX_LENGTH));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public int compareTo(GroupId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GroupId that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return IdBytes.show("GroupId", bytes);
    }
}
