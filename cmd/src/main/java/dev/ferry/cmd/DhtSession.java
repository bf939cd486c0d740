package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtMode;
import dev.ferry.dht.service.DhtService;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ferry dht} command's view of the DHT: a short-lived node running the DHT in client
 * mode (it serves nothing, so no peer puts it in its routing table), joined through the
 * {@code --bootstrap} peers, and one deadline, {@code --timeout}, for everything it does.
 */
final class DhtSession implements AutoCloseable {
    /** How long closing may take: the command's work is done by then. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final ShortLivedNode node;
    final DhtService dht;
    private final Deadline deadline;

    private DhtSession(ShortLivedNode node, DhtService dht, Duration timeout) {
        this.node = node;
        this.dht = dht;
        this.deadline = new Deadline(timeout);
    }

    /** Starts a client node as {@code identity} and joins the DHT through {@code seeds}, within {@code timeout}. */
    static DhtSession join(IdentityKeyPair identity, DhtConfig config, List<Multiaddr> seeds, Duration timeout) throws Exception {
        // A request may not outlast the whole command; a shorter one leaves time to ask others.
        Duration requestTimeout = timeout.compareTo(config.requestTimeout()) < 0 ? timeout : config.requestTimeout();
        ShortLivedNode node = new ShortLivedNode(identity);
        DhtService dht = DhtService.create(node.node.host(), config.withMode(DhtMode.CLIENT).withRequestTimeout(requestTimeout),
                Validators.standard(), Clock.systemUTC());
        DhtSession session = new DhtSession(node, dht, timeout);
        try {
            session.await(DhtJoin.join(node.node.host(), dht, seeds), "joining the DHT");
            return session;
        } catch (Exception | Error e) {
            session.close();
            throw e;
        }
    }

    /**
     * The result of {@code work}, waiting at most until the deadline; a failure is rethrown as
     * its cause, a timeout as one naming {@code what} and {@code --timeout}.
     */
    <T> T await(CompletableFuture<T> work, String what) throws Exception {
        return deadline.await(work, what);
    }

    @Override
    public void close() {
        try {
            dht.close().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // closing anyway
        } finally {
            node.close();
        }
    }
}
