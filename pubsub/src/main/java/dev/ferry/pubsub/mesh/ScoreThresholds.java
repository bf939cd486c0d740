package dev.ferry.pubsub.mesh;

/**
 * The peer score thresholds the mesh acts on (gossipsub-v1.1 "Score Thresholds"). Scores
 * themselves come from the scoring component through a {@code ToDoubleFunction<PeerId>}; this
 * record only says where the lines are. A peer below 0 is pruned from meshes and never grafted,
 * whatever the thresholds.
 *
 * @param gossipThreshold below it, no gossip is emitted to the peer and its gossip is ignored;
 *     at most 0
 * @param publishThreshold below it, our own messages are not published to the peer; at most
 *     {@code gossipThreshold}
 * @param graylistThreshold below it, the router ignores the peer's RPCs altogether (the router
 *     applies it; the mesh only checks the ordering); at most {@code publishThreshold}
 * @param acceptPxThreshold PX from a peer below it is ignored; at least 0
 * @param opportunisticGraftThreshold when the mesh's median score is below it, better peers are
 *     grafted opportunistically; at least 0
 */
public record ScoreThresholds(
        double gossipThreshold,
        double publishThreshold,
        double graylistThreshold,
        double acceptPxThreshold,
        double opportunisticGraftThreshold) {

    /**
     * For a router without peer scoring, where every score is 0: every peer passes every
     * threshold, PX is accepted from anyone, and opportunistic grafting never triggers (a median
     * of 0 is not below 0).
     */
    public static final ScoreThresholds NO_SCORING = new ScoreThresholds(0, 0, 0, 0, 0);

    public ScoreThresholds {
        if (Double.isNaN(gossipThreshold) || Double.isNaN(publishThreshold) || Double.isNaN(graylistThreshold)
                || Double.isNaN(acceptPxThreshold) || Double.isNaN(opportunisticGraftThreshold)) {
            throw new IllegalArgumentException("thresholds must be numbers");
        }
        if (gossipThreshold > 0) throw new IllegalArgumentException("gossipThreshold must be at most 0");
        if (publishThreshold > gossipThreshold) throw new IllegalArgumentException("publishThreshold must be at most gossipThreshold");
        if (graylistThreshold > publishThreshold) throw new IllegalArgumentException("graylistThreshold must be at most publishThreshold");
        if (acceptPxThreshold < 0) throw new IllegalArgumentException("acceptPxThreshold must be at least 0");
        if (opportunisticGraftThreshold < 0) throw new IllegalArgumentException("opportunisticGraftThreshold must be at least 0");
    }
}
