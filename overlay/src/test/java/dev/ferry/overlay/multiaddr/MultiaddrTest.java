package dev.ferry.overlay.multiaddr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.PeerId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String ED25519_PEER = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
    private static final String SHA256_PEER = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";
    private static final String SHA256_PEER_HEX = "1220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b";

    /** Examples of the multiaddr implementations' shared test vectors, and Ferry's own forms. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/ip4/127.0.0.1/tcp/4321, 047f0000010610e1",
        "/ip4/0.0.0.0/tcp/0, 0400000000060000",
        "/ip4/255.255.255.255/tcp/65535, 04ffffffff06ffff",
        "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095, 29200108a07ac542013ac986fffe317095",
        "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/8000, 29200108a07ac542013ac986fffe317095061f40",
        "/ip6/::1/tcp/4001, 2900000000000000000000000000000001060fa1",
        "/p2p/" + SHA256_PEER + ", a50322" + SHA256_PEER_HEX,
        "/ip4/127.0.0.1/p2p/" + SHA256_PEER + "/tcp/1234, 047f000001a50322" + SHA256_PEER_HEX + "0604d2",
        "/dns4/example.com/tcp/443, 360b6578616d706c652e636f6d0601bb",
        "/dns6/bücher.example/tcp/443, 370f62c3bc636865722e6578616d706c650601bb",
        "/ip4/1.2.3.4/tcp/4001/p2p/" + ED25519_PEER + ", 0401020304060fa1a503260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
    })
    void textAndBinaryFormsRoundTrip(String text, String hex) {
        Multiaddr fromText = Multiaddr.parse(text);
        Multiaddr fromBinary = Multiaddr.fromBytes(HEX.parseHex(hex));

        assertThat(HEX.formatHex(fromText.toBytes())).isEqualTo(hex);
        assertThat(fromBinary).isEqualTo(fromText).hasSameHashCodeAs(fromText);
        assertThat(fromBinary).hasToString(text);
    }

    @Test
    void ipfsIsReadAsAnAliasOfP2p() {
        Multiaddr address = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/ipfs/" + SHA256_PEER);

        assertThat(address).hasToString("/ip4/1.2.3.4/tcp/1/p2p/" + SHA256_PEER);
        assertThat(address).isEqualTo(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + SHA256_PEER));
    }

    @Test
    void p2pValueMayBeACidAndIsPrintedInBase58() {
        Multiaddr address = Multiaddr.parse("/p2p/bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");

        assertThat(address).hasToString("/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({
        "/ip6/2001:DB8::1/tcp/1, /ip6/2001:db8::1/tcp/1",
        "/ip6/2001:0db8:0000:0000:0000:0000:0002:0001/tcp/1, /ip6/2001:db8::2:1/tcp/1",
        "/ip6/0:0:0:0:0:0:0:0/tcp/1, /ip6/::/tcp/1",
        "/ip4/1.2.3.4/tcp/1/, /ip4/1.2.3.4/tcp/1",
        "/ip6/::ffff:c000:0201/tcp/1, /ip6/::ffff:192.0.2.1/tcp/1",
    })
    void textIsPrintedCanonically(String text, String canonical) {
        assertThat(Multiaddr.parse(text)).hasToString(canonical);
    }

    @Test
    void componentsAreListedInOrder() {
        Multiaddr address = Multiaddr.parse("/dns4/example.com/tcp/443/p2p/" + ED25519_PEER);

        assertThat(address.components()).extracting(Component::protocol)
                .containsExactly(MultiaddrProtocol.DNS4, MultiaddrProtocol.TCP, MultiaddrProtocol.P2P);
        assertThat(address.components()).extracting(Component::valueText)
                .containsExactly("example.com", "443", ED25519_PEER);
    }

    @Test
    void toBytesIsADefensiveCopy() {
        Multiaddr address = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");
        address.toBytes()[1] = 9;

        assertThat(address).hasToString("/ip4/1.2.3.4/tcp/1");
    }

    @Test
    void fromBytesCopiesItsInput() {
        byte[] bytes = HEX.parseHex("047f0000010610e1");
        Multiaddr address = Multiaddr.fromBytes(bytes);
        bytes[1] = 9;

        assertThat(address).hasToString("/ip4/127.0.0.1/tcp/4321");
    }

    // ---- text errors ----

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "/ip4/999.0.0.1/tcp/1 | invalid multiaddr \"/ip4/999.0.0.1/tcp/1\": \"999.0.0.1\" is not an IPv4 address",
        "/udpx/1 | invalid multiaddr \"/udpx/1\": unknown protocol \"udpx\"",
        "/ip4/1.2.3.4/udp/1 | invalid multiaddr \"/ip4/1.2.3.4/udp/1\": unknown protocol \"udp\"",
        "/ip4/1.2.3.4/tcp | invalid multiaddr \"/ip4/1.2.3.4/tcp\": missing value for /tcp",
        "/ip4/1.2.3.4/tcp/ | invalid multiaddr \"/ip4/1.2.3.4/tcp/\": missing value for /tcp",
        "/ip4/1.2.3.4/tcp/65536 | invalid multiaddr \"/ip4/1.2.3.4/tcp/65536\": \"65536\" is not a TCP port (0 to 65535, no leading zeros)",
        "/ip4/1.2.3.4/tcp/0080 | invalid multiaddr \"/ip4/1.2.3.4/tcp/0080\": \"0080\" is not a TCP port (0 to 65535, no leading zeros)",
        "/ip6/fe80::1%eth0/tcp/1 | invalid multiaddr \"/ip6/fe80::1%eth0/tcp/1\": \"fe80::1%eth0\" is not an IPv6 address (zones are not supported)",
        "/ip6/1.2.3.4 | invalid multiaddr \"/ip6/1.2.3.4\": \"1.2.3.4\" is not an IPv6 address",
        "ip4/1.2.3.4 | invalid multiaddr \"ip4/1.2.3.4\": does not start with '/'",
        "/ | invalid multiaddr \"/\": empty",
        "//ip4/1.2.3.4 | invalid multiaddr \"//ip4/1.2.3.4\": empty protocol name (\"//\")",
        "/dns4//tcp/1 | invalid multiaddr \"/dns4//tcp/1\": /dns4 name is empty",
        "/TCP/1 | invalid multiaddr \"/TCP/1\": unknown protocol \"TCP\"",
    })
    void badTextIsRefusedSayingWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Multiaddr.parse(text))
                .isExactlyInstanceOf(MultiaddrFormatException.class)
                .hasMessage(message);
    }

    @Test
    void emptyTextIsRefused() {
        assertThatThrownBy(() -> Multiaddr.parse("")).isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("invalid multiaddr \"\": empty");
    }

    @Test
    void p2pValueThatIsNotAPeerIdIsRefused() {
        assertThatThrownBy(() -> Multiaddr.parse("/p2p/QmNotAPeer"))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageStartingWith("invalid multiaddr \"/p2p/QmNotAPeer\": \"QmNotAPeer\" is not a PeerId (");
    }

    @Test
    void dnsNameWithAControlCharacterIsRefusedAndQuotedSafely() {
        assertThatThrownBy(() -> Multiaddr.parse("/dns4/evil\nlog-line/tcp/1"))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("invalid multiaddr \"/dns4/evil\\u000alog-line/tcp/1\": "
                        + "\"evil\\u000alog-line\" is not a DNS name (it contains a control character)");
    }

    @Test
    void dnsNameOfUnpairedSurrogateIsRefused() {
        assertThatThrownBy(() -> Multiaddr.parse("/dns4/a\uD800b/tcp/1"))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageEndingWith("is not a DNS name (not valid Unicode)");
    }

    @Test
    void dnsNameOf255BytesIsTheLongestAccepted() {
        String longest = "a".repeat(255);

        assertThat(Multiaddr.parse("/dns4/" + longest + "/tcp/1").components().get(0).valueText()).isEqualTo(longest);
        assertThatThrownBy(() -> Multiaddr.parse("/dns4/" + longest + "a/tcp/1"))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageEndingWith("/dns4 name is longer than 255 bytes");
        assertThatThrownBy(() -> Multiaddr.parse("/dns4/" + "ü".repeat(128) + "/tcp/1"))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageEndingWith("/dns4 name is longer than 255 bytes");
    }

    @Test
    void moreComponentsThanTheLimitAreRefused() {
        String seventeen = "/tcp/1".repeat(Multiaddr.MAX_COMPONENTS + 1);

        assertThat(Multiaddr.parse("/tcp/1".repeat(Multiaddr.MAX_COMPONENTS)).components()).hasSize(16);
        assertThatThrownBy(() -> Multiaddr.parse(seventeen))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageEndingWith(": more than 16 components");
    }

    @Test
    void binaryFormLongerThanTheLimitIsRefused() {
        String name = "a".repeat(255);
        String text = ("/dns4/" + name).repeat(4) + "/tcp/1";

        assertThatThrownBy(() -> Multiaddr.parse(text))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageEndingWith(": 1035 bytes in binary form, longer than 1024");
    }

    @Test
    void hugeTextIsRefusedBeforeParsingAndQuotedShort() {
        String huge = "/dns4/" + "a".repeat(1_000_000);

        assertThatThrownBy(() -> Multiaddr.parse(huge))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageEndingWith("...\": longer than 4096 characters")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }

    @ParameterizedTest(name = "{0} is not an IPv4 address")
    @ValueSource(strings = {"localhost", "example.com", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", " 1.2.3.4",
        "0x7f.0.0.1", "256.1.1.1", "1.2.3.-4", "١.2.3.4", "1.2.3.4 "})
    void ipv4MustBeAStrictDottedQuad(String ip) {
        assertThatThrownBy(() -> Multiaddr.parse("/ip4/" + ip + "/tcp/1"))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessageEndingWith(" is not an IPv4 address");
    }

    // ---- binary errors ----

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "047f000001910204d2 | invalid binary multiaddr: unknown multiaddr protocol code 273 at byte 5",
        "047f0000 | invalid binary multiaddr: truncated: /ip4 value needs 4 bytes at byte 1 but only 3 left",
        "047f00000106 | invalid binary multiaddr: truncated: /tcp value needs 2 bytes at byte 6 but only 0 left",
        "a50322" + "1220d52e | invalid binary multiaddr: truncated: /p2p value of 34 bytes at byte 3 but only 4 left",
        "a5 | invalid binary multiaddr: truncated: protocol code at byte 0",
        "36 | invalid binary multiaddr: truncated: /dns4 value length at byte 1",
        "8400 | invalid binary multiaddr: protocol code at byte 0: varint is not minimally encoded",
        "3600 | invalid binary multiaddr: /dns4 name is empty (at byte 2)",
        "36022f61 | invalid binary multiaddr: \"/a\" is not a DNS name (it contains '/') (at byte 2)",
        "3602c328 | invalid binary multiaddr: /dns4 name is not valid UTF-8 (at byte 2)",
        "a503021300 | invalid binary multiaddr: /p2p value is not a PeerId (invalid PeerId: unsupported multihash code 0x13) (at byte 3)",
    })
    void badBytesAreRefusedSayingWhatIsWrong(String hex, String message) {
        assertThatThrownBy(() -> Multiaddr.fromBytes(HEX.parseHex(hex.replace(" ", ""))))
                .isExactlyInstanceOf(MultiaddrFormatException.class)
                .hasMessage(message);
    }

    @Test
    void emptyBytesAreRefused() {
        assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[0])).isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("invalid binary multiaddr: empty");
    }

    @Test
    void bytesLongerThanTheLimitAreRefused() {
        assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[Multiaddr.MAX_BYTES + 1]))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("invalid binary multiaddr: 1025 bytes, longer than 1024");
    }

    @Test
    void bytesWithMoreComponentsThanTheLimitAreRefused() {
        byte[] seventeenPorts = HEX.parseHex("060001".repeat(17));

        assertThatThrownBy(() -> Multiaddr.fromBytes(seventeenPorts))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("invalid binary multiaddr: more than 16 components");
    }

    // ---- peer ids ----

    @Test
    void peerIdIsTheTrailingP2pComponent() {
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_PEER).peerId()).contains(PeerId.parse(ED25519_PEER));
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1").peerId()).isEmpty();
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/p2p/" + ED25519_PEER + "/tcp/1").peerId()).isEmpty();
    }

    @Test
    void withPeerIdAppendsAP2pComponent() {
        Multiaddr address = Multiaddr.parse("/ip4/1.2.3.4/tcp/1").withPeerId(PeerId.parse(ED25519_PEER));

        assertThat(address).hasToString("/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_PEER);
    }

    @Test
    void withPeerIdReplacesATrailingP2pComponent() {
        Multiaddr address = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + SHA256_PEER).withPeerId(PeerId.parse(ED25519_PEER));

        assertThat(address).hasToString("/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_PEER);
    }

    @Test
    void withPeerIdRespectsTheComponentLimit() {
        Multiaddr full = Multiaddr.parse("/tcp/1".repeat(Multiaddr.MAX_COMPONENTS));

        assertThatThrownBy(() -> full.withPeerId(PeerId.parse(ED25519_PEER)))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("more than 16 components");
    }

    @Test
    void withoutPeerIdDropsOnlyATrailingP2pComponent() {
        Multiaddr plain = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");

        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_PEER).withoutPeerId()).isEqualTo(plain);
        assertThat(plain.withoutPeerId()).isSameAs(plain);
        assertThat(Multiaddr.parse("/p2p/" + ED25519_PEER + "/tcp/1").withoutPeerId())
                .hasToString("/p2p/" + ED25519_PEER + "/tcp/1");
    }

    @Test
    void withoutPeerIdOfABarePeerIdIsRefused() {
        assertThatThrownBy(() -> Multiaddr.parse("/p2p/" + ED25519_PEER).withoutPeerId())
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("/p2p/" + ED25519_PEER + " has no address besides its /p2p/ component");
    }

    // ---- building ----

    @Test
    void ofBuildsFromComponents() {
        List<Component> components = new ArrayList<>(Multiaddr.parse("/ip4/1.2.3.4/tcp/1").components());
        components.add(Component.of(PeerId.parse(ED25519_PEER)));

        assertThat(Multiaddr.of(components)).hasToString("/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_PEER);
        assertThatThrownBy(() -> Multiaddr.of(List.of())).isInstanceOf(MultiaddrFormatException.class);
    }

    @Test
    void componentsCheckTheirValues() {
        assertThatThrownBy(() -> new Component(MultiaddrProtocol.IP4, new byte[3]))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("/ip4 value must be 4 bytes, got 3");
        assertThatThrownBy(() -> new Component(MultiaddrProtocol.TCP, new byte[0]))
                .isInstanceOf(MultiaddrFormatException.class)
                .hasMessage("/tcp value must be 2 bytes, got 0");
    }

    @Test
    void componentValueIsADefensiveCopy() {
        byte[] ip = {1, 2, 3, 4};
        Component component = new Component(MultiaddrProtocol.IP4, ip);
        ip[0] = 9;
        component.value()[1] = 9;

        assertThat(component.valueText()).isEqualTo("1.2.3.4");
        assertThat(component).isEqualTo(new Component(MultiaddrProtocol.IP4, new byte[] {1, 2, 3, 4}))
                .hasToString("/ip4/1.2.3.4");
    }

    @Test
    void protocolsHaveTheirRegistryCodesAndNames() {
        assertThat(MultiaddrProtocol.values()).extracting(MultiaddrProtocol::code).containsExactly(4, 6, 41, 54, 55, 421);
        assertThat(MultiaddrProtocol.values()).extracting(MultiaddrProtocol::text)
                .containsExactly("ip4", "tcp", "ip6", "dns4", "dns6", "p2p");
        assertThat(MultiaddrProtocol.forText("ipfs")).contains(MultiaddrProtocol.P2P);
        assertThat(MultiaddrProtocol.forCode(273)).isEmpty();
        assertThat(MultiaddrProtocol.DNS6).hasToString("dns6");
    }
}
