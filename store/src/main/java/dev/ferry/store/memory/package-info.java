/**
 * The in-memory {@link dev.ferry.store.FerryStore}: the same rules as the RocksDB one over sorted
 * maps, for tests, demos and nodes that keep nothing across restarts.
 */
package dev.ferry.store.memory;
