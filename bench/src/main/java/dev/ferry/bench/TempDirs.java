package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The benchmarks' temporary directories (data directories of their nodes, work files). */
final class TempDirs {
    private TempDirs() {}

    /** Deletes {@code root} and everything under it, as far as it can: a directory left behind in /tmp harms nothing. */
    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // left behind
        }
    }
}
