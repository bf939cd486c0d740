package dev.ferry.pubsub.mesh;

import dev.ferry.crypto.PeerId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Send a PRUNE for {@code topic} to {@code peer}. The mesh has already removed the peer and
 * recorded our own backoff for it, so the router also tells the scoring component that
 * {@code peer} left our {@code topic} mesh (if it was in it).
 *
 * @param backoff the backoff to announce, in whole seconds on the wire; dropped for a peer that
 *     speaks only {@code /meshsub/1.0.0}
 * @param peerExchange PX candidates, already filtered (topic peers with a non-negative score,
 *     not {@code peer}); the router attaches their signed peer records where it has them. Empty
 *     when PX is off or not deserved. Dropped for a {@code /meshsub/1.0.0} peer
 * @param reason why
 */
public record Prune(PeerId peer, String topic, Duration backoff, List<PeerId> peerExchange, PruneReason reason) {
    public Prune {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(reason, "reason");
        peerExchange = List.copyOf(peerExchange);
    }
}
