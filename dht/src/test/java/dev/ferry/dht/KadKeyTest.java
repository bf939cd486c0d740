package dev.ferry.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KadKeyTest {
    private static KadKey key(String hex) {
        return KadKey.fromHash(HexFormat.of().parseHex(hex.repeat(32 / (hex.length() / 2))));
    }

    @Test
    void shouldHashKeyBytesWithSha256AsTheSpecDoes() {
        // SHA-256("abc")
        assertThat(HexFormat.of().formatHex(KadKey.of("abc".getBytes()).hash()))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void shouldCountTheLeadingBitsTwoKeysShare() {
        KadKey zero = key("00");
        assertThat(zero.commonPrefixLength(zero)).isEqualTo(256);
        assertThat(zero.commonPrefixLength(key("80"))).isZero();
        assertThat(zero.commonPrefixLength(key("01"))).isEqualTo(7);
        byte[] lastBit = new byte[32];
        lastBit[31] = 1;
        assertThat(zero.commonPrefixLength(KadKey.fromHash(lastBit))).isEqualTo(255);
    }

    @Test
    void shouldOrderKeysByXorDistance() {
        KadKey target = key("00");
        assertThat(target.compareDistance(key("01"), key("02"))).isNegative();
        assertThat(target.compareDistance(key("80"), key("7f"))).isPositive();
        assertThat(target.compareDistance(key("42"), key("42"))).isZero();
        assertThat(key("ff").distanceTo(key("0f"))).isEqualTo(key("f0"));
    }

    @Test
    void shouldRefuseAHashOfTheWrongLength() {
        assertThatThrownBy(() -> KadKey.fromHash(new byte[31])).hasMessageContaining("32 bytes, got 31");
    }

    @Test
    void shouldOrderPeersClosestFirstAsComparingTheirKeysOneByOneWould() {
        java.security.SecureRandom random = new java.security.SecureRandom();
        java.util.List<dev.ferry.crypto.PeerId> peers = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) peers.add(dev.ferry.crypto.IdentityKeyPair.generate(random).peerId());
        KadKey target = KadKey.of(new byte[] {1, 2, 3});

        java.util.List<dev.ferry.crypto.PeerId> expected = new java.util.ArrayList<>(peers);
        expected.sort((a, b) -> target.compareDistance(KadKey.of(a), KadKey.of(b)));

        java.util.List<dev.ferry.crypto.PeerId> before = java.util.List.copyOf(peers);
        assertThat(target.closestFirst(peers)).containsExactlyElementsOf(expected);
        assertThat(peers).as("the argument is left as it was").containsExactlyElementsOf(before);
    }
}
