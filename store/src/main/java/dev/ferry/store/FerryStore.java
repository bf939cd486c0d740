package dev.ferry.store;

import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The node's durable state: mailbox shards, ACK tombstones, prekey bundles held for others, ratchet sessions, prekeys, contacts,
 * groups, inbox and outbox. Each write through one of the parts is atomic; writes that must go
 * together go in one {@link #write} batch. Safe to use from several threads: writes are applied
 * one at a time, reads run alongside.
 *
 * <p>Implementations: {@code dev.ferry.store.memory.InMemoryFerryStore} for tests and demos,
 * {@code dev.ferry.store.rocks.RocksFerryStore} for a node. After {@link #close()} every call
 * throws {@link IllegalStateException}.
 */
public interface FerryStore extends StoreAccess, AutoCloseable {
    /** The largest {@code maxBatch} of {@link #sweepExpired}: one sweep is one bounded write. */
    int MAX_SWEEP_BATCH = 10_000;

    /**
     * Runs {@code work} on a batch and applies everything it wrote at once, or nothing if it
     * throws.
     */
    default void write(Consumer<StoreBatch> work) {
        writeReturning(batch -> {
            work.accept(batch);
            return null;
        });
    }

    /** As {@link #write(Consumer)}, returning what {@code work} returned. */
    <T> T writeReturning(Function<StoreBatch, T> work);

    /**
     * Deletes shards, tombstones, outbox entries and held prekey bundles whose expiry is at or before {@code now},
     * at most {@code maxBatch} (1 to {@link #MAX_SWEEP_BATCH}) in one write, earliest first.
     */
    SweepResult sweepExpired(Instant now, int maxBatch);

    /** The limits this store enforces. */
    StoreLimits limits();

    /** Closes the store; a second call does nothing. */
    @Override
    void close();
}
