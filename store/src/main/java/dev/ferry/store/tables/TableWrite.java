package dev.ferry.store.tables;

/**
 * One put or delete of a batch.
 *
 * @param table the table
 * @param key the key
 * @param value the new value, or null to delete the key
 */
public record TableWrite(Table table, byte[] key, byte[] value) {
    /** Whether this deletes the key. */
    public boolean isDelete() {
        return value == null;
    }
}
