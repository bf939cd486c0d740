package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtMode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every {@code ferry dht} subcommand shares: {@code --bootstrap}, {@code --dht-protocol}
 * and {@code --timeout}, and a {@link DhtSession} to run in, joined before {@link #run} is called.
 */
@Command(mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:failed: no --bootstrap peer reached, --timeout passed, nobody stored it",
            "2:bad arguments",
            "3:not found in the DHT"})
abstract class DhtClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DhtOptions dhtOptions;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30s",
            description = "Give up after this long, joining the DHT included (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public final Integer call() throws Exception {
        List<Multiaddr> seeds = dhtOptions.requiredBootstrap();
        DhtConfig config = dhtOptions.config(DhtMode.CLIENT);
        if (timeout.isZero()) throw usageError("--timeout must be more than 0");
        IdentityKeyPair identity = identity();
        check(identity, seeds);
        try (DhtSession session = DhtSession.join(identity, config, seeds, timeout)) {
            return run(session);
        }
    }

    /**
     * The identity the client node connects as: a fresh one, so that a command never competes
     * with the user's running node for its PeerId. {@code provide} overrides it.
     */
    IdentityKeyPair identity() {
        return IdentityKeyPair.generate(new SecureRandom());
    }

    /** Refuses bad arguments before the network is touched; throw {@link #usageError}. */
    void check(IdentityKeyPair identity, List<Multiaddr> seeds) {}

    /** The command's work in a joined session; returns the exit code. */
    abstract int run(DhtSession session) throws Exception;

    ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
