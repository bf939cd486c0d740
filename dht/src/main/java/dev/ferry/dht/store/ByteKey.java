package dev.ferry.dht.store;

import java.util.Arrays;

/** A byte-array key for hash maps: a private copy, compared by content. Immutable. */
final class ByteKey {
    private final byte[] bytes;
    private final int hashCode;

    private ByteKey(byte[] bytes) {
        this.bytes = bytes;
        this.hashCode = Arrays.hashCode(bytes);
    }

    /** A key holding a copy of {@code bytes}. */
    static ByteKey copyOf(byte[] bytes) {
        return new ByteKey(bytes.clone());
    }

    byte[] bytes() {
        return bytes.clone();
    }

    int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && k.hashCode == hashCode && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hashCode;
    }

    /** The length only: keys stay out of logs. */
    @Override
    public String toString() {
        return "ByteKey[" + bytes.length + " bytes]";
    }
}
