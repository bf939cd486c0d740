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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made with Linux network namespaces on one machine, joined by a router that can impair the
 * network between them: one namespace per host ({@code eth0} with {@code 10.77.0.i/32} for host i
 * from 1, and {@code lo} up) and a router namespace with a veth cable to each host. Processes run
 * inside a host with {@code ip netns exec}, so each host has its own addresses, ports and loopback:
 * {@code 127.0.0.1} is a different place on every host.
 *
 * <p>The router sends every packet it forwards through a delay line ({@code
 * src/test/python/delayline.py}, between two TUN devices) that can add delay with jitter (and so
 * reordering), random loss, and a partition between two sets of hosts: what {@code tc netem}
 * would do, which this harness cannot count on since kernels are built without it. Unimpaired,
 * the delay line forwards at once.
 *
 * <p>All cables are created straight inside their namespaces, so nothing is added to the
 * machine's own namespace and the subnet cannot clash with its networks. Names start with {@value
 * #PREFIX}, the test JVM's pid and a random tag, so parallel runs do not collide; {@link #create}
 * first deletes the namespaces of earlier runs whose JVM is gone (killing what still runs in them),
 * and {@link #close()} kills this network's processes and deletes its namespaces (which deletes
 * the cables and devices with them).
 *
 * <p>It needs root, iproute2 and Python 3; where creating a namespace fails, {@link #create} skips
 * the test (a JUnit assumption) with the reason, so machines without namespaces skip rather than fail.
 */
public final class NetnsNetwork implements AutoCloseable {
    /** Every namespace this harness makes starts with it: {@code ferrytest-<pid>-<tag>-<host>}. */
    static final String PREFIX = "ferrytest-";
    /** The hosts' /24; private, and only ever inside the test's namespaces. */
    static final String SUBNET = "10.77.0.";
    /** The router's address on every host's cable, and every host's gateway. */
    static final String GATEWAY = SUBNET + "254";
    /** 10.77.0.1 to .253. */
    static final int MAX_HOSTS = 253;
    /** Routing table of the router for packets on their way into the delay line. */
    private static final String IMPAIRED_TABLE = "100";
    /** The delay line answers a command at once; a loaded machine can stall it a little. */
    private static final Duration DELAY_LINE_TIMEOUT = Duration.ofSeconds(30);
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
    private final String routerNamespace;
    private final List<Host> hosts = new ArrayList<>();
    private final List<HostProcess> processes = new CopyOnWriteArrayList<>();
    private HostProcess delayLine;

    private NetnsNetwork(String prefix) {
        this.prefix = prefix;
        this.routerNamespace = prefix + "rt";
    }

    /**
     * Creates {@code count} hosts behind one router, unimpaired; skips the calling test (JUnit assumption) where
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
        ip("netns", "add", routerNamespace);
        ip("-n", routerNamespace, "link", "set", "lo", "up");
        inNamespace(routerNamespace, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"
                + " && for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done");
        for (int i = 1; i <= count; i++) {
            Host host = new Host(prefix + "h" + i, i, SUBNET + i);
            ip("netns", "add", host.namespace());
            hosts.add(host);
            String port = "h" + i;
            ip("link", "add", "eth0", "netns", host.namespace(), "type", "veth", "peer", "name", port, "netns", routerNamespace);
            // A /32 on each side and a route to the other: every host reaches every other through the router.
            ip("-n", host.namespace(), "addr", "add", host.address() + "/32", "dev", "eth0");
            ip("-n", host.namespace(), "link", "set", "eth0", "up");
            ip("-n", host.namespace(), "link", "set", "lo", "up");
            ip("-n", host.namespace(), "route", "add", GATEWAY, "dev", "eth0");
            ip("-n", host.namespace(), "route", "add", SUBNET + "0/24", "via", GATEWAY, "dev", "eth0");
            ip("-n", routerNamespace, "addr", "add", GATEWAY + "/32", "dev", port);
            ip("-n", routerNamespace, "link", "set", port, "up");
            ip("-n", routerNamespace, "route", "add", host.address() + "/32", "dev", port);
        }
        // Forwarded packets go into the TUN device "impair"; what the delay line writes to "deliver"
        // is routed to its host as usual.
        for (String tun : List.of("impair", "deliver")) {
            ip("-n", routerNamespace, "tuntap", "add", "dev", tun, "mode", "tun");
            ip("-n", routerNamespace, "link", "set", tun, "up");
        }
        ip("-n", routerNamespace, "route", "add", "default", "dev", "impair", "table", IMPAIRED_TABLE);
        ip("-n", routerNamespace, "rule", "add", "iif", "deliver", "lookup", "main", "pref", "100");
        ip("-n", routerNamespace, "rule", "add", "iif", "lo", "lookup", "main", "pref", "110");
        ip("-n", routerNamespace, "rule", "add", "lookup", IMPAIRED_TABLE, "pref", "200");
        Path script = Path.of("src/test/python/delayline.py").toAbsolutePath();
        if (!script.toFile().isFile()) throw new IOException("the delay line is missing: " + script);
        delayLine = start(routerNamespace, "delay line", Path.of("").toAbsolutePath(),
                List.of("python3", script.toString(), "impair", "deliver", String.valueOf(ThreadLocalRandom.current().nextInt())));
        delayLine.awaitStdout("ready", DELAY_LINE_TIMEOUT);
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
                if (why.isEmpty() && !pythonRuns()) why = Optional.of("Python 3 (python3), which runs the delay line, is missing");
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

    private static boolean pythonRuns() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import fcntl, select").redirectErrorStream(true).start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            return p.waitFor(IP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
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
        return start(host.namespace(), label, directory, command);
    }

    private HostProcess start(String namespace, String label, Path directory, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
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
            forget(p);
        }
    }

    /** Ends {@code process} if it still runs and stops keeping it for {@link #describe()}: a command that has done its part. */
    void forget(HostProcess process) {
        process.close();
        processes.remove(process);
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

    // ------------------------------------------------------------------ impairment

    /**
     * From now on, every packet between hosts waits {@code delay} plus or minus up to {@code jitter}
     * (uniformly; packets of a flow that draw different waits overtake each other) and is lost with
     * probability {@code lossPercent}/100. Zeros end the impairment.
     */
    public void impair(Duration delay, Duration jitter, double lossPercent) {
        delayLine("impair " + delay.toMillis() + " " + jitter.toMillis() + " " + lossPercent, "ok impair");
    }

    /** Drops every packet between a host of {@code side} and a host of {@code otherSide}, both ways, until {@link #heal()}. */
    public void partition(List<Host> side, List<Host> otherSide) {
        delayLine("partition " + addresses(side) + " " + addresses(otherSide), "ok partition");
    }

    /** Ends the partition. */
    public void heal() {
        delayLine("heal", "ok heal");
    }

    /** What the delay line counted since the network was made: packets, forwarded, lost, partitioned, reordered, ... */
    public Map<String, Double> delayLineStats() {
        Map<String, Double> stats = new LinkedHashMap<>();
        for (String pair : delayLine("stats", "stats ").substring("stats ".length()).split(" ")) {
            String[] kv = pair.split("=", 2);
            stats.put(kv[0], Double.parseDouble(kv[1]));
        }
        return stats;
    }

    private String delayLine(String command, String expected) {
        String answer = delayLine.ask(command, DELAY_LINE_TIMEOUT);
        if (!answer.startsWith(expected)) throw new AssertionError("the delay line answered '" + answer + "' to '" + command + "'");
        return answer;
    }

    private static String addresses(List<Host> side) {
        if (side.isEmpty()) throw new IllegalArgumentException("a side of a partition needs a host");
        return String.join(",", side.stream().map(Host::address).toList());
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
        deleteNamespace(routerNamespace);
    }

    // ------------------------------------------------------------------ ip

    private record IpResult(int code, String output) {}

    /** Runs {@code command} in {@code namespace} to its end; fails unless it succeeds. */
    private static void inNamespace(String namespace, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("netns", "exec", namespace));
        args.addAll(List.of(command));
        ip(args.toArray(String[]::new));
    }

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
