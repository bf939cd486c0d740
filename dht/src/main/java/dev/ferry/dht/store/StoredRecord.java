package dev.ferry.dht.store;

import dev.ferry.dht.message.DhtRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record as a {@link RecordStore} holds it: key, value, when this node received it and when it
 * expires. Immutable: arrays are copied in and out.
 */
public record StoredRecord(byte[] key, byte[] value, Instant received, Instant expires) {
    public StoredRecord {
        key = key.clone();
        value = value.clone();
        Objects.requireNonNull(received, "received");
        Objects.requireNonNull(expires, "expires");
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** Length of the value, without a copy. */
    public int valueLength() {
        return value.length;
    }

    /** True once {@code now} has reached the expiry time. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expires);
    }

    /** The record as GET_VALUE answers it, with this node's time received. */
    public DhtRecord toDhtRecord() {
        return new DhtRecord(key, value, DhtRecord.timeReceivedOf(received));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredRecord r && Arrays.equals(r.key, key) && Arrays.equals(r.value, value)
                && r.received.equals(received) && r.expires.equals(expires);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), received, expires);
    }

    /** Sizes and times only: keys and values stay out of logs. */
    @Override
    public String toString() {
        return "StoredRecord[key=" + key.length + " bytes, value=" + value.length + " bytes, received "
                + received + ", expires " + expires + "]";
    }
}
