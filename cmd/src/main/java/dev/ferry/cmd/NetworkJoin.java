package dev.ferry.cmd;

import dev.ferry.messenger.FerryNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How a running {@code ferry node} joins the network through its {@code --bootstrap} peers, in
 * the background. Each attempt ends in one line: the routing table's size on stdout, or a warning
 * on stderr. The node keeps running either way; after a failed attempt it tries again, waiting
 * longer each time, so a node started before its bootstrap peers (or while offline) still joins
 * once they are up.
 */
final class NetworkJoin implements AutoCloseable {
    /** Wait before the first retry: a bootstrap peer that is restarting is usually back by then. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    /** Longest wait between retries: an isolated node should not stay isolated for long, nor hammer dead seeds. */
    static final Duration MAX_RETRY = Duration.ofMinutes(10);

    private final FerryNode node;
    private final PrintStream out;
    private final PrintStream err;
    private final ScheduledExecutorService retries;
    private volatile boolean closed;

    NetworkJoin(FerryNode node, PrintStream out, PrintStream err) {
        this.node = node;
        this.out = out;
        this.err = err;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "network-join");
            t.setDaemon(true);
            return t;
        });
    }

    /** Joins through {@code seeds} in the background; returns at once. Call once, after the node listens. */
    void start(List<Multiaddr> seeds) {
        attempt(List.copyOf(seeds), FIRST_RETRY);
    }

    private void attempt(List<Multiaddr> seeds, Duration retryIn) {
        once(seeds).whenComplete((peers, failure) -> {
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

    /**
     * One attempt: the seeds are dialled here first, so that a failure names the seed and why
     * (the node's own join only knows that none answered); the join then reuses those connections.
     */
    private CompletableFuture<Integer> once(List<Multiaddr> seeds) {
        return DhtJoin.dial(node.host(), seeds).thenCompose(node::join).thenApply(size -> {
            if (size == 0) {
                throw new DhtJoin.JoinFailed("no --bootstrap peer answered on " + node.dht().config().protocolId()
                        + " (is it a DHT server? check --dht-protocol)");
            }
            return size;
        });
    }

    /** Stops retrying; the node itself is closed by its owner. */
    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
    }
}
