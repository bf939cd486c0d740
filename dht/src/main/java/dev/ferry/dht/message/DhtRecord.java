package dev.ferry.dht.message;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record as PUT_VALUE and GET_VALUE carry it: a key, a value and, as the storing node set
 * it, when it was received. Whether the value is valid for its key is for the validator of the
 * key's namespace ({@code dev.ferry.dht.record.Validators}) to say. Immutable: arrays are
 * copied in and out.
 *
 * @param timeReceived RFC 3339 (as {@link #timeReceivedOf} writes it), or empty when unknown.
 *     Informational only: a receiver sets its own and never trusts this one.
 */
public record DhtRecord(byte[] key, byte[] value, String timeReceived) {
    /** go's RFC3339Nano layout, which js-libp2p writes too: always nine fraction digits, UTC. */
    private static final DateTimeFormatter RFC3339_NANO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    public DhtRecord {
        key = key.clone();
        value = value.clone();
        Objects.requireNonNull(timeReceived, "timeReceived");
        if (key.length > DhtProtocol.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("record key of " + key.length + " bytes, longer than "
                    + DhtProtocol.MAX_KEY_LENGTH);
        }
        if (timeReceived.length() > DhtProtocol.MAX_TIME_RECEIVED_LENGTH) {
            throw new IllegalArgumentException("timeReceived longer than " + DhtProtocol.MAX_TIME_RECEIVED_LENGTH);
        }
    }

    /** A record with no time received, as a publisher sends it. */
    public static DhtRecord of(byte[] key, byte[] value) {
        return new DhtRecord(key, value, "");
    }

    /** This record as stored at {@code received}: what a node answering GET_VALUE sends. */
    public DhtRecord receivedAt(Instant received) {
        return new DhtRecord(key, value, timeReceivedOf(received));
    }

    /** {@code time} in the form go and js write {@code timeReceived}: {@code 2006-01-02T15:04:05.999999999Z}. */
    public static String timeReceivedOf(Instant time) {
        return RFC3339_NANO.format(time);
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** True if this record has {@code key}; saves a copy. */
    public boolean hasKey(byte[] other) {
        return Arrays.equals(key, other);
    }

    /** Same key and value; {@code timeReceived} is ignored, as it differs at every node. */
    public boolean sameContent(DhtRecord other) {
        return Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhtRecord r && Arrays.equals(r.key, key) && Arrays.equals(r.value, value)
                && r.timeReceived.equals(timeReceived);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + timeReceived.hashCode();
    }

    /** Sizes only: keys and values stay out of logs. */
    @Override
    public String toString() {
        return "DhtRecord[key=" + key.length + " bytes, value=" + value.length + " bytes"
                + (timeReceived.isEmpty() ? "" : ", received " + timeReceived) + "]";
    }
}
