package dev.ferry.cmd;

import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.pubsub.message.RpcLimits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What {@code ferry pubsub sub} and {@code pub} share: TOPIC, {@code --bootstrap},
 * {@code --timeout}, and a {@link PubSubSession} to run in, connected before {@link #run} is called.
 */
@Command(mixinStandardHelpOptions = true)
abstract class PubSubClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic, any text of 1 to " + RpcLimits.DEFAULT_MAX_TOPIC_LENGTH + " characters.")
    String topic;

    @Option(names = "--bootstrap", paramLabel = "MULTIADDR", converter = MultiaddrConverter.class,
            description = "A peer running GossipSub to connect to, repeatable, e.g. a ferry node: "
                    + "/ip4/192.0.2.1/tcp/4001/p2p/12D3KooW... Messages reach this command only through these peers.")
    List<Multiaddr> bootstrap = List.of();

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "Give up after this long, connecting included (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public final Integer call() throws Exception {
        if (bootstrap.isEmpty()) {
            throw usageError("no --bootstrap given: name at least one peer, e.g. --bootstrap /ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...");
        }
        PubSubSession.topicProblem(topic).ifPresent(problem -> {
            throw usageError("TOPIC: " + problem);
        });
        if (timeout.isZero()) throw usageError("--timeout must be more than 0");
        check();
        try (PubSubSession session = PubSubSession.connect(bootstrap, timeout)) {
            return run(session);
        }
    }

    /** Refuses bad arguments before the network is touched; throw {@link #usageError}. */
    void check() {}

    /** The command's work in a connected session; returns the exit code. */
    abstract int run(PubSubSession session) throws Exception;

    ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
