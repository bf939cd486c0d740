package dev.ferry.store;

import java.util.List;
import java.util.Optional;

/**
 * Envelopes this node sent, kept until they are acknowledged or expire, so that a restarted
 * node pushes again what is still pending. The expiry sweep deletes an entry at its expiry.
 */
public interface Outbox {
    /** How many entries one {@link #list} call returns at most. */
    int MAX_LIST = 1000;

    /** Stores or replaces an entry. */
    void put(OutboxEntry entry);

    /** The entry for this envelope, if any. */
    Optional<OutboxEntry> get(EnvelopeId envelope);

    /**
     * Changes an entry's state.
     *
     * @return false if there is no such entry
     */
    boolean setState(EnvelopeId envelope, OutboxState state);

    /**
     * Deletes an entry.
     *
     * @return whether it was there
     */
    boolean delete(EnvelopeId envelope);

    /** Up to {@code limit} (at most {@link #MAX_LIST}) entries in envelope id order, after {@code after}. */
    List<OutboxEntry> list(Optional<EnvelopeId> after, int limit);
}
