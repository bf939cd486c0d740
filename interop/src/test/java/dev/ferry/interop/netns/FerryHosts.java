package dev.ferry.interop.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.cmd.CliRun;
import dev.ferry.cmd.api.ApiEndpoint;
import dev.ferry.cmd.api.ApiToken;
import dev.ferry.interop.netns.NetnsNetwork.Host;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ferry node} processes on the hosts of a {@link NetnsNetwork}, one per host, each
 * listening on {@code HOST_ADDRESS:4001} with its data directory under the test's directory, and
 * the ways the multi-host tests use them: client commands run on a node's own host (its API is on
 * that host's {@code 127.0.0.1}), the API's JSON and {@code /metrics} read from there too.
 */
final class FerryHosts implements AutoCloseable {
    static final int PORT = 4001;
    /** Where a node started with {@link #metricsOption()} serves {@code /metrics}, on its host's loopback. */
    static final String METRICS = "127.0.0.1:9464";
    /** A dozen JVMs (and Node.js) starting at once on two shared cores. */
    static final Duration START = Duration.ofSeconds(120);
    /** Delivery between processes on a busy machine: direct, or through the DHT's holders. */
    static final Duration DELIVERY = Duration.ofSeconds(90);
    /** One read of a page over HTTP inside a host. */
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern PEERS = Pattern.compile("dht bootstrapped: (\\d+) peers?");

    private final NetnsNetwork network;
    private final Path dir;
    private final Map<Integer, HostProcess> nodes = new LinkedHashMap<>();
    private final long started = System.nanoTime();

    private FerryHosts(NetnsNetwork network, Path dir) {
        this.network = network;
        this.dir = dir;
    }

    /** {@code hosts} hosts with no node yet; skips the test where namespaces cannot be made. */
    static FerryHosts create(int hosts, Path dir) throws IOException, InterruptedException {
        return new FerryHosts(NetnsNetwork.create(hosts), dir);
    }

    NetnsNetwork network() {
        return network;
    }

    Host host(int index) {
        return network.host(index);
    }

    /** The hosts numbered {@code indexes}. */
    List<Host> hosts(int... indexes) {
        return Arrays.stream(indexes).mapToObj(network::host).toList();
    }

    /** The node started last on {@code host}. */
    HostProcess node(int host) {
        return nodes.get(host);
    }

    /** The node started last on each host, running or not. */
    Collection<HostProcess> nodes() {
        return nodes.values();
    }

    /** {@code --metrics 127.0.0.1:9464}: what {@link #metric} reads. */
    static List<String> metricsOption() {
        return List.of("--metrics", METRICS);
    }

    /** {@code ferry node ARGS} on {@code host}, listening on its address, with its data directory. */
    HostProcess start(int host, String label, List<String> args) throws IOException {
        Host h = network.host(host);
        List<String> all = new ArrayList<>(List.of("node", "--data-dir", dataDir(host).toString(), "--listen", h.tcp(PORT)));
        all.addAll(args);
        HostProcess node = network.startFerry(h, label, all);
        nodes.put(host, node);
        return node;
    }

    /** Waits for the node on {@code host} to have joined the DHT with at least one peer. */
    void awaitJoined(int host) {
        String joined = node(host).awaitStdout("dht bootstrapped: ", START);
        Matcher m = PEERS.matcher(joined);
        assertThat(m.find() ? Integer.parseInt(m.group(1)) : 0).as(node(host).label() + ": " + joined).isPositive();
    }

    Path dataDir(int host) {
        return dir.resolve("host-" + host);
    }

    /** Deletes the data directory of {@code host}, whose node must have ended: its keys, its store, everything. */
    void wipe(int host) throws IOException {
        assertThat(node(host).isAlive()).as("wiping the disk of a running node").isFalse();
        try (Stream<Path> files = Files.walk(dataDir(host))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    // ------------------------------------------------------------------ client commands

    /** {@code ferry ARGS --data-dir DIR} on {@code host}, where its node's API is. */
    CliRun ferry(int host, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", dataDir(host).toString()));
        return network.ferry(network.host(host), all);
    }

    /** As {@link #ferry}, failing the test unless the command succeeds. */
    CliRun ok(int host, String... args) throws IOException, InterruptedException {
        CliRun run = ferry(host, args);
        assertThat(run.exitCode()).as("ferry " + String.join(" ", args) + " on host " + host + ": " + run + network.describe()).isZero();
        return run;
    }

    /** The PeerId of the node on {@code host}. */
    String id(int host) throws IOException, InterruptedException {
        return ok(host, "id").out().getFirst();
    }

    /** Waits until {@code ferry COMMAND} on {@code host} prints a line containing {@code what}. */
    boolean awaitLine(int host, String what, String... command) {
        return await().alias("'" + what + "' from ferry " + String.join(" ", command) + " on host " + host)
                .atMost(DELIVERY).pollInterval(Duration.ofSeconds(1))
                .until(() -> ferry(host, command).out().stream().anyMatch(line -> line.contains(what)), found -> found);
    }

    // ------------------------------------------------------------------ HTTP inside a host

    /** {@code GET /api/v1PATH} of the node on {@code host}, with its token, as JSON. */
    JsonObject api(int host, String path) throws IOException, InterruptedException {
        String url = ApiEndpoint.read(dataDir(host)).resolve("/api/v1" + path).toString();
        return new JsonObject(httpGet(host, url, ApiToken.load(dataDir(host)).value()));
    }

    /**
     * The sum of the samples of {@code name} (no labels, or all of them) that the node on {@code
     * host} serves on {@code /metrics}.
     */
    double metric(int host, String name) throws IOException, InterruptedException {
        double sum = 0;
        for (String line : httpGet(host, "http://" + METRICS + "/metrics", null).lines().toList()) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return sum;
    }

    /** The lines of the node's {@code /metrics} whose name starts with {@code prefix}: for failure messages. */
    String metrics(int host, String prefix) throws IOException, InterruptedException {
        return String.join("\n", httpGet(host, "http://" + METRICS + "/metrics", null).lines().filter(l -> l.startsWith(prefix)).toList());
    }

    /**
     * The body of {@code url} read from inside {@code host} (Python's urllib, which the delay line
     * needs anyway: it starts in milliseconds where a JVM takes a second).
     */
    private String httpGet(int host, String url, String token) throws IOException, InterruptedException {
        String script = "import sys, urllib.request\n"
                + "request = urllib.request.Request(sys.argv[1])\n"
                + "if len(sys.argv) > 2: request.add_header('Authorization', 'Bearer ' + sys.argv[2])\n"
                + "sys.stdout.write(urllib.request.urlopen(request, timeout=20).read().decode())\n";
        List<String> command = new ArrayList<>(List.of("python3", "-c", script, url));
        if (token != null) command.add(token);
        HostProcess p = network.start(network.host(host), "GET " + url, dir, command);
        int code = p.awaitExit(HTTP_TIMEOUT);
        network.forget(p);
        if (code != 0) throw new IOException("GET " + url + " on host " + host + " failed: " + p.describe());
        return String.join("\n", p.stdout());
    }

    // ------------------------------------------------------------------ test helpers

    /** Prints how long the test has run, so a slow phase shows in the test's output. */
    void phase(String what) {
        System.out.printf("%s after %.1f s%n", what, (System.nanoTime() - started) / 1e9);
    }

    /** Runs {@code tasks} at once and returns their results in order; the first failure fails the test. */
    @SafeVarargs
    static <T> List<T> inParallel(Callable<T>... tasks) throws Exception {
        return inParallel(List.of(tasks));
    }

    /** As above, for a list. */
    static <T> List<T> inParallel(List<Callable<T>> tasks) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) futures.add(executor.submit(task));
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) throw error;
                    throw e;
                }
            }
            return results;
        }
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Ends every process and deletes the hosts. */
    @Override
    public void close() throws IOException, InterruptedException {
        network.close();
    }
}
