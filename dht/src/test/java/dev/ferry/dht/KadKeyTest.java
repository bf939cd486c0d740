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
}
