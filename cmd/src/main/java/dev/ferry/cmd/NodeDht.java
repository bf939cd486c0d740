package dev.ferry.cmd;

import dev.ferry.dht.record.Validators;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtService;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The DHT of a running {@code ferry node}: a {@link DhtService} on its host, joined through the
 * {@code --bootstrap} peers in the background. Each attempt ends in one line: the routing table's
 * size on stdout, or a warning on stderr. The node keeps running either way; after a failed
 * attempt it tries again, waiting longer each time, so a node started before its bootstrap
 * peers (or while offline) still joins once they are up.
 */
final class NodeDht implements AutoCloseable {
    /** Wait before the first retry: a bootstrap peer that is restarting is usually back by then. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    /** Longest wait between retries: an isolated node should not stay isolated for long, nor hammer dead seeds. */
    static final Duration MAX_RETRY = Duration.ofMinutes(10);
    /** How long closing may hold up the node's shutdown. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Host host;
    private final DhtService dht;
    private final PrintStream out;
    private final PrintStream err;
    private final ScheduledExecutorService retries;
    private volatile boolean closed;

    private NodeDht(Host host, DhtService dht, PrintStream out, PrintStream err) {
        this.host = host;
        this.dht = dht;
        this.out = out;
        this.err = err;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dht-bootstrap");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the DHT on {@code host}, its metrics registered in {@code metrics} (the node's, with
     * the host's); in server mode it serves requests from now on.
     */
    static NodeDht start(Host host, DhtConfig config, Metrics metrics, PrintStream out, PrintStream err) {
        return new NodeDht(host, DhtService.create(host, config, Validators.standard(), Clock.systemUTC(), metrics), out, err);
    }

    DhtService service() {
        return dht;
    }

    /** Joins through {@code seeds} in the background; returns at once. Call once, after the host listens. */
    void join(List<Multiaddr> seeds) {
        attempt(List.copyOf(seeds), FIRST_RETRY);
    }

    private void attempt(List<Multiaddr> seeds, Duration retryIn) {
        DhtJoin.join(host, dht, seeds).whenComplete((peers, failure) -> {
            if (closed) return;
            if (failure == null) {
                out.println("dht bootstrapped: " + peers + (peers == 1 ? " peer" : " peers") + " in the routing table");
                out.flush();
                return;
            }
            err.println("ferry: warning: dht bootstrap failed: " + Main.oneLine(failure) + "; retrying in "
                    + DurationConverter.format(retryIn));
            err.flush();
            Duration next = retryIn.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retryIn.multipliedBy(2);
            try {
                retries.schedule(() -> attempt(seeds, next), retryIn.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
        });
    }

    /** Stops retrying and closes the service: it stops serving and fails running lookups. */
    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        try {
            dht.close().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // shutting down anyway
        }
    }
}
