/**
 * The store's logic written once over sorted key-value tables: record layouts (fixed big-endian
 * binary), limits and byte accounting, the mailbox and expiry indexes, batches and the expiry
 * sweep. {@link dev.ferry.store.tables.TableStore} implements {@link dev.ferry.store.FerryStore}
 * over any {@link dev.ferry.store.tables.SortedTables}: the RocksDB column families, or sorted
 * maps in memory. So both implementations share every rule, and the contract tests check the
 * engines.
 */
package dev.ferry.store.tables;
