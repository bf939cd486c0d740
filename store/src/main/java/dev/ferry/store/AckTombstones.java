package dev.ferry.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Envelopes acknowledged here: a tombstone refuses any later {@link ShardStore#put} of the same
 * envelope until its expiry, when the sweep deletes it. Delete the shards and write the
 * tombstone in one {@link FerryStore#write batch}, so that a crash between the two cannot let
 * an acknowledged envelope come back.
 */
public interface AckTombstones {
    /**
     * Records that {@code envelope} was acknowledged, until {@code expiry}. A tombstone already
     * there keeps the later of the two expiries.
     */
    void put(EnvelopeId envelope, Instant expiry);

    /** Whether {@code envelope} has a tombstone. */
    boolean contains(EnvelopeId envelope);

    /** The tombstone's expiry, if there is one. */
    Optional<Instant> expiry(EnvelopeId envelope);
}
