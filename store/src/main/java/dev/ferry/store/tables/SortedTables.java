package dev.ferry.store.tables;

import java.util.List;

/**
 * The storage engine under {@link TableStore}: tables of byte keys in unsigned lexicographic
 * order, written in atomic batches. {@link TableStore} serializes writes and stops calls before
 * {@link #close()}, so an implementation needs to be safe only for reads alongside one write.
 */
public interface SortedTables {
    /** The value under {@code key}, or null. */
    byte[] get(Table table, byte[] key);

    /**
     * Up to {@code limit} entries whose key is at least {@code from} and starts with
     * {@code prefix}, in key order. {@code from} itself starts with {@code prefix}.
     */
    List<TableEntry> scan(Table table, byte[] from, byte[] prefix, int limit);

    /** Applies all writes at once: after a crash, either all of them are there or none. */
    void apply(List<TableWrite> writes);

    /** Releases the engine; called once. */
    void close();
}
