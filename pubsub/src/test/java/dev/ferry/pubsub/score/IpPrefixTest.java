package dev.ferry.pubsub.score;

import static dev.ferry.pubsub.score.ScoreFixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {

    @Test
    void shouldContainTheAddressesOfItsNetworkOnly() {
        IpPrefix net = IpPrefix.parse("192.168.4.0/22");

        assertThat(net.contains(ip("192.168.7.255"))).isTrue();
        assertThat(net.contains(ip("192.168.8.0"))).isFalse();
        assertThat(net.contains(ip("::ffff:0:0"))).isFalse();
    }

    @Test
    void shouldClearHostBitsSoEqualNetworksAreEqual() {
        assertThat(IpPrefix.parse("10.9.8.7/8")).isEqualTo(IpPrefix.parse("10.0.0.0/8"));
        assertThat(IpPrefix.parse("10.9.8.7/8")).hasToString("10.0.0.0/8");
    }

    @Test
    void shouldReadIpv6AndBareAddresses() {
        IpPrefix net = IpPrefix.parse("2001:db8::/32");

        assertThat(net.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(net.contains(ip("2001:db9::1"))).isFalse();
        assertThat(IpPrefix.parse("203.0.113.5").prefixLength()).isEqualTo(32);
        assertThat(IpPrefix.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
        assertThat(IpPrefix.IPV6_LOOPBACK.contains(ip("::1"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.org", "10.0.0.0/33", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/x", "", "1::2::3/64", "::/129"})
    void shouldRefuseWhatIsNotACidrLiteral(String text) {
        assertThatThrownBy(() -> IpPrefix.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
