package dev.ferry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One run of a js-libp2p network script (interop/js/{@code *-network.mjs}): many js nodes in one
 * Node.js process, reporting JSON lines with an {@code event} field. The script's stderr goes to
 * a log file kept only if the run fails; the process is stopped if the JVM exits first.
 */
final class JsNetwork {
    /** What a benchmark does with the running script. */
    @FunctionalInterface
    interface Run<T> {
        T with(JsNetwork network) throws Exception;
    }

    private final String script;
    private final ChildProcess process;
    private final Duration timeout;

    private JsNetwork(String script, ChildProcess process, Duration timeout) {
        this.script = script;
        this.process = process;
        this.timeout = timeout;
    }

    /**
     * Starts {@code script} with {@code args} in {@code setup}'s js directory and applies
     * {@code run} to it; every wait for the script is bounded by {@code timeout}.
     */
    static <T> T run(JsSetup setup, String script, List<String> args, Duration timeout, Run<T> run) throws Exception {
        String name = script.replace(".mjs", "");
        Path work = Files.createTempDirectory("ferry-bench-" + name + "-");
        Path log = work.resolve(name + ".log");
        boolean ok = false;
        try (ChildProcess p = ChildProcess.start(name, setup.node(script, args.toArray(String[]::new)), setup.jsDir, log)) {
            Thread stopper = new Thread(p::close, "bench-cleanup");
            Runtime.getRuntime().addShutdownHook(stopper);
            try {
                T result = run.with(new JsNetwork(script, p, timeout));
                ok = true;
                return result;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down; the hook stops the process
                }
            }
        } finally {
            if (ok) {
                Files.deleteIfExists(log);
                Files.deleteIfExists(work);
            } else {
                System.err.println("bench: the js network's log is kept in " + log);
            }
        }
    }

    /** Waits for the next line whose {@code event} is {@code event}, and returns it. */
    String awaitEvent(String event) throws Exception {
        return process.awaitLine(l -> event.equals(JsonLine.field(l, "event")) ? l : null, timeout);
    }

    /** Waits for the script to exit successfully, and returns its {@code summary} line. */
    String awaitSummary() throws Exception {
        List<String> out = process.awaitSuccess(timeout);
        return out.stream().filter(l -> "summary".equals(JsonLine.field(l, "event"))).findFirst()
                .orElseThrow(() -> new BenchmarkException(script + " printed no summary:\n  " + String.join("\n  ", out)));
    }

    /** The number {@code key} of {@code line}; a missing one is the script's error. */
    double number(String line, String key) throws BenchmarkException {
        String v = JsonLine.field(line, key);
        if (v == null) throw new BenchmarkException(script + " printed no " + key);
        return Double.parseDouble(v);
    }

    /** The list of numbers {@code key} of {@code line}; a missing one is the script's error. */
    List<Double> numbers(String line, String key) throws BenchmarkException {
        List<Double> v = JsonLine.numbers(line, key);
        if (v == null) throw new BenchmarkException(script + " printed no " + key);
        return v;
    }
}
