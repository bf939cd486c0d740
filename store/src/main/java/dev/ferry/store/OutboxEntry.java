package dev.ferry.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * An envelope this node sent, kept until it is acknowledged or expires. The sweep deletes it at
 * its expiry.
 *
 * @param envelope the envelope's id
 * @param state where its delivery stands
 * @param expiry the envelope's expiry time
 * @param bytes the envelope as the layer above serialized it
 */
public record OutboxEntry(EnvelopeId envelope, OutboxState state, Instant expiry, byte[] bytes) {
    /** Checks the fields and copies the bytes. */
    public OutboxEntry {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(expiry, "expiry");
        bytes = bytes.clone();
    }

    /** A copy of the envelope bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** This entry in another state. */
    public OutboxEntry withState(OutboxState newState) {
        return new OutboxEntry(envelope, newState, expiry, bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OutboxEntry that && envelope.equals(that.envelope) && state == that.state
                && expiry.equals(that.expiry) && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(envelope, state, expiry);
    }

    @Override
    public String toString() {
        return "OutboxEntry[" + envelope + ", " + state + ", expires " + expiry + ", " + bytes.length + " bytes]";
    }
}
