package dev.ferry.cmd;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry ping}: round trips to a peer over /ipfs/ping/1.0.0. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Ping a peer and print each round-trip time in milliseconds.")
final class PingCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MULTIADDR", converter = MultiaddrConverter.class,
            description = "Peer address, with or without /p2p/.")
    Multiaddr address;

    @Option(names = "--count", paramLabel = "N", defaultValue = "3", description = "Pings to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1");
        try (ShortLivedNode client = new ShortLivedNode()) {
            Connection c = client.dial(address, Duration.ofSeconds(timeoutSeconds));
            List<Duration> rtts = client.node.ping().ping(c, count).get(timeoutSeconds, TimeUnit.SECONDS);
            for (Duration rtt : rtts) {
                System.out.println(String.format(Locale.ROOT, "rtt_ms %.3f", rtt.toNanos() / 1e6));
            }
        }
        return 0;
    }
}
