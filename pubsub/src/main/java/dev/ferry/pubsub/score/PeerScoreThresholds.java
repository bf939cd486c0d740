package dev.ferry.pubsub.score;

import static dev.ferry.pubsub.score.ScoreChecks.atLeastZero;
import static dev.ferry.pubsub.score.ScoreChecks.atMostZero;

/**
 * The score thresholds of gossipsub v1.1 ("Score Thresholds"), which the router compares scores
 * against. Besides these, 0 is the baseline: a peer below it is pruned from the mesh, not grafted
 * and not given or taken PX.
 *
 * <p>Validated as go-libp2p-pubsub does: {@code graylist <= publish <= gossip <= 0},
 * {@code acceptPX >= 0} and {@code opportunisticGraft >= 0}, all finite.
 *
 * @param gossipThreshold below it, no gossip goes to the peer and its gossip is ignored
 * @param publishThreshold below it, our own messages are not flood-published to the peer
 * @param graylistThreshold below it, every RPC from the peer is ignored
 * @param acceptPXThreshold PX from a pruning peer is followed only if its score is above this
 * @param opportunisticGraftThreshold when the median mesh score is below it, the router grafts
 *     better-scoring peers
 */
public record PeerScoreThresholds(
        double gossipThreshold,
        double publishThreshold,
        double graylistThreshold,
        double acceptPXThreshold,
        double opportunisticGraftThreshold) {

    /**
     * Matched to {@link PeerScoreParams#defaults()} and {@link TopicScoreParams#defaults()}:
     * gossip -10, publish -50, graylist -80 (the js-libp2p-gossipsub values, a step of one, two
     * and three invalid messages under the default P4); acceptPX 100, beyond any topic total
     * (capped at 25), so only a peer the application vouches for through P5, such as a
     * bootstrapper, has its PX followed, as the spec recommends; opportunistic graft 8, above
     * what time in mesh alone gives (5), so a mesh whose median peer has brought us nothing
     * first is topped up with better peers.
     */
    public static final PeerScoreThresholds DEFAULT = new PeerScoreThresholds(-10, -50, -80, 100, 8);

    /**
     * For a router without peer scoring, where every score is 0: every peer passes every
     * threshold, PX is accepted from anyone, and opportunistic grafting never triggers (a median
     * of 0 is not below 0).
     */
    public static final PeerScoreThresholds NO_SCORING = new PeerScoreThresholds(0, 0, 0, 0, 0);

    public PeerScoreThresholds {
        atMostZero("gossipThreshold", gossipThreshold);
        atMostZero("publishThreshold", publishThreshold);
        if (publishThreshold > gossipThreshold) {
            throw new IllegalArgumentException("publishThreshold must be <= gossipThreshold (" + gossipThreshold + "), got " + publishThreshold);
        }
        atMostZero("graylistThreshold", graylistThreshold);
        if (graylistThreshold > publishThreshold) {
            throw new IllegalArgumentException("graylistThreshold must be <= publishThreshold (" + publishThreshold + "), got " + graylistThreshold);
        }
        atLeastZero("acceptPXThreshold", acceptPXThreshold);
        atLeastZero("opportunisticGraftThreshold", opportunisticGraftThreshold);
    }
}
