package dev.ferry.crypto.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.SeededProperty;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MultihashTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void sha256OfNothingHasTheWellKnownDigest() {
        assertThat(HEX.formatHex(Multihash.sha256(new byte[0]).encode()))
                .isEqualTo("1220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void identityWrapsTheDataVerbatim() {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);

        assertThat(HEX.formatHex(Multihash.identity(data).encode())).isEqualTo("000568656c6c6f");
    }

    @Test
    void decodesWhatItEncodes() {
        Multihash hash = Multihash.sha256("ferry".getBytes(StandardCharsets.UTF_8));

        assertThat(Multihash.decode(hash.encode())).isEqualTo(hash).hasSameHashCodeAs(hash);
    }

    @Test
    void digestIsADefensiveCopy() {
        byte[] data = {1, 2, 3};
        Multihash hash = Multihash.identity(data);
        data[0] = 9;
        hash.digest()[1] = 9;

        assertThat(hash.digest()).containsExactly(1, 2, 3);
    }

    @Test
    void emptyInputIsRefused() {
        assertThatThrownBy(() -> Multihash.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint is truncated");
    }

    @Test
    void missingLengthIsRefused() {
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex("12"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint is truncated");
    }

    @Test
    void truncatedDigestIsRefused() {
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex("1220" + "00".repeat(31))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("multihash says 32 digest bytes but has 31");
    }

    @Test
    void trailingBytesAreRefused() {
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex("000100ff")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("multihash says 1 digest bytes but has 2");
    }

    @Test
    void sha256OfTheWrongLengthIsRefused() {
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex("1201ff")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sha2-256 multihash must have 32 digest bytes, has 1");
    }

    @Test
    void digestLongerThanTheLimitIsRefusedBeforeReading() {
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex("00ffffffff0f")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("multihash digest length 4294967295 exceeds 128");
    }

    @Test
    void nonMinimalCodeIsRefused() {
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex("928000" + "20" + "00".repeat(32))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint is not minimally encoded");
    }

    @Test
    void randomBytesDecodeOnlyToWhatReEncodesIdentically() {
        SeededProperty.forAll(5_000, random -> {
            byte[] input = SeededProperty.bytes(random, random.nextInt(40));
            if (random.nextBoolean() && input.length >= 2) {
                input[0] = 0;
                input[1] = (byte) (input.length - 2);
            }
            Multihash decoded;
            try {
                decoded = Multihash.decode(input);
            } catch (IllegalArgumentException refused) {
                return;
            }
            assertThat(decoded.encode()).isEqualTo(input);
        });
    }
}
