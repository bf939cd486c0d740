/**
 * GossipSub v1.1 peer scoring (gossipsub-v1.1.md, "Peer Scoring"): the score parameters and
 * thresholds with the spec's validation, and {@link dev.ferry.pubsub.score.PeerScore}, the pure
 * state machine that turns router events (grafts, prunes, deliveries, rejections, penalties) into
 * a score per peer. No I/O and no clock: the router owns a {@code PeerScore} on its one thread
 * and passes {@code now} in.
 */
package dev.ferry.pubsub.score;
