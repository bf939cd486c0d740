package dev.ferry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every benchmark that runs js-libp2p shares (picocli mixin): where the checkout and
 * the js scripts are, and which Node.js runs them.
 */
final class JsSetup {
    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
            description = "The Ferry checkout (default: the current directory).")
    Path repo;

    @Option(names = "--js-dir", paramLabel = "DIR",
            description = "The js-libp2p scripts, with node_modules installed (default: REPO/interop/js).")
    Path jsDir;

    @Option(names = "--node", paramLabel = "PATH", defaultValue = "node",
            description = "The Node.js executable (default: ${DEFAULT-VALUE}).")
    String nodeExecutable;

    /** Makes the paths absolute and fills in the js directory's default; call once, first. */
    void resolve() {
        repo = repo.toAbsolutePath().normalize();
        jsDir = (jsDir != null ? jsDir : repo.resolve("interop/js")).toAbsolutePath().normalize();
    }

    /** Fails unless the js packages are installed. */
    void requireNodeModules() throws BenchmarkException {
        if (!Files.isDirectory(jsDir.resolve("node_modules"))) {
            throw new BenchmarkException(jsDir + "/node_modules is missing; run npm ci there (bench/run does)");
        }
    }

    /** {@code node --import ./polyfill.mjs SCRIPT ARGS...}, to run in {@link #jsDir}. */
    List<String> node(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(nodeExecutable, "--import", "./polyfill.mjs", script));
        command.addAll(List.of(args));
        return command;
    }
}
