package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.delivery.DeliveryPorts;
import dev.ferry.messenger.delivery.DeliveryPorts.DirectOutcome;
import dev.ferry.messenger.direct.DeliveryResult;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The outbox's way to a recipient who may be online: over a connection we have, else at the
 * addresses we know, else at those the DHT gives. Addresses we know may be stale (the recipient
 * restarted on another port, or moved to another network): when none of them answers, the DHT is
 * asked, and with an address new to us the envelope is tried once more within its time.
 */
final class DirectRoute implements DeliveryPorts.DirectTransport {
    /** What the route needs from the node. */
    interface Network {
        boolean connected(PeerId peer);

        /** The addresses we know for {@code peer}. */
        List<Multiaddr> addresses(PeerId peer);

        void addAddresses(PeerId peer, List<Multiaddr> addresses);

        /** The addresses the DHT has for {@code peer}; empty if none. */
        CompletableFuture<List<Multiaddr>> findPeer(PeerId peer);

        /** One {@code /ferry/direct/1.0.0} delivery, dialling {@code peer} if need be. */
        CompletableFuture<DeliveryResult> deliver(PeerId peer, EnvelopeHeader header, byte[] ciphertext, Duration timeout);
    }

    private final Network network;
    /** Address searches in flight, one per recipient however many envelopes wait for it. */
    private final SharedLookups<PeerId, Void> searches = new SharedLookups<>();

    DirectRoute(Network network) {
        this.network = network;
    }

    @Override
    public boolean connected(PeerId recipient) {
        return network.connected(recipient);
    }

    @Override
    public CompletableFuture<DirectOutcome> deliver(PeerId recipient, EnvelopeHeader header, byte[] ciphertext, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean known = network.connected(recipient) || !network.addresses(recipient).isEmpty();
        CompletableFuture<Void> addresses = known ? CompletableFuture.completedFuture(null) : search(recipient, timeout);
        return addresses
                .thenCompose(v -> network.deliver(recipient, header, ciphertext, timeLeft(deadline)))
                .thenCompose(result -> known ? retryIfMoved(recipient, header, ciphertext, result, deadline)
                        : CompletableFuture.completedFuture(result))
                .handle((result, failure) -> {
                    if (failure != null) return DirectOutcome.UNREACHABLE;
                    return switch (result) {
                        case DeliveryResult.Delivered delivered -> DirectOutcome.DELIVERED;
                        case DeliveryResult.Unreachable unreachable ->
                                network.connected(recipient) ? DirectOutcome.TIMED_OUT : DirectOutcome.UNREACHABLE;
                        case DeliveryResult.Refused refused -> DirectOutcome.REFUSED;
                        case DeliveryResult.BadAck bad -> DirectOutcome.REFUSED;
                    };
                });
    }

    /** After a delivery to addresses we knew found no one: once more if the DHT knows an address we did not. */
    private CompletableFuture<DeliveryResult> retryIfMoved(PeerId recipient, EnvelopeHeader header, byte[] ciphertext,
            DeliveryResult result, long deadline) {
        if (!(result instanceof DeliveryResult.Unreachable) || network.connected(recipient)) {
            return CompletableFuture.completedFuture(result);
        }
        Duration left = timeLeft(deadline);
        if (left.isZero()) return CompletableFuture.completedFuture(result);
        HashSet<Multiaddr> before = new HashSet<>(network.addresses(recipient));
        return search(recipient, left).handle((v, failure) -> failure == null && !before.containsAll(network.addresses(recipient)))
                .thenCompose(moved -> {
                    Duration rest = timeLeft(deadline);
                    if (!moved || rest.isZero()) return CompletableFuture.completedFuture(result);
                    return network.deliver(recipient, header, ciphertext, rest);
                });
    }

    /** Finds {@code recipient}'s addresses in the DHT and adds them; waits at most {@code timeout} (the search runs on for others). */
    private CompletableFuture<Void> search(PeerId recipient, Duration timeout) {
        return searches.join(recipient, r -> network.findPeer(r).thenAccept(found -> {
            if (!found.isEmpty()) network.addAddresses(r, found);
        })).copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration timeLeft(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
