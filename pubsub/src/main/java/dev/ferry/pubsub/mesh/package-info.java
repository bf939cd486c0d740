/**
 * GossipSub mesh maintenance as a pure state machine ({@link dev.ferry.pubsub.mesh.GossipSubState}):
 * meshes, fanout, subscriptions, backoff, gossip limits and IWANT promises, per the gossipsub v1.0
 * and v1.1 specs. It is told what peers sent and given {@code now}; it answers with the GRAFTs,
 * PRUNEs, gossip and messages the router must send, and does no I/O itself. Its parameters, with
 * the spec's defaults and every bound, are {@link dev.ferry.pubsub.mesh.GossipSubParams}.
 */
package dev.ferry.pubsub.mesh;
