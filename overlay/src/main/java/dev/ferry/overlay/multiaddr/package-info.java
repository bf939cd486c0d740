/**
 * Multiaddr, the self-describing network address of libp2p (multiformats/multiaddr): its binary
 * and text forms for the protocols Ferry dials and listens on ({@code ip4}, {@code ip6},
 * {@code dns4}, {@code dns6}, {@code tcp}, {@code p2p}), and the TCP dial target they describe.
 *
 * <p>Parsing is strict and bounded, and never touches the network: IP addresses are parsed here,
 * not by {@link java.net.InetAddress#getByName}, which would resolve anything that is not a
 * literal. Bad input, text or binary, is always a {@link dev.ferry.overlay.multiaddr.MultiaddrFormatException}
 * saying what is wrong.
 */
package dev.ferry.overlay.multiaddr;
