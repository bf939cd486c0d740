package dev.ferry.crypto.multiformats;

import java.io.ByteArrayOutputStream;

/**
 * The multiformats unsigned varint: 7 bits a byte, least significant group first, high bit set on
 * every byte but the last. Values are limited to 63 bits and 9 bytes, as the spec requires, and a
 * non-minimal encoding is refused so that every value has exactly one form.
 */
public final class UnsignedVarint {
    /** The spec's practical maximum: 9 bytes carry 63 bits. */
    public static final int MAX_BYTES = 9;

    private UnsignedVarint() {}

    /** Number of bytes {@code value} takes when encoded. */
    public static int encodedLength(long value) {
        if (value < 0) throw new IllegalArgumentException("varint value is negative: " + value);
        int n = 1;
        while ((value >>>= 7) != 0) n++;
        return n;
    }

    /** Encodes {@code value} into a new array. */
    public static byte[] encode(long value) {
        byte[] out = new byte[encodedLength(value)];
        encode(value, out, 0);
        return out;
    }

    /** Encodes {@code value} into {@code out} at {@code offset}; returns the number of bytes written. */
    public static int encode(long value, byte[] out, int offset) {
        if (value < 0) throw new IllegalArgumentException("varint value is negative: " + value);
        int i = offset;
        while ((value & ~0x7FL) != 0) {
            out[i++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[i++] = (byte) value;
        return i - offset;
    }

    /** Appends the encoding of {@code value} to {@code out}. */
    public static void write(long value, ByteArrayOutputStream out) {
        out.writeBytes(encode(value));
    }

    /**
     * Decodes a varint at {@code offset}.
     *
     * @return the value and the number of bytes it took
     * @throws IllegalArgumentException if the input ends inside the varint, is longer than 9 bytes or
     *     is not minimally encoded
     */
    public static Decoded decode(byte[] in, int offset) {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (offset + i >= in.length) throw new IllegalArgumentException("varint is truncated");
            int b = in[offset + i] & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) throw new IllegalArgumentException("varint is not minimally encoded");
                return new Decoded(value, i + 1);
            }
        }
        throw new IllegalArgumentException("varint is longer than " + MAX_BYTES + " bytes");
    }

    /** A decoded value and its encoded length. */
    public record Decoded(long value, int length) {
        /** The value as an int, refusing anything larger than {@code max}. */
        public int intValue(int max, String what) {
            if (value > max) throw new IllegalArgumentException(what + " " + value + " exceeds " + max);
            return (int) value;
        }
    }
}
