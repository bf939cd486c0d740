package dev.ferry.cmd.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a running node's API listens, kept in the data directory's {@value #FILE_NAME} file while
 * the node runs, so that {@code ferry send} and the other commands find it with no option.
 */
public final class ApiEndpoint {
    /** The file in the data directory: one line, the API's base URL ({@code http://127.0.0.1:7001}). */
    public static final String FILE_NAME = "api-address";

    private ApiEndpoint() {}

    /** Records {@code url} (written whole, then moved into place, so a reader never sees half of it). */
    public static void write(Path dataDir, URI url) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Path temp = Files.createTempFile(dataDir, FILE_NAME, ".tmp");
            Files.writeString(temp, url + "\n", StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The running node's API URL.
     *
     * @throws UncheckedIOException naming the data directory if no node runs there (or ran without an API)
     */
    public static URI read(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            return URI.create(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no node is running with data directory " + dataDir
                    + " (start one with 'ferry node', or pass --data-dir)", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), new IOException(e));
        }
    }

    /** Forgets the URL when the node stops. */
    public static void remove(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(FILE_NAME));
        } catch (IOException e) {
            // a stale file only makes the next command say the node does not answer
        }
    }
}
