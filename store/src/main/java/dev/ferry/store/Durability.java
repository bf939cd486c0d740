package dev.ferry.store;

/**
 * When a write is durable once it returns. Both write the RocksDB write-ahead log before
 * returning; they differ in whether the log is fsynced.
 */
public enum Durability {
    /**
     * The log is written to the OS (no fsync): a write that returned survives a crash or a
     * {@code kill -9} of the node, since the page cache outlives the process, but the last
     * writes may be lost on power loss or a kernel crash. Fast; the default.
     */
    PROCESS_CRASH,
    /** The log is fsynced before the write returns: it also survives power loss. Each write costs a disk flush. */
    POWER_LOSS
}
