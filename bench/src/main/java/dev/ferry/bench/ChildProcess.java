package dev.ferry.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A process the benchmark started: its stdout is read line by line on a daemon thread (a server
 * prints an event per connection, and a full pipe would stall it), its stderr goes to a log file.
 * Only the last {@link #KEPT_LINES} stdout lines are kept, for the result and for error messages.
 */
final class ChildProcess implements AutoCloseable {
    /** Stdout lines kept: enough for a client's whole answer and a server's last events. */
    static final int KEPT_LINES = 50;
    /** How long a process has to exit after SIGTERM before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path stderrLog;
    private final Deque<String> lines = new ArrayDeque<>();
    private final List<Watch> watches = new ArrayList<>();
    private final CompletableFuture<Void> stdoutClosed = new CompletableFuture<>();

    private record Watch(Function<String, String> match, CompletableFuture<String> found) {}

    private ChildProcess(String name, Process process, Path stderrLog) {
        this.name = name;
        this.process = process;
        this.stderrLog = stderrLog;
        Thread reader = new Thread(this::readStdout, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} in {@code dir}, appending its stderr to {@code stderrLog}. */
    static ChildProcess start(String name, List<String> command, Path dir, Path stderrLog) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
        return new ChildProcess(name, pb.start(), stderrLog);
    }

    String name() {
        return name;
    }

    /** The operating system's id of the process. */
    long pid() {
        return process.pid();
    }

    /** Whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL to the process alone (a crash: no shutdown hook runs); waits for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits for the first stdout line for which {@code match} returns non-null, and returns that.
     * Fails when the process exits first or {@code timeout} passes.
     */
    String awaitLine(Function<String, String> match, Duration timeout) throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        synchronized (lines) {
            for (String line : lines) {
                String m = match.apply(line);
                if (m != null) return m;
            }
            watches.add(new Watch(match, found));
        }
        try {
            return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new BenchmarkException(name + " printed no expected line within " + timeout.toSeconds() + " s" + diagnostics());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new BenchmarkException(name + " exited (code " + exitCodeOrUnknown() + ") before printing the expected line"
                    + diagnostics());
        }
    }

    /** Waits for the process to exit; fails on a timeout or a non-zero exit code. Returns stdout. */
    List<String> awaitSuccess(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new BenchmarkException(name + " did not finish within " + timeout.toSeconds() + " s" + diagnostics());
        }
        // the exit comes before the reader thread has seen the end of stdout
        stdoutClosed.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        if (process.exitValue() != 0) {
            throw new BenchmarkException(name + " failed with exit code " + process.exitValue() + diagnostics());
        }
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    if (lines.size() == KEPT_LINES) lines.removeFirst();
                    lines.addLast(line);
                    for (var it = watches.iterator(); it.hasNext(); ) {
                        Watch w = it.next();
                        String m = w.match().apply(line);
                        if (m != null) {
                            w.found().complete(m);
                            it.remove();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process went away; the waits below report it
        } finally {
            synchronized (lines) {
                for (Watch w : watches) w.found().completeExceptionally(new IOException("stdout closed"));
                watches.clear();
            }
            stdoutClosed.complete(null);
        }
    }

    private String exitCodeOrUnknown() {
        try {
            return String.valueOf(process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : "still running");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** The last stdout lines and stderr lines, for an error message. */
    private String diagnostics() {
        StringBuilder b = new StringBuilder();
        synchronized (lines) {
            if (!lines.isEmpty()) b.append("\n  last stdout: ").append(String.join("\n               ", lines.stream()
                    .skip(Math.max(0, lines.size() - 5)).toList()));
        }
        try {
            List<String> err = Files.readAllLines(stderrLog, StandardCharsets.UTF_8);
            if (!err.isEmpty()) {
                b.append("\n  last stderr (").append(stderrLog).append("): ")
                        .append(String.join("\n               ", err.subList(Math.max(0, err.size() - 5), err.size())));
            }
        } catch (IOException e) {
            // no log to show
        }
        return b.toString();
    }

    /** SIGTERM to the process and whatever it started, then SIGKILL after {@link #STOP_GRACE}. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        for (ProcessHandle p : tree) p.destroy();
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle p : tree) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                p.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }
}
