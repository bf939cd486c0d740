package dev.ferry.overlay.multiaddr;

import java.util.Optional;

/**
 * The multiaddr protocols Ferry understands, with their codes from multiformats/multiaddr
 * {@code protocols.csv} and the size of their values.
 */
public enum MultiaddrProtocol {
    /** An IPv4 address: 4 bytes. */
    IP4(0x04, "ip4", 4),
    /** A TCP port: 2 bytes, big-endian. */
    TCP(0x06, "tcp", 2),
    /** An IPv6 address: 16 bytes. */
    IP6(0x29, "ip6", 16),
    /** A DNS name to resolve to IPv4 addresses: length-prefixed UTF-8. */
    DNS4(0x36, "dns4", -1),
    /** A DNS name to resolve to IPv6 addresses: length-prefixed UTF-8. */
    DNS6(0x37, "dns6", -1),
    /** A PeerId: its length-prefixed multihash. {@code /ipfs/} is read as an alias. */
    P2P(0x01a5, "p2p", -1);

    /** The old name of {@code /p2p/}, still written by some tools; read, never written. */
    private static final String P2P_ALIAS = "ipfs";

    private final int code;
    private final String text;
    private final int fixedLength;

    MultiaddrProtocol(int code, String text, int fixedLength) {
        this.code = code;
        this.text = text;
        this.fixedLength = fixedLength;
    }

    /** The protocol code of the binary form. */
    public int code() {
        return code;
    }

    /** The name of the text form, such as {@code "ip4"}. */
    public String text() {
        return text;
    }

    /** The protocol with binary code {@code code}, if Ferry knows it. */
    public static Optional<MultiaddrProtocol> forCode(long code) {
        for (MultiaddrProtocol protocol : values()) {
            if (protocol.code == code) return Optional.of(protocol);
        }
        return Optional.empty();
    }

    /** The protocol named {@code text} (case-sensitive; {@code ipfs} is {@link #P2P}), if Ferry knows it. */
    public static Optional<MultiaddrProtocol> forText(String text) {
        if (P2P_ALIAS.equals(text)) return Optional.of(P2P);
        for (MultiaddrProtocol protocol : values()) {
            if (protocol.text.equals(text)) return Optional.of(protocol);
        }
        return Optional.empty();
    }

    /** True if values are written with a varint length prefix rather than at a fixed size. */
    boolean lengthPrefixed() {
        return fixedLength < 0;
    }

    /** The value size in bytes, for protocols that are not {@link #lengthPrefixed()}. */
    int fixedLength() {
        return fixedLength;
    }

    /** True for the protocols that name a host a TCP connection can go to. */
    boolean namesHost() {
        return this == IP4 || this == IP6 || this == DNS4 || this == DNS6;
    }

    @Override
    public String toString() {
        return text;
    }
}
