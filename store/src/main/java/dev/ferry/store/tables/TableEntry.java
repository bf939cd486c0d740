package dev.ferry.store.tables;

/**
 * One key and value of a table, as a scan returns it. The arrays belong to the receiver.
 *
 * @param key the key
 * @param value the value
 */
public record TableEntry(byte[] key, byte[] value) {}
