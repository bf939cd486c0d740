/**
 * multistream-select 1.0: the codec, the pure dialer and listener negotiations, and the Netty
 * handler that negotiates a connection upgrade (security, then muxer).
 */
package dev.ferry.overlay.multistream;
