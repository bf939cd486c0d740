package dev.ferry.cmd;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry ARGS} as a real process: {@code dev.ferry.cmd.Main} in a new JVM with this test's
 * class path, as ./ferry runs it, its stdout and stderr kept line by line.
 */
final class FerryProcess implements AutoCloseable {
    /** A JVM start plus a Netty bind, on a busy 2-core machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Lines of stdout and stderr kept for assertions and failure messages. */
    private static final int MAX_LINES = 1000;

    final Process process;
    final List<String> stdout = new CopyOnWriteArrayList<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private FerryProcess(Process process) {
        this.process = process;
        this.stdoutReader = ProcessLines.drain(process.getInputStream(), stdout, MAX_LINES, "ferry-stdout");
        this.stderrReader = ProcessLines.drain(process.getErrorStream(), stderr, MAX_LINES, "ferry-stderr");
    }

    static FerryProcess start(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new FerryProcess(new ProcessBuilder(command).start());
    }

    /** Runs {@code ferry ARGS} as a process to its end (a command, not a node): its exit code and all its output. */
    static CliRun run(String... args) throws IOException, InterruptedException {
        try (FerryProcess p = start(args)) {
            if (!p.process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("ferry " + String.join(" ", args) + " still running after " + START_TIMEOUT + "; " + p.describe());
            }
            // the output ends with the process: the readers finish right after it
            p.stdoutReader.join(STOP_TIMEOUT.toMillis());
            p.stderrReader.join(STOP_TIMEOUT.toMillis());
            return new CliRun(p.process.exitValue(), List.copyOf(p.stdout), List.copyOf(p.stderr));
        }
    }

    /** The first stdout line starting with {@code prefix}, waiting for it. */
    String awaitStdout(String prefix) {
        return awaitLine(stdout, prefix, "stdout");
    }

    /** The first stderr line starting with {@code prefix}, waiting for it. */
    String awaitStderr(String prefix) {
        return awaitLine(stderr, prefix, "stderr");
    }

    /** The first stdout line starting with {@code prefix} that also matches {@code condition}, waiting for it. */
    String awaitStdout(String prefix, java.util.function.Predicate<String> condition) {
        return await().alias("a '" + prefix + "' line that matches on stdout; " + describe())
                .atMost(START_TIMEOUT)
                .until(() -> stdout.stream().filter(l -> l.startsWith(prefix) && condition.test(l)).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    private String awaitLine(List<String> lines, String prefix, String stream) {
        return await().alias("a '" + prefix + "' line on " + stream + "; " + describe())
                .atMost(START_TIMEOUT)
                .until(() -> lines.stream().filter(l -> l.startsWith(prefix)).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    /** Sends SIGTERM and returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running " + STOP_TIMEOUT + " after SIGTERM; " + describe());
        }
        return process.exitValue();
    }

    String describe() {
        return "stdout: " + stdout + ", stderr: " + stderr;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
