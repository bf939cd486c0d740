package dev.ferry.pubsub.mesh;

/** Why a {@link Prune} is sent; for metrics and logs, and for the scoring component. */
public enum PruneReason {
    /** We left the topic; the backoff is the short unsubscribe backoff. */
    UNSUBSCRIBED,
    /** The heartbeat dropped the peer from the mesh for its negative score. No PX. */
    NEGATIVE_SCORE,
    /** The heartbeat trimmed an oversubscribed mesh (above D_hi) back to D. */
    OVERSUBSCRIBED,
    /** The peer sent a GRAFT while backed off; its backoff was extended. No PX. */
    GRAFT_DURING_BACKOFF,
    /** The peer sent a GRAFT with a negative score. No PX. */
    GRAFT_NEGATIVE_SCORE,
    /** The peer sent a GRAFT, inbound, while our mesh was at D_hi or above. */
    GRAFT_MESH_FULL
}
