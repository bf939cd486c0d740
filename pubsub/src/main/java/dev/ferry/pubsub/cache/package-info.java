/**
 * The message caches of GossipSub: {@link dev.ferry.pubsub.cache.MessageCache}, the spec's
 * {@code mcache} that answers IWANT and names the ids to gossip, and
 * {@link dev.ferry.pubsub.cache.SeenCache}, the ids seen recently so that a message is delivered
 * and forwarded once. Both are pure (time is passed in), bounded, and not thread-safe: the pubsub
 * router's thread owns them.
 */
package dev.ferry.pubsub.cache;
