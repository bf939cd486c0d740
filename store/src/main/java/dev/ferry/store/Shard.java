package dev.ferry.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One erasure-coded shard of an envelope as a mailbox holder keeps it: the envelope's header
 * bytes (what the retriever needs to check and rebuild it, opaque here), the shard's data, and
 * what the store indexes it by. Arrays are copied in and out.
 *
 * @param envelope the envelope this shard belongs to
 * @param index the shard's index in the envelope's code, 0 to {@value #MAX_INDEX}
 * @param mailbox the mailbox it is listed under
 * @param sender the peer that stored it, charged for its bytes
 * @param expiry when the sweep deletes it
 * @param header the envelope header bytes
 * @param data the shard bytes
 */
public record Shard(
        EnvelopeId envelope, int index, MailboxKey mailbox, PeerBytes sender, Instant expiry, byte[] header,
        byte[] data) {
    /** A GF(2^8) Reed-Solomon code has at most 256 shards, so an index fits one byte. */
    public static final int MAX_INDEX = 255;

    /** Checks the fields and copies the arrays. */
    public Shard {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(expiry, "expiry");
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("shard index must be 0.." + MAX_INDEX + ", got " + index);
        }
        header = header.clone();
        data = data.clone();
    }

    /** A copy of the header bytes. */
    @Override
    public byte[] header() {
        return header.clone();
    }

    /** A copy of the shard bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** What the shard counts against the limits: header plus data. */
    public long chargedBytes() {
        return (long) header.length + data.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Shard that && envelope.equals(that.envelope) && index == that.index
                && mailbox.equals(that.mailbox) && sender.equals(that.sender) && expiry.equals(that.expiry)
                && Arrays.equals(header, that.header) && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(envelope, index, mailbox, expiry) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Shard[" + envelope + " #" + index + ", " + mailbox + ", from " + sender + ", expires " + expiry
                + ", " + header.length + "+" + data.length + " bytes]";
    }
}
