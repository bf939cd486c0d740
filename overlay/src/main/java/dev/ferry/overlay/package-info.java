/**
 * The libp2p overlay's public interfaces: {@link dev.ferry.overlay.Host}, connections, streams,
 * protocol handlers and the peer store. Implementations live in sub-packages, one per protocol.
 */
package dev.ferry.overlay;
