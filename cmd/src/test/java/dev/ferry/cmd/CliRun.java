package dev.ferry.cmd;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;

/**
 * One in-process run of the CLI ({@link Main#run}) with what it printed, line by line. The
 * commands print to {@code System.out} and picocli's error writer wraps {@code System.err} when
 * it is first used, so both are swapped for the duration of the run.
 */
public record CliRun(int exitCode, List<String> out, List<String> err) {
    /** Runs {@code ferry ARGS} in this JVM. */
    public static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = Main.run(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
            // Main.run bound the log handler to the swapped stream; give it the real one back
            Main.configureLogging(Level.WARNING);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8).lines().toList(),
                err.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
