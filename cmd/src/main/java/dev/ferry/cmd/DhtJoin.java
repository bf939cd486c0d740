package dev.ferry.cmd;

import dev.ferry.dht.service.DhtService;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Joins a DHT through seed addresses and says why, on one line, when that fails.
 * {@link DhtService#bootstrap} forgets why a seed could not be dialled, so the seeds are dialled
 * here first; the bootstrap then reuses those connections (it dials by the seed's PeerId).
 */
final class DhtJoin {
    private DhtJoin() {}

    /** Why joining failed; its message is the line the user sees. */
    static final class JoinFailed extends RuntimeException {
        JoinFailed(String message) {
            super(message);
        }
    }

    /**
     * Dials {@code seeds}, bootstraps {@code dht} from those that answered, and completes with
     * the size of the routing table; fails with {@link JoinFailed} if no seed could be dialled or
     * none of them answered on the DHT protocol.
     */
    static CompletableFuture<Integer> join(Host host, DhtService dht, List<Multiaddr> seeds) {
        return dial(host, seeds.subList(0, Math.min(seeds.size(), DhtService.MAX_BOOTSTRAP_PEERS))).thenCompose(reached ->
                dht.bootstrap(reached).thenCompose(lookup -> dht.routingTablePeers()).thenApply(table -> {
                    if (table.isEmpty()) {
                        throw new JoinFailed("no --bootstrap peer answered on " + dht.config().protocolId()
                                + " (is it a DHT server? check --dht-protocol)");
                    }
                    return table.size();
                }));
    }

    /**
     * Dials every one of {@code seeds} and completes, once each answered or failed, with the
     * addresses of those reached (with their PeerId); fails with {@link JoinFailed}, naming the
     * first failure, if none was.
     */
    static CompletableFuture<List<Multiaddr>> dial(Host host, List<Multiaddr> seeds) {
        List<CompletableFuture<Multiaddr>> dials = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Multiaddr seed : seeds) {
            dials.add(host.dial(seed).handle((Connection c, Throwable e) -> {
                if (e == null) return seed.withPeerId(c.remotePeer());
                failures.add(seedFailure(seed, Main.oneLine(e)));
                return null;
            }));
        }
        return CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Multiaddr> reached = dials.stream().map(CompletableFuture::join).filter(a -> a != null).toList();
            if (reached.isEmpty()) {
                String first = failures.isEmpty() ? "no address" : failures.getFirst();
                throw new JoinFailed("cannot reach " + (dials.size() == 1 ? "the --bootstrap peer" : "any of the "
                        + dials.size() + " --bootstrap peers") + ": " + first);
            }
            return reached;
        });
    }

    /** The dial error names the address more often than not; say it once. */
    private static String seedFailure(Multiaddr seed, String reason) {
        return reason.contains(seed.toString()) ? reason : seed + ": " + reason;
    }
}
