package dev.ferry.store;

import java.util.Arrays;

/**
 * The id of an envelope: the SHA-256 that commits to its mailbox, times, ACK hash, ciphertext and shard hashes.
 *
 * <p>Exactly {@value #LENGTH} bytes; the array is copied in and out, so an instance never changes.
 */
public final class EnvelopeId implements Comparable<EnvelopeId> {
    /** SHA-256 output size. */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private EnvelopeId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id made of these {@value #LENGTH} bytes; throws {@link IllegalArgumentException} for any other length. */
    public static EnvelopeId of(byte[] bytes) {
        return new EnvelopeId(IdBytes.exact("EnvelopeId", bytes, LENGTH));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public int compareTo(EnvelopeId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EnvelopeId that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return IdBytes.show("EnvelopeId", bytes);
    }
}
