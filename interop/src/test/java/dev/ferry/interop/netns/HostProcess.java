package dev.ferry.interop.netns;

import static org.awaitility.Awaitility.await;

import dev.ferry.cmd.ProcessLines;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process running inside one host of a {@link NetnsNetwork} ({@code ip netns exec NAME ...},
 * which execs the command, so this process is the command itself), its stdout and stderr kept
 * line by line for waits and failure messages. Its stdin stays open: the js peer stops when it
 * closes.
 */
public final class HostProcess implements AutoCloseable {
    /** For the process to end after SIGTERM before it is killed. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    /** Lines kept per stream; the nodes print a handful, the js peer a line per event. */
    private static final int MAX_LINES = 2000;

    private final String label;
    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    HostProcess(String label, Process process) {
        this.label = label;
        this.process = process;
        this.stdoutReader = ProcessLines.drain(process.getInputStream(), stdout, MAX_LINES, label + "-stdout");
        this.stderrReader = ProcessLines.drain(process.getErrorStream(), stderr, MAX_LINES, label + "-stderr");
    }

    /** What the test calls it ({@code relay-3}, {@code alice}, ...). */
    public String label() {
        return label;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The stdout lines so far. */
    public List<String> stdout() {
        return List.copyOf(stdout);
    }

    /** The stderr lines so far. */
    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** The first stdout line matching {@code wanted}, waiting up to {@code timeout}; fails early if the process exits. */
    public String awaitStdout(String what, Predicate<String> wanted, Duration timeout) {
        Optional<String> found = await().alias(label + " prints " + what + "; " + describe())
                .atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> stdout.stream().filter(wanted).findFirst(), line -> line.isPresent() || !process.isAlive());
        return found.orElseThrow(() -> new AssertionError(label + " exited before it printed " + what + "; " + describe()));
    }

    /** The first stdout line starting with {@code prefix}, waiting up to {@code timeout}. */
    public String awaitStdout(String prefix, Duration timeout) {
        return awaitStdout("a '" + prefix + "' line", line -> line.startsWith(prefix), timeout);
    }

    /** Writes one line to the process's stdin. */
    public void send(String line) {
        try {
            ProcessLines.writeLine(process, line);
        } catch (IOException e) {
            throw new AssertionError("cannot send " + line + " to " + describe(), e);
        }
    }

    /** Writes one line to the process's stdin and returns the next line it prints, waiting up to {@code timeout}. */
    public synchronized String ask(String line, Duration timeout) {
        int before = stdout.size();
        send(line);
        await().alias(label + " answers " + line + "; " + describe()).atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> stdout.size() > before || !process.isAlive());
        if (stdout.size() <= before) throw new AssertionError(label + " exited before it answered " + line + "; " + describe());
        return stdout.get(before);
    }

    /** SIGKILL: the process ends at once, without its shutdown; returns once it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        awaitExit(STOP_TIMEOUT);
    }

    /** Waits for the process to end (a command, not a node) and for all its output; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(label + " still running after " + timeout + "; " + describe());
        }
        stdoutReader.join(STOP_TIMEOUT.toMillis());
        stderrReader.join(STOP_TIMEOUT.toMillis());
        return process.exitValue();
    }

    /** Sends SIGTERM and returns at once. */
    void signalTerminate() {
        process.destroy();
    }

    /** SIGTERM, and the exit code once it ended. */
    public int terminate() throws InterruptedException {
        process.destroy();
        return awaitExit(STOP_TIMEOUT);
    }

    /** For failure messages: the label, the state and everything printed. */
    public String describe() {
        return "\n--- " + label + " (" + (process.isAlive() ? "running" : "exited with " + process.exitValue()) + ")"
                + "\nstdout: " + String.join("\n  ", stdout) + "\nstderr: " + String.join("\n  ", stderr);
    }

    /** SIGTERM, then SIGKILL if it lingers. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
