package dev.ferry.store;

import java.nio.file.Path;

/**
 * The storage engine failed (a RocksDB native error: disk full, corruption, a directory locked by
 * another process...). It names the data directory; the write it came from was not applied.
 */
public final class StoreFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path directory;

    /** A failure of {@code operation} on the store in {@code directory}. */
    public StoreFailureException(Path directory, String operation, Throwable cause) {
        super("store " + directory + ": " + operation + " failed: " + cause.getMessage(), cause);
        this.directory = directory;
    }

    /** The data directory of the store that failed. */
    public Path directory() {
        return directory;
    }
}
