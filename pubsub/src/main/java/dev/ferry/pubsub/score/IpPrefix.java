package dev.ferry.pubsub.score;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IP network in CIDR form ({@code 10.0.0.0/8}, {@code fd00::/8}), for the P6 colocation
 * whitelist. The address is kept with its host bits cleared, so equal networks are equal.
 *
 * @param network the network address, host bits zero
 * @param prefixLength leading bits that define the network: 0 to 32 for IPv4, 0 to 128 for IPv6
 */
public record IpPrefix(InetAddress network, int prefixLength) {
    /** IPv4 loopback, {@code 127.0.0.0/8}. */
    public static final IpPrefix IPV4_LOOPBACK = parse("127.0.0.0/8");
    /** IPv6 loopback, {@code ::1/128}. */
    public static final IpPrefix IPV6_LOOPBACK = parse("::1/128");

    public IpPrefix {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be in 0.." + bits + ", got " + prefixLength);
        }
        network = mask(network, prefixLength);
    }

    /**
     * Parses {@code address/length}, or a bare address as a single-host network. Only IP
     * literals are accepted: nothing is resolved by name.
     */
    public static IpPrefix parse(String cidr) {
        Objects.requireNonNull(cidr, "cidr");
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        InetAddress network = literal(address);
        int bits = network.getAddress().length * 8;
        int length;
        try {
            length = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid prefix length in " + cidr, e);
        }
        return new IpPrefix(network, length);
    }

    /** Whether {@code address} lies in this network; an address of the other family never does. */
    public boolean contains(InetAddress address) {
        return address.getAddress().length == network.getAddress().length
                && mask(address, prefixLength).equals(network);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    /** {@code address} with all but its first {@code prefixLength} bits cleared. */
    static InetAddress mask(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.clamp(prefixLength - i * 8L, 0, 8);
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    private static InetAddress literal(String text) {
        // InetAddress.getByName would resolve a host name: parse IPv4 by hand, and hand it only
        // text with a colon, which it always reads as an IPv6 literal.
        try {
            if (text.indexOf(':') >= 0) return InetAddress.getByName(text);
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) throw new IllegalArgumentException("not an IP address literal: " + text);
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("not an IP address literal: " + text);
                }
                int value = Integer.parseInt(parts[i]);
                if (value > 255) throw new IllegalArgumentException("not an IP address literal: " + text);
                bytes[i] = (byte) value;
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + text, e);
        }
    }
}
