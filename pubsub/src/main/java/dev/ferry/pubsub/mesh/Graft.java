package dev.ferry.pubsub.mesh;

import dev.ferry.crypto.PeerId;
import java.util.Objects;

/**
 * Send a GRAFT for {@code topic} to {@code peer}: the mesh has already added the peer, so the
 * router also tells the scoring component that {@code peer} joined our {@code topic} mesh.
 */
public record Graft(PeerId peer, String topic) {
    public Graft {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(topic, "topic");
    }
}
