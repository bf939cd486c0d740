/**
 * The RocksDB {@link dev.ferry.store.FerryStore}: one column family per table, each write one
 * WriteBatch with the write-ahead log on, a bounded block cache. See docs/OPERATIONS-store.md for
 * the data directory, durability and backups.
 */
package dev.ferry.store.rocks;
