package dev.ferry.store;

import java.util.Arrays;

/**
 * A mailbox: {@code SHA-256("ferry/mailbox/v1" || recipient PeerId bytes)}, the DHT key whose closest peers hold its shards.
 *
 * <p>Exactly {@value #LENGTH} bytes; the array is copied in and out, so an instance never changes.
 */
public final class MailboxKey implements Comparable<MailboxKey> {
    /** SHA-256 output size. */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private MailboxKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id made of these {@value #LENGTH} bytes; throws {@link IllegalArgumentException} for any other length. */
    public static MailboxKey of(byte[] bytes) {
        return new MailboxKey(IdBytes.exact("MailboxKey", bytes, LENGTH));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public int compareTo(MailboxKey other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MailboxKey that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return IdBytes.show("MailboxKey", bytes);
    }
}
