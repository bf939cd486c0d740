package dev.ferry.bench;

import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;

/** How every benchmark's {@code main} runs its picocli command. */
final class BenchmarkMain {
    private BenchmarkMain() {}

    /**
     * Runs {@code benchmark} with {@code args} and exits with its code. Logging is turned down to
     * warnings (dozens of hosts would log every closed connection at INFO), and a failure is one
     * line, {@code bench: ...}, with exit code 1.
     */
    static void run(Object benchmark, String[] args) {
        Logger.getLogger("").setLevel(Level.WARNING);
        CommandLine cli = new CommandLine(benchmark);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("bench: " + (e instanceof BenchmarkException ? e.getMessage() : e.toString()));
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
