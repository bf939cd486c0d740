package dev.ferry.pubsub.mesh;

import dev.ferry.crypto.PeerId;
import java.util.List;

/**
 * What {@link GossipSubState#handlePrune} made of a PRUNE.
 *
 * @param removedFromMesh the peer was in our mesh for the topic and is no longer; tell the
 *     scoring component
 * @param peersToConnect PX peers to connect to (bounded by {@link GossipSubParams#prunePeers()},
 *     unknown to us, not ourselves); empty when the pruning peer's score is below the accept-PX
 *     threshold. Connecting is up to the router and its connection limits
 */
public record PruneOutcome(boolean removedFromMesh, List<PeerId> peersToConnect) {
    public PruneOutcome {
        peersToConnect = List.copyOf(peersToConnect);
    }
}
