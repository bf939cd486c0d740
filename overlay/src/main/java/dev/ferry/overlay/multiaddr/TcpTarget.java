package dev.ferry.overlay.multiaddr;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where to open a TCP connection, as a {@link Multiaddr} of the form
 * {@code /(ip4|ip6|dns4|dns6)/<host>/tcp/<port>} describes it.
 *
 * @param host an IP literal (IPv6 without brackets) or a DNS name, as {@code hostProtocol} says
 * @param port 0 to 65535
 * @param hostProtocol {@link MultiaddrProtocol#IP4}, {@code IP6}, {@code DNS4} or {@code DNS6}; a
 *     {@code dns4} name is to be resolved to IPv4 addresses only, a {@code dns6} name to IPv6 only
 */
public record TcpTarget(String host, int port, MultiaddrProtocol hostProtocol) {
    /**
     * @throws MultiaddrFormatException if {@code hostProtocol} does not name a host, {@code host}
     *     is not a valid value of it, or the port is out of range
     */
    public TcpTarget {
        if (host == null || hostProtocol == null || !hostProtocol.namesHost()) {
            throw new MultiaddrFormatException("a TCP target needs a host of /ip4, /ip6, /dns4 or /dns6");
        }
        if (port < 0 || port > Component.MAX_PORT) {
            throw new MultiaddrFormatException("TCP port " + port + " is not in 0 to " + Component.MAX_PORT);
        }
        Component.parse(hostProtocol, host);
    }

    /** True if {@link #host()} is a DNS name that needs resolving before a connection. */
    public boolean needsResolving() {
        return hostProtocol == MultiaddrProtocol.DNS4 || hostProtocol == MultiaddrProtocol.DNS6;
    }

    /**
     * A socket address to connect to: for an IP literal a resolved one, built from the address
     * bytes without any lookup; for a DNS name an unresolved one, for the dialer to resolve.
     */
    public InetSocketAddress toSocketAddress() {
        if (needsResolving()) return InetSocketAddress.createUnresolved(host, port);
        byte[] address = Component.parse(hostProtocol, host).value();
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always accepted", e);
        }
    }

    @Override
    public String toString() {
        return (hostProtocol == MultiaddrProtocol.IP6 ? "[" + host + "]" : host) + ":" + port;
    }
}
