package dev.ferry.interop;

import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A js-libp2p kad-dht node ({@code peer.mjs listen --dht}) as a child process that takes JSON
 * commands on its stdin and answers each with one {@code dht:result} or {@code dht:error} event
 * carrying the command's {@code id}. Closing stdin stops it; {@link #close()} always ends it.
 */
final class JsDhtNode implements AutoCloseable {
    static final Duration START_TIMEOUT = JsPeer.START_TIMEOUT;
    /** A DHT command on a handful of loopback nodes; generous for a loaded CI box. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_EVENTS = 10_000;
    private static final int MAX_LINE_CHARS = 256 * 1024;
    private static final int MAX_STDERR_CHARS = 64 * 1024;

    private final String label;
    private final List<String> command;
    private final Process process;
    private final OutputStream stdin;
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final List<JsEvent> events = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final AtomicLong nextId = new AtomicLong(1);
    private volatile String outputViolation;
    private volatile boolean stdoutDone;
    private final PeerId peerId;
    private final Multiaddr address;

    private JsDhtNode(String label, String protocol, List<Multiaddr> bootstrap) {
        this.label = label;
        Path dir = Path.of(System.getProperty("ferry.interop.jsDir", "js")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("node_modules/@libp2p/kad-dht"))) {
            throw new AssertionError("@libp2p/kad-dht is not installed: run `npm ci` in " + dir);
        }
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("ferry.interop.node", "node"),
                "--import", "./polyfill.mjs", "peer.mjs", "listen", "--dht", "--dht-protocol", protocol));
        for (Multiaddr m : bootstrap) cmd.addAll(List.of("--bootstrap", m.toString()));
        this.command = List.copyOf(cmd);
        try {
            this.process = new ProcessBuilder(command).directory(dir.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start the js DHT node (" + String.join(" ", command) + ")", e);
        }
        this.stdin = process.getOutputStream();
        this.stdoutReader = Thread.ofPlatform().daemon().name("js-dht-stdout-" + label).start(this::readStdout);
        this.stderrReader = Thread.ofPlatform().daemon().name("js-dht-stderr-" + label).start(this::readStderr);
        JsEvent ready;
        try {
            ready = awaitEvent("dht:ready", e -> true, START_TIMEOUT);
        } catch (AssertionError e) {
            close();
            throw e;
        }
        this.peerId = ready.peer("peer");
        this.address = events("listening").getFirst().address("addr");
    }

    /** Starts a js kad-dht server on loopback that first dials {@code bootstrap} (and waits until each is in its table). */
    static JsDhtNode start(String label, String protocol, List<Multiaddr> bootstrap) {
        return new JsDhtNode(label, protocol, bootstrap);
    }

    PeerId peerId() {
        return peerId;
    }

    /** Its listen address, with {@code /p2p/}. */
    Multiaddr address() {
        return address;
    }

    /** The {@code dht:bootstrapped} events: the bootstrap peers it reached. */
    List<JsEvent> bootstrapped() {
        return events("dht:bootstrapped");
    }

    /**
     * Sends {@code {"id":N,"cmd":cmd,<fields>}} ({@code fields} is JSON object members without
     * braces, may be empty) and waits for the answer; fails on a {@code dht:error}.
     */
    JsEvent call(String cmd, String fields) {
        long id = nextId.getAndIncrement();
        String line = "{\"id\":" + id + ",\"cmd\":\"" + cmd + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}\n";
        try {
            synchronized (stdin) {
                stdin.write(line.getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            }
        } catch (IOException e) {
            throw new AssertionError("cannot send " + line.strip() + " to js node " + label + "\n" + describe(), e);
        }
        Predicate<JsEvent> answer = e -> e.fields().get("id") instanceof Number n && n.longValue() == id;
        awaitUntil("answer " + line.strip(), COMMAND_TIMEOUT.plusSeconds(10),
                () -> !matches(e -> (e.name().equals("dht:result") || e.name().equals("dht:error")) && answer.test(e)).isEmpty()
                        || ended() || outputViolation != null);
        Optional<JsEvent> got = matches(e -> (e.name().equals("dht:result") || e.name().equals("dht:error")) && answer.test(e))
                .stream().findFirst();
        if (got.isEmpty()) throw new AssertionError("js node " + label + " exited before answering " + line.strip() + "\n" + describe());
        if (got.get().name().equals("dht:error")) {
            throw new AssertionError("js node " + label + " failed " + line.strip() + ": " + got.get() + "\n" + describe());
        }
        return got.get();
    }

    static String str(String name, Object value) {
        return "\"" + name + "\":\"" + value + "\"";
    }

    // ------------------------------------------------------------------ events

    private JsEvent awaitEvent(String name, Predicate<JsEvent> matching, Duration timeout) {
        Predicate<JsEvent> wanted = e -> e.name().equals(name) && matching.test(e);
        awaitUntil("print a '" + name + "' event", timeout,
                () -> !matches(wanted).isEmpty() || ended() || outputViolation != null);
        return matches(wanted).stream().findFirst().orElseThrow(() -> new AssertionError(
                "js node " + label + " did not print '" + name + "'\n" + describe()));
    }

    List<JsEvent> events(String name) {
        return matches(e -> e.name().equals(name));
    }

    private List<JsEvent> matches(Predicate<JsEvent> p) {
        synchronized (events) {
            return events.stream().filter(p).toList();
        }
    }

    private void awaitUntil(String what, Duration timeout, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("js node " + label + " did not " + what + " within " + timeout.toSeconds() + " s\n" + describe());
        }
    }

    private boolean ended() {
        return stdoutDone && !process.isAlive();
    }

    String describe() {
        StringBuilder out = new StringBuilder();
        out.append("--- js dht node ").append(label).append(": ").append(String.join(" ", command)).append('\n');
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

    private void readStdout() {
        try (Reader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c != '\n') {
                    if (line.length() == MAX_LINE_CHARS) {
                        outputViolation = "a stdout line longer than " + MAX_LINE_CHARS + " characters";
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
            // killed
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
            // killed
        }
    }

    /** Closes stdin (the node stops by itself), then SIGTERM, then SIGKILL. */
    @Override
    public void close() {
        try {
            try {
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
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
}
