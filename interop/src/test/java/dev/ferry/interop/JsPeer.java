package dev.ferry.interop;

import static org.awaitility.Awaitility.await;

import dev.ferry.cmd.ProcessLines;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A js-libp2p peer ({@code interop/js/peer.mjs}) running as a child process, and what it printed.
 *
 * <p>Every stdout line of the peer is one JSON object with an {@code event} field; this fixture
 * collects them as {@link JsEvent}s and lets a test wait for them. Every wait is bounded, and a
 * failed wait (timeout, the peer exiting early, an {@code error} event) fails the test with
 * everything the peer printed, stderr included; run with {@code DEBUG=libp2p:*} in the
 * environment to get libp2p's own logs there. {@link #close()} always ends the process. A
 * {@code listen} peer also stops by itself when its stdin closes, so it cannot outlive a test JVM
 * that dies without closing it.
 *
 * <p>System properties: {@code ferry.interop.jsDir} is the directory of {@code peer.mjs} (default
 * {@code js}, relative to the module directory surefire runs in), {@code ferry.interop.node} the
 * Node.js executable (default {@code node} on the PATH).
 */
final class JsPeer implements AutoCloseable {
    /** Node loads all of libp2p's modules before it prints anything; slow on a busy 2-core CI box. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** A dial, a few pings, identify: milliseconds on loopback, seconds on a loaded machine. */
    static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(30);
    /** 64 MiB each way through Noise and Yamux, both peers sharing two cores. */
    static final Duration PERF_TIMEOUT = Duration.ofSeconds(60);
    /** For the process to end after SIGTERM before it is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Events kept per peer; a test that needs more is doing something else. */
    private static final int MAX_EVENTS = 10_000;
    /** Longest stdout line read; peer.mjs prints lines of a few hundred characters. */
    private static final int MAX_LINE_CHARS = 64 * 1024;
    /** The stderr tail kept for failure messages. */
    private static final int MAX_STDERR_CHARS = 64 * 1024;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    private final List<String> command;
    private final int maxLineChars;
    private final Process process;
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final List<JsEvent> events = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    /** Set when stdout broke the one-JSON-object-per-line contract. */
    private volatile String outputViolation;
    private volatile boolean stdoutDone;

    private JsPeer(List<String> args) {
        this(args, MAX_LINE_CHARS);
    }

    private JsPeer(List<String> args, int maxLineChars) {
        this.maxLineChars = maxLineChars;
        Path dir = jsDirectory();
        List<String> cmd = new ArrayList<>(List.of(nodeExecutable(), "--import", "./polyfill.mjs", "peer.mjs"));
        cmd.addAll(args);
        this.command = List.copyOf(cmd);
        try {
            this.process = new ProcessBuilder(command).directory(dir.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start the js peer (" + String.join(" ", command) + " in " + dir
                    + "): is Node.js >= 20 installed? Set -Dferry.interop.node=/path/to/node otherwise", e);
        }
        this.stdoutReader = Thread.ofPlatform().daemon().name("js-peer-stdout").start(this::readStdout);
        this.stderrReader = Thread.ofPlatform().daemon().name("js-peer-stderr").start(this::readStderr);
    }

    /** Starts {@code peer.mjs listen} on 127.0.0.1, an ephemeral port and a fresh identity. */
    static JsPeer listen(String... options) {
        List<String> args = new ArrayList<>(List.of("listen"));
        args.addAll(List.of(options));
        return new JsPeer(args);
    }

    /**
     * Starts {@code peer.mjs <args...>} with a larger cap on one stdout line, for peers whose
     * answers list many peers or records (the DHT node).
     */
    static JsPeer start(List<String> args, int maxLineChars) {
        return new JsPeer(args, maxLineChars);
    }

    /** Starts {@code peer.mjs dial <target> <action> <options...>}. */
    static JsPeer dial(Multiaddr target, String action, String... options) {
        List<String> args = new ArrayList<>(List.of("dial", target.toString(), action));
        args.addAll(List.of(options));
        return new JsPeer(args);
    }

    /** The PeerId js derives from {@code seedHex} ({@code peer.mjs peerid --seed}). */
    static PeerId peerIdOf(String seedHex) {
        try (JsPeer js = new JsPeer(List.of("peerid", "--seed", seedHex))) {
            return js.awaitSuccess("peerid", START_TIMEOUT).peer("peer");
        }
    }

    /** A fresh random {@code --seed} for a js identity the test needs to know in advance. */
    static String randomSeed() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return HexFormat.of().formatHex(seed);
    }

    /**
     * The start of js-libp2p's agent version, {@code js-libp2p/<version> }, for the libp2p
     * version installed in node_modules; the rest names the runtime ({@code node/20.20.2}).
     */
    static String agentVersionPrefix() {
        Path pkg = jsDirectory().resolve("node_modules/libp2p/package.json");
        try {
            return "js-libp2p/" + Json.parseObject(Files.readString(pkg)).get("version") + " ";
        } catch (IOException e) {
            throw new AssertionError("cannot read " + pkg, e);
        }
    }

    // ------------------------------------------------------------------ waiting

    /** The first {@code name} event, once printed. */
    JsEvent awaitEvent(String name, Duration timeout) {
        return awaitEvent(name, e -> true, timeout);
    }

    /** The first {@code name} event that {@code matching} accepts, once printed. */
    JsEvent awaitEvent(String name, Predicate<JsEvent> matching, Duration timeout) {
        return awaitEvents(name, matching, 1, timeout).getFirst();
    }

    /** The first {@code count} {@code name} events, once printed. */
    List<JsEvent> awaitEvents(String name, int count, Duration timeout) {
        return awaitEvents(name, e -> true, count, timeout);
    }

    private List<JsEvent> awaitEvents(String name, Predicate<JsEvent> matching, int count, Duration timeout) {
        Predicate<JsEvent> wanted = e -> e.name().equals(name) && matching.test(e);
        String what = count == 1 ? "print a '" + name + "' event" : "print " + count + " '" + name + "' events";
        awaitUntil(what, timeout, () -> matches(wanted).size() >= count || failure(name).isPresent() || ended());
        List<JsEvent> found = matches(wanted);
        if (found.size() >= count) return found.subList(0, count);
        throw new AssertionError("the js peer did not " + what + ": "
                + failure(name).orElse("it exited first") + "\n" + describe());
    }

    /**
     * The first event {@code wanted} accepts, once printed; {@code what} says what it is in a
     * failure. Unlike {@link #awaitEvent}, error events do not end the wait: {@code wanted} may be
     * one (a command's error answer).
     */
    JsEvent awaitMatching(String what, Predicate<JsEvent> wanted, Duration timeout) {
        awaitUntil(what, timeout, () -> !matches(wanted).isEmpty() || outputViolation != null || ended());
        return matches(wanted).stream().findFirst().orElseThrow(() -> new AssertionError("the js peer did not " + what
                + ": " + (outputViolation != null ? outputViolation : "it exited first") + "\n" + describe()));
    }

    /** Writes one line to the process's stdin (peers that take commands there). */
    void send(String line) {
        try {
            ProcessLines.writeLine(process, line);
        } catch (IOException e) {
            throw new AssertionError("cannot send " + line + " to the js peer\n" + describe(), e);
        }
    }

    /** Waits for the process to exit and for all its output; returns its exit code. */
    int awaitExit(Duration timeout) {
        awaitUntil("exit", timeout, this::ended);
        return process.exitValue();
    }

    /** Waits for a successful exit; returns the last {@code resultEvent} printed. */
    JsEvent awaitSuccess(String resultEvent, Duration timeout) {
        int code = awaitExit(timeout);
        if (code != 0) throw new AssertionError("the js peer failed with exit code " + code + "\n" + describe());
        List<JsEvent> results = events(resultEvent);
        if (results.isEmpty()) throw new AssertionError("the js peer printed no '" + resultEvent + "'\n" + describe());
        return results.getLast();
    }

    /** Waits for the process to exit with a non-zero code; returns its {@code error} event. */
    JsEvent awaitFailure(Duration timeout) {
        int code = awaitExit(timeout);
        if (code == 0) throw new AssertionError("the js peer succeeded, but was expected to fail\n" + describe());
        List<JsEvent> errors = events("error");
        if (errors.isEmpty()) throw new AssertionError("the js peer failed without an 'error' line\n" + describe());
        return errors.getLast();
    }

    /** The {@code name} events printed so far. */
    List<JsEvent> events(String name) {
        return matches(e -> e.name().equals(name));
    }

    private void awaitUntil(String what, Duration timeout, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the js peer did not " + what + " within " + timeout.toSeconds() + " s\n" + describe());
        }
    }

    private List<JsEvent> matches(Predicate<JsEvent> p) {
        synchronized (events) {
            return events.stream().filter(p).toList();
        }
    }

    /**
     * Why waiting for {@code awaited} is pointless: broken output, or an error event ({@code
     * error}, {@code perf:error}) that the test is not waiting for.
     */
    private Optional<String> failure(String awaited) {
        if (outputViolation != null) return Optional.of(outputViolation);
        return matches(e -> !e.name().equals(awaited) && (e.name().equals("error") || e.name().endsWith(":error")))
                .stream().findFirst().map(e -> "it reported " + e);
    }

    /** The process exited and its stdout is read to the end. */
    private boolean ended() {
        return stdoutDone && !process.isAlive();
    }

    /** For failure messages: the command, its state, its events and the tail of its stderr. */
    String describe() {
        StringBuilder out = new StringBuilder();
        out.append("--- js peer: ").append(String.join(" ", command)).append('\n');
        out.append("--- state: ").append(process.isAlive() ? "running" : "exited with code " + process.exitValue()).append('\n');
        out.append("--- stdout events:\n");
        synchronized (events) {
            for (JsEvent e : events) out.append(e).append('\n');
        }
        if (outputViolation != null) out.append("--- output violation: ").append(outputViolation).append('\n');
        out.append("--- stderr (tail):\n");
        synchronized (stderr) {
            out.append(stderr);
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ output readers

    private void readStdout() {
        try (Reader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c != '\n') {
                    if (line.length() == maxLineChars) {
                        outputViolation = "a stdout line longer than " + maxLineChars + " characters";
                        return;
                    }
                    line.append((char) c);
                    continue;
                }
                accept(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) accept(line.toString());
        } catch (IOException e) {
            // the process was killed: its output ends here
        } finally {
            stdoutDone = true;
        }
    }

    private void accept(String line) {
        if (line.isBlank()) return;
        JsEvent event;
        try {
            event = JsEvent.parse(line);
        } catch (IllegalArgumentException e) {
            outputViolation = "a stdout line that is not a JSON object: " + line;
            return;
        }
        synchronized (events) {
            if (events.size() == MAX_EVENTS) {
                outputViolation = "more than " + MAX_EVENTS + " events";
                return;
            }
            events.add(event);
        }
    }

    private void readStderr() {
        try (InputStream in = process.getErrorStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                String s = new String(buffer, 0, n, StandardCharsets.UTF_8);
                synchronized (stderr) {
                    stderr.append(s);
                    if (stderr.length() > MAX_STDERR_CHARS) stderr.delete(0, stderr.length() - MAX_STDERR_CHARS);
                }
            }
        } catch (IOException e) {
            // the process was killed: its output ends here
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Stops the process: SIGTERM, and SIGKILL if it has not exited after {@link #STOP_TIMEOUT}. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            stdoutReader.join(STOP_TIMEOUT);
            stderrReader.join(STOP_TIMEOUT);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ environment

    private static Path jsDirectory() {
        Path dir = Path.of(System.getProperty("ferry.interop.jsDir", "js")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("peer.mjs"))) {
            throw new AssertionError("no peer.mjs in " + dir + " (set -Dferry.interop.jsDir to interop/js)");
        }
        if (!Files.isDirectory(dir.resolve("node_modules/libp2p"))) {
            throw new AssertionError("js-libp2p is not installed: run `npm ci` in " + dir);
        }
        return dir;
    }

    private static String nodeExecutable() {
        return System.getProperty("ferry.interop.node", "node");
    }
}
