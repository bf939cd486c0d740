package dev.ferry.overlay.multiaddr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpTargetTest {
    private static final String PEER = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

    @Test
    void ip4TcpAddressTargetsItsHostAndPort() {
        TcpTarget target = Multiaddr.parse("/ip4/192.0.2.1/tcp/4001").tcpTarget();

        assertThat(target).isEqualTo(new TcpTarget("192.0.2.1", 4001, MultiaddrProtocol.IP4));
        assertThat(target.needsResolving()).isFalse();
        assertThat(target).hasToString("192.0.2.1:4001");
    }

    @Test
    void ip6TcpAddressWithAPeerIdTargetsItsHostAndPort() {
        TcpTarget target = Multiaddr.parse("/ip6/2001:db8::1/tcp/443/p2p/" + PEER).tcpTarget();

        assertThat(target).isEqualTo(new TcpTarget("2001:db8::1", 443, MultiaddrProtocol.IP6));
        assertThat(target).hasToString("[2001:db8::1]:443");
    }

    @Test
    void dnsTcpAddressNeedsResolvingAndGivesAnUnresolvedSocketAddress() {
        TcpTarget target = Multiaddr.parse("/dns6/node.example/tcp/4001").tcpTarget();
        InetSocketAddress socket = target.toSocketAddress();

        assertThat(target.hostProtocol()).isEqualTo(MultiaddrProtocol.DNS6);
        assertThat(target.needsResolving()).isTrue();
        assertThat(socket.isUnresolved()).isTrue();
        assertThat(socket.getHostString()).isEqualTo("node.example");
        assertThat(socket.getPort()).isEqualTo(4001);
    }

    @Test
    void ipTargetGivesAResolvedSocketAddressFromItsBytes() throws UnknownHostException {
        InetSocketAddress socket = Multiaddr.parse("/ip6/::1/tcp/9").tcpTarget().toSocketAddress();

        assertThat(socket.isUnresolved()).isFalse();
        assertThat(socket.getAddress()).isEqualTo(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
        assertThat(socket.getPort()).isEqualTo(9);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "/ip4/1.2.3.4",
        "/tcp/1",
        "/tcp/1/ip4/1.2.3.4",
        "/ip4/1.2.3.4/tcp/1/tcp/2",
        "/ip4/1.2.3.4/tcp/1/ip4/1.2.3.4/tcp/1",
        "/p2p/" + PEER,
        "/p2p/" + PEER + "/ip4/1.2.3.4/tcp/1",
        "/ip4/1.2.3.4/p2p/" + PEER + "/tcp/1",
    })
    void otherFormsAreNotTcpAddresses(String text) {
        Multiaddr address = Multiaddr.parse(text);

        assertThatThrownBy(address::tcpTarget)
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageStartingWith(text + " is not a TCP address (expected /ip4, /ip6, /dns4 or /dns6");
    }

    @Test
    void targetChecksItsParts() {
        assertThatThrownBy(() -> new TcpTarget("1.2.3.4", 65536, MultiaddrProtocol.IP4))
                .isInstanceOf(MultiaddrFormatException.class).hasMessage("TCP port 65536 is not in 0 to 65535");
        assertThatThrownBy(() -> new TcpTarget("example.com", 1, MultiaddrProtocol.IP4))
                .isInstanceOf(MultiaddrFormatException.class).hasMessage("\"example.com\" is not an IPv4 address");
        assertThatThrownBy(() -> new TcpTarget(PEER, 1, MultiaddrProtocol.P2P))
                .isInstanceOf(MultiaddrFormatException.class);
    }

    @Test
    void ip4SocketAddressBecomesAnIp4TcpMultiaddr() throws UnknownHostException {
        InetSocketAddress socket = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 4001);

        Multiaddr address = Multiaddr.fromSocketAddress(socket);

        assertThat(address).hasToString("/ip4/127.0.0.1/tcp/4001");
        assertThat(address.tcpTarget().toSocketAddress()).isEqualTo(socket);
    }

    @Test
    void ip6SocketAddressBecomesAnIp6TcpMultiaddr() throws UnknownHostException {
        byte[] ip = new byte[16];
        ip[0] = 0x20;
        ip[1] = 0x01;
        ip[2] = 0x0d;
        ip[3] = (byte) 0xb8;
        ip[15] = 1;
        InetSocketAddress socket = new InetSocketAddress(InetAddress.getByAddress(ip), 0);

        Multiaddr address = Multiaddr.fromSocketAddress(socket);

        assertThat(address).hasToString("/ip6/2001:db8::1/tcp/0");
        assertThat(address.tcpTarget().toSocketAddress()).isEqualTo(socket);
    }

    @Test
    void ip6ScopeIsDropped() throws UnknownHostException {
        byte[] linkLocal = new byte[16];
        linkLocal[0] = (byte) 0xfe;
        linkLocal[1] = (byte) 0x80;
        linkLocal[15] = 1;
        InetSocketAddress socket = new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 7);

        assertThat(Multiaddr.fromSocketAddress(socket)).hasToString("/ip6/fe80::1/tcp/7");
    }

    @Test
    void unresolvedSocketAddressIsRefused() {
        assertThatThrownBy(() -> Multiaddr.fromSocketAddress(InetSocketAddress.createUnresolved("example.com", 1)))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("socket address \"example.com\" is not resolved");
    }
}
