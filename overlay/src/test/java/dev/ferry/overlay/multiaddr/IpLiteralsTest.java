package dev.ferry.overlay.multiaddr;

import dev.ferry.crypto.SeededProperty;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 5952 section 4 and 5 examples, and the edges of "::". */
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8::1:0:0:1, 2001:db8::1:0:0:1",
        "2001:DB8:0:0:0::1, 2001:db8::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001, 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "::ffff:192.0.2.1, ::ffff:192.0.2.1",
        "::ffff:c000:201, ::ffff:192.0.2.1",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    })
    void ipv6IsParsedAndPrintedCanonically(String text, String canonical) {
        byte[] bytes = IpLiterals.parseIpv6(text).orElseThrow();

        assertThat(IpLiterals.formatIpv6(bytes)).isEqualTo(canonical);
        assertThat(IpLiterals.parseIpv6(canonical)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @ValueSource(strings = {"", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "12345::", "g::", "::1.2.3", "::1.2.3.4.5", "1.2.3.4::", "1.2.3.4", "fe80::1%eth0", "[::1]",
        "::ffff:256.0.0.1", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:1.2.3.4",
        ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:", "０::1", "::01.2.3.4", "localhost", "::1 ", " ::1",
        "1:2:3:4:5:6:7:8:1:2:3:4:5:6:7:8:1:2:3:4:5:6:7:8"})
    void malformedIpv6IsRefused(String text) {
        assertThat(IpLiterals.parseIpv6(text)).isEmpty();
    }

    @Test
    void ipv4OfLeadingZerosIsRefusedButZeroItselfIsFine() {
        assertThat(IpLiterals.parseIpv4("0.0.0.0")).hasValueSatisfying(b -> assertThat(b).containsExactly(0, 0, 0, 0));
        assertThat(IpLiterals.parseIpv4("10.0.0.010")).isEmpty();
        assertThat(IpLiterals.parseIpv4("00.0.0.0")).isEmpty();
    }

    @Test
    void everyIpv6AddressRoundTripsThroughItsCanonicalText() {
        SeededProperty.forAll(20_000, random -> {
            byte[] address = SeededProperty.bytes(random, 16);
            // Zero groups in runs, so that "::" placement is exercised.
            for (int group = 0; group < 8; group++) {
                if (random.nextInt(3) == 0) {
                    address[2 * group] = 0;
                    address[2 * group + 1] = 0;
                }
            }
            if (random.nextInt(20) == 0) {
                Arrays.fill(address, 0, 10, (byte) 0);
                address[10] = (byte) 0xff;
                address[11] = (byte) 0xff;
            }
            String text = IpLiterals.formatIpv6(address);

            assertThat(IpLiterals.parseIpv6(text)).hasValueSatisfying(b -> assertThat(b).isEqualTo(address));
            assertThat(text.length()).isLessThanOrEqualTo(39);
            assertThat(text).doesNotContain(":::").doesNotMatch(".*::.*::.*").isEqualTo(text.toLowerCase());
            assertThat(text).doesNotContainPattern("(^|:)0[0-9a-f]");
            // The JDK, given a literal (it never resolves one), reads the same address.
            byte[] jdk = jdkLiteral(text);
            assertThat(HEX.formatHex(jdk)).isEqualTo(HEX.formatHex(address).substring(jdk.length == 4 ? 24 : 0));
        });
    }

    @Test
    void everyIpv4AddressRoundTrips() {
        SeededProperty.forAll(5_000, random -> {
            byte[] address = SeededProperty.bytes(random, 4);
            String text = IpLiterals.formatIpv4(address, 0);

            assertThat(IpLiterals.parseIpv4(text)).hasValueSatisfying(b -> assertThat(b).isEqualTo(address));
        });
    }

    private static byte[] jdkLiteral(String ipv6) {
        try {
            return InetAddress.getByName("[" + ipv6 + "]").getAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError("the JDK refused " + ipv6, e);
        }
    }
}
