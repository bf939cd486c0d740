package dev.ferry.store;

/**
 * The writes of one {@link FerryStore#write} call. Its parts read what the batch already wrote
 * (two shards of one batch count together against the limits), and everything the batch wrote
 * is applied at once when the call returns: in RocksDB as one WriteBatch. If the call throws
 * (a {@link StoreRefusedException} included), nothing of it is applied.
 *
 * <p>Use it only inside the call that received it and only from that thread.
 */
public interface StoreBatch extends StoreAccess {}
