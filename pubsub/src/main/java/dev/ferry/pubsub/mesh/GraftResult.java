package dev.ferry.pubsub.mesh;

/** What {@link GossipSubState#handleGraft} made of a GRAFT. */
public sealed interface GraftResult {
    /** The peer is now in our mesh for the topic; tell the scoring component. Send nothing. */
    record Accepted() implements GraftResult {}

    /** The peer was already in the mesh. Nothing to do. */
    record AlreadyInMesh() implements GraftResult {}

    /**
     * Nothing to send: the spec ignores GRAFTs for topics we are not in rather than answering
     * spam, and GRAFTs from peers the mesh does not track.
     */
    record Ignored(IgnoreReason reason) implements GraftResult {}

    /**
     * Refused: send {@code prune}. If {@code behaviourPenalty} is positive, add that many P₇
     * behaviour penalties to the peer's score: 1 for grafting during a backoff, 2 when it came
     * within the graft flood threshold of our PRUNE.
     */
    record Refused(Prune prune, int behaviourPenalty) implements GraftResult {}

    /** Why a GRAFT was {@linkplain Ignored ignored}. */
    enum IgnoreReason {
        /** We have not joined the topic. */
        UNKNOWN_TOPIC,
        /** The peer is not tracked ({@link GossipSubState#addPeer} was not called or failed). */
        UNKNOWN_PEER
    }
}
