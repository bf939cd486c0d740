/**
 * The Netty implementation of {@link dev.ferry.overlay.Host}: connection upgrade, limits, bans,
 * the peer store and per-stream protocol negotiation.
 */
package dev.ferry.overlay.host;
