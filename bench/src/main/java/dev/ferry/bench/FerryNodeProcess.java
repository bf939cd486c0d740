package dev.ferry.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ferry node} OS process on loopback, started and restarted by a benchmark with the same
 * data directory and the same ports each time (so that its identity, its store and its address
 * survive a restart). Each child JVM is kept small, as the multi-host tests keep theirs, so that
 * twenty fit on a shared 2-core machine.
 */
final class FerryNodeProcess implements AutoCloseable {
    /** The flags of every child JVM: C1 only, the serial collector and a 256 MiB heap. */
    static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");
    /** A JVM start, a RocksDB open and a bind on a busy 2-core machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String name;
    final boolean relay;
    final Path dataDir;
    final int p2pPort;
    final int apiPort;
    final int metricsPort;
    private final Path logDir;
    private final List<String> extraArgs;
    private volatile ChildProcess process;
    private volatile String peerId;
    private volatile long startedNanos;
    private volatile int incarnation;

    FerryNodeProcess(String name, boolean relay, Path root, List<String> extraArgs) throws IOException {
        this.name = name;
        this.relay = relay;
        this.dataDir = root.resolve(name);
        this.logDir = root.resolve("logs");
        Files.createDirectories(logDir);
        this.extraArgs = List.copyOf(extraArgs);
        this.p2pPort = freePort();
        this.apiPort = relay ? 0 : freePort();
        this.metricsPort = freePort();
    }

    /**
     * Starts the process with {@code bootstrap} peers and waits for its {@code node} line (and, with
     * {@code awaitJoin}, for it to be in the DHT); the first start learns the PeerId.
     */
    void start(List<String> bootstrap, boolean awaitJoin) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ferry.cmd.Main", "node",
                "--data-dir", dataDir.toString(), "--listen", "/ip4/127.0.0.1/tcp/" + p2pPort,
                "--metrics", "127.0.0.1:" + metricsPort));
        if (relay) {
            command.addAll(List.of("--relay-only", "--no-api"));
        } else {
            command.addAll(List.of("--api", "127.0.0.1:" + apiPort));
        }
        for (String b : bootstrap) command.addAll(List.of("--bootstrap", b));
        command.addAll(extraArgs);
        int next = incarnation + 1;
        ChildProcess started = ChildProcess.start(name + "#" + next, command, dataDir.getParent(), logDir.resolve(name + ".stderr"));
        process = started;
        startedNanos = System.nanoTime();
        incarnation = next;
        String id = started.awaitLine(l -> l.startsWith("node ") ? l.split(" ")[1] : null, START_TIMEOUT);
        if (peerId == null) peerId = id;
        if (awaitJoin && !bootstrap.isEmpty()) {
            started.awaitLine(l -> l.startsWith("dht bootstrapped") ? l : null, START_TIMEOUT);
        }
    }

    /** Stops the process: SIGTERM (a clean stop, at most {@link ChildProcess#STOP_GRACE}), or SIGKILL (a crash). */
    void stop(boolean kill) throws InterruptedException {
        ChildProcess p = process;
        if (p == null) return;
        if (kill) {
            p.kill();
        } else {
            p.close();
        }
    }

    boolean isRunning() {
        ChildProcess p = process;
        return p != null && p.isAlive();
    }

    String peerId() {
        return peerId;
    }

    int incarnation() {
        return incarnation;
    }

    /** Seconds since the current incarnation started. */
    double uptimeSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    long pid() {
        return process.pid();
    }

    /** The node's multiaddr with its PeerId. */
    String address() {
        return "/ip4/127.0.0.1/tcp/" + p2pPort + "/p2p/" + peerId;
    }

    /** The API's bearer token (in the data directory from the first start on). */
    String token() throws IOException {
        return Files.readString(dataDir.resolve("api-token"), StandardCharsets.UTF_8).trim();
    }

    /**
     * The node's samples from {@code /metrics}, without labels folded: the whole line up to the
     * value is the key ({@code jvm_memory_used_bytes{area="heap"}}).
     */
    Map<String, Double> scrape() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new IOException(name + " /metrics answered " + response.statusCode());
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            try {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (RuntimeException e) {
                // a line this parser does not read (an exemplar or a timestamp): not one we use
            }
        }
        return samples;
    }

    /** The sum of every sample of a metric family (all label values), 0 when it has none. */
    static double sum(Map<String, Double> samples, String family) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().equals(family) || e.getKey().startsWith(family + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Open file descriptors of the process, from /proc (-1 when it is gone). */
    int openFds() {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Makes the JVM collect its whole heap ({@code jcmd PID GC.run}, a full collection with the serial
     * collector) so that the next scrape's "used after the last collection" is the live heap.
     */
    boolean forceFullGc() throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        ChildProcess p = process;
        if (p != null) p.close();
    }

    /** Ports below the kernel's ephemeral range by default, which outgoing connections take theirs from. */
    static final int PORT_BASE = 20_000;
    static final int PORT_SPAN = 12_000;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger(new java.util.Random().nextInt(PORT_SPAN));

    /**
     * A port free now and outside the ephemeral range (port 0 would pick one inside it, where a
     * client socket of another node may sit on it by the time this node restarts).
     */
    static int freePort() throws IOException {
        for (int tries = 0; tries < PORT_SPAN; tries++) {
            int port = PORT_BASE + Math.floorMod(NEXT_PORT.getAndIncrement(), PORT_SPAN);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                // taken: the next one
            }
        }
        throw new IOException("no free port in " + PORT_BASE + ".." + (PORT_BASE + PORT_SPAN));
    }
}
