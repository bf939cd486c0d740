package dev.ferry.cmd;

import java.io.PrintWriter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;

/** Entry point of the {@code ferry} command line. */
public final class Main {
    /** A command that failed: unreachable peer, timeout, refused. */
    public static final int EXIT_FAILURE = 1;
    /** Bad arguments. */
    public static final int EXIT_USAGE = 2;
    /** The command worked, and what it looked for does not exist ({@code ferry dht find-peer}, {@code get}, ...). */
    public static final int EXIT_NOT_FOUND = 3;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this). */
    public static int run(String... args) {
        configureLogging(Level.WARNING);
        CommandLine cli = new CommandLine(new FerryCommand());
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            String path = commandPath(e.getCommandLine());
            err.println("ferry: " + e.getMessage() + " (see 'ferry" + (path.isEmpty() ? "" : " " + path) + " --help')");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("ferry: " + oneLine(e));
            boolean notFound = e instanceof NotFoundException || e instanceof ApiClient.Refused r && r.status == 404;
            return notFound ? EXIT_NOT_FOUND : EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    /** The subcommand's path below {@code ferry}, such as {@code dht get}; empty for {@code ferry} itself. */
    private static String commandPath(CommandLine c) {
        StringBuilder path = new StringBuilder();
        for (CommandLine at = c; at.getParent() != null; at = at.getParent()) {
            path.insert(0, path.isEmpty() ? at.getCommandName() : at.getCommandName() + " ");
        }
        return path.toString();
    }

    /** The message of the root cause, on one line: users see this, never a stack trace. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }

    /** One line per record on stderr; Netty and Ferry both log through java.util.logging. */
    static void configureLogging(Level level) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new SimpleFormatter());
        handler.setLevel(level);
        root.addHandler(handler);
        root.setLevel(level);
    }
}
