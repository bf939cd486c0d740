package dev.ferry.interop.netns;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.cmd.CliRun;
import dev.ferry.cmd.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made with Linux network namespaces on one machine: a "switch" namespace holding a bridge,
 * and one namespace per host with a veth cable to it ({@code eth0}, {@code 10.77.0.i/24} for host
 * i from 1, and {@code lo} up). Processes run inside a host with {@code ip netns exec}, so each
 * host has its own addresses, ports and loopback: {@code 127.0.0.1} is a different place on every
 * host.
 *
 * <p>Both veth ends are created straight inside their namespaces, so nothing is added to the
 * machine's own namespace and the subnet cannot clash with its networks. Names start with {@value
 * #PREFIX}, the test JVM's pid and a random tag, so parallel runs do not collide; {@link #create}
 * first deletes the namespaces of earlier runs whose JVM is gone (killing what still runs in them),
 * and {@link #close()} kills this network's processes and deletes its namespaces (which deletes
 * the veths and the bridge with them).
 *
 * <p>It needs root and iproute2; where creating a namespace fails, {@link #create} skips the test
 * (a JUnit assumption) with the reason, so machines without namespaces skip rather than fail.
 */
public final class NetnsNetwork implements AutoCloseable {
    /** Every namespace this harness makes starts with it: {@code ferrytest-<pid>-<tag>-<host>}. */
    static final String PREFIX = "ferrytest-";
    /** The hosts' /24; private, and only ever inside the test's namespaces. */
    static final String SUBNET = "10.77.0.";
    /** 10.77.0.1 to .254. */
    static final int MAX_HOSTS = 254;
    /** One {@code ip} call: milliseconds, but a loaded machine can stall. */
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(30);
    /** A client command ({@code ferry send ... --wait 60s}) run to its end; longer than its own wait. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    /** JVM options for every {@code ferry} process: a quick start and a small footprint, since a dozen share two cores. */
    private static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC", "-Xmx256m");

    private static volatile Optional<String> unavailable;

    /** One host: its namespace, its number (from 1) and its address on the shared subnet. */
    public record Host(String namespace, int index, String address) {
        /** {@code /ip4/ADDRESS/tcp/PORT}. */
        public String tcp(int port) {
            return "/ip4/" + address + "/tcp/" + port;
        }
    }

    private final String prefix;
    private final String switchNamespace;
    private final List<Host> hosts = new ArrayList<>();
    private final List<HostProcess> processes = new CopyOnWriteArrayList<>();

    private NetnsNetwork(String prefix) {
        this.prefix = prefix;
        this.switchNamespace = prefix + "sw";
    }

    /**
     * Creates {@code count} hosts on one switch; skips the calling test (JUnit assumption) where
     * network namespaces cannot be made. On a failure half-way, whatever was made is deleted.
     */
    public static NetnsNetwork create(int count) throws IOException, InterruptedException {
        if (count < 1 || count > MAX_HOSTS) throw new IllegalArgumentException("1 to " + MAX_HOSTS + " hosts, not " + count);
        Optional<String> why = unavailable();
        assumeTrue(why.isEmpty(), () -> "network namespaces are unavailable, so multi-host tests are skipped: " + why.orElseThrow());
        removeLeftovers();
        String tag = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        NetnsNetwork network = new NetnsNetwork(PREFIX + ProcessHandle.current().pid() + "-" + tag + "-");
        try {
            network.build(count);
            return network;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            network.close();
            throw e;
        }
    }

    private void build(int count) throws IOException, InterruptedException {
        ip("netns", "add", switchNamespace);
        ip("-n", switchNamespace, "link", "add", "br0", "type", "bridge");
        ip("-n", switchNamespace, "link", "set", "br0", "up");
        for (int i = 1; i <= count; i++) {
            Host host = new Host(prefix + "h" + i, i, SUBNET + i);
            ip("netns", "add", host.namespace());
            hosts.add(host);
            String port = "h" + i;
            ip("link", "add", "eth0", "netns", host.namespace(), "type", "veth", "peer", "name", port, "netns", switchNamespace);
            ip("-n", switchNamespace, "link", "set", port, "master", "br0", "up");
            ip("-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", "eth0");
            ip("-n", host.namespace(), "link", "set", "eth0", "up");
            ip("-n", host.namespace(), "link", "set", "lo", "up");
        }
    }

    /** Why this machine cannot make namespaces (not root, no iproute2, no kernel support), or empty if it can; asked once. */
    public static Optional<String> unavailable() {
        Optional<String> known = unavailable;
        if (known != null) return known;
        Optional<String> why;
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            why = Optional.of("not Linux");
        } else {
            String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
            try {
                IpResult added = tryIp("netns", "add", probe);
                why = added.code() == 0 ? Optional.empty()
                        : Optional.of("'ip netns add' failed (" + added.output().strip() + "); it needs root (CAP_SYS_ADMIN)");
                if (added.code() == 0) tryIp("netns", "del", probe);
            } catch (IOException e) {
                why = Optional.of("cannot run 'ip' (iproute2): " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                why = Optional.of("interrupted while probing");
            }
        }
        unavailable = why;
        return why;
    }

    /** Deletes the namespaces of earlier runs whose JVM has ended, killing the processes left in them. */
    private static void removeLeftovers() throws IOException, InterruptedException {
        for (String line : tryIp("netns", "list").output().lines().toList()) {
            String name = line.split(" ", 2)[0];
            if (!name.startsWith(PREFIX)) continue;
            String owner = name.substring(PREFIX.length()).split("-", 2)[0];
            boolean ownerAlive;
            try {
                ownerAlive = ProcessHandle.of(Long.parseLong(owner)).map(ProcessHandle::isAlive).orElse(false);
            } catch (NumberFormatException e) {
                ownerAlive = false;
            }
            if (!ownerAlive) deleteNamespace(name);
        }
    }

    /** Kills what still runs in {@code namespace} (else it outlives its deletion), then deletes it. */
    private static void deleteNamespace(String namespace) throws IOException, InterruptedException {
        for (String pid : tryIp("netns", "pids", namespace).output().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            try {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            } catch (NumberFormatException e) {
                // not a pid: ip printed something else
            }
        }
        tryIp("netns", "del", namespace);
    }

    /** The hosts, host 1 first. */
    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /** Host {@code index}, from 1. */
    public Host host(int index) {
        return hosts.get(index - 1);
    }

    // ------------------------------------------------------------------ processes

    /** Starts {@code command} inside {@code host}, in {@code directory}; {@link #close()} ends it. */
    public HostProcess start(Host host, String label, Path directory, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(command);
        HostProcess process = new HostProcess(label, new ProcessBuilder(full).directory(directory.toFile()).start());
        processes.add(process);
        return process;
    }

    /** Starts {@code ferry ARGS} ({@code dev.ferry.cmd.Main} with this JVM's class path, as ./ferry runs it) inside {@code host}. */
    public HostProcess startFerry(Host host, String label, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return start(host, label, Path.of("").toAbsolutePath(), command);
    }

    /**
     * Runs the client command {@code ferry ARGS} inside {@code host} to its end: the API a node
     * serves on 127.0.0.1 is reachable only from inside that node's host.
     */
    public CliRun ferry(Host host, List<String> args) throws IOException, InterruptedException {
        HostProcess p = startFerry(host, "ferry " + String.join(" ", args) + " on " + host.namespace(), args);
        try {
            int code = p.awaitExit(COMMAND_TIMEOUT);
            return new CliRun(code, p.stdout(), p.stderr());
        } finally {
            p.close();
            processes.remove(p);
        }
    }

    /**
     * Starts the js-libp2p peer ({@code interop/js/peer.mjs ARGS} under Node.js, as the interop
     * tests run it) inside {@code host}; {@code -Dferry.interop.jsDir} and {@code
     * -Dferry.interop.node} as for them.
     */
    public HostProcess startJs(Host host, String label, List<String> args) throws IOException {
        Path dir = Path.of(System.getProperty("ferry.interop.jsDir", "js")).toAbsolutePath().normalize();
        if (!dir.resolve("node_modules/libp2p").toFile().isDirectory()) {
            throw new AssertionError("js-libp2p is not installed: run `npm ci` in " + dir);
        }
        List<String> command = new ArrayList<>(List.of(System.getProperty("ferry.interop.node", "node"), "--import", "./polyfill.mjs",
                "peer.mjs"));
        command.addAll(args);
        return start(host, label, dir, command);
    }

    /** Everything every running or ended process printed, for failure messages. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (HostProcess p : processes) out.append(p.describe());
        return out.toString();
    }

    /** Ends every process (SIGTERM to all, then SIGKILL to stragglers) and deletes the namespaces. */
    @Override
    public void close() throws IOException, InterruptedException {
        processes.forEach(HostProcess::signalTerminate); // all stop at once, not one after the other
        for (HostProcess p : processes) p.close();
        for (Host host : hosts) deleteNamespace(host.namespace());
        deleteNamespace(switchNamespace);
    }

    // ------------------------------------------------------------------ ip

    private record IpResult(int code, String output) {}

    /** Runs {@code ip ARGS}; fails unless it succeeds. */
    private static void ip(String... args) throws IOException, InterruptedException {
        IpResult r = tryIp(args);
        if (r.code() != 0) throw new IOException("ip " + String.join(" ", args) + " failed with " + r.code() + ": " + r.output().strip());
    }

    /** Runs {@code ip ARGS}: its exit code and its stdout and stderr together. */
    private static IpResult tryIp(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(IP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("ip " + String.join(" ", args) + " did not end in " + IP_TIMEOUT);
        }
        return new IpResult(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
