package dev.ferry.crypto.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.SeededProperty;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnsignedVarintTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The examples of multiformats/unsigned-varint, plus the limits. */
    @ParameterizedTest(name = "{0} encodes as {1}")
    @CsvSource({
        "0, 00",
        "1, 01",
        "127, 7f",
        "128, 8001",
        "255, ff01",
        "300, ac02",
        "16384, 808001",
        "9223372036854775807, ffffffffffffffff7f",
    })
    void encodesAndDecodesTheSpecExamples(long value, String hex) {
        assertThat(HEX.formatHex(UnsignedVarint.encode(value))).isEqualTo(hex);
        assertThat(UnsignedVarint.encodedLength(value)).isEqualTo(hex.length() / 2);
        assertThat(UnsignedVarint.decode(HEX.parseHex(hex), 0))
                .isEqualTo(new UnsignedVarint.Decoded(value, hex.length() / 2));
    }

    @Test
    void decodesAtAnOffsetAndIgnoresWhatFollows() {
        assertThat(UnsignedVarint.decode(HEX.parseHex("ffac02ff"), 1)).isEqualTo(new UnsignedVarint.Decoded(300, 2));
    }

    @Test
    void writesToAStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UnsignedVarint.write(1, out);
        UnsignedVarint.write(300, out);

        assertThat(HEX.formatHex(out.toByteArray())).isEqualTo("01ac02");
    }

    @ParameterizedTest(name = "{0} is not minimal")
    @CsvSource({"8000", "8100", "ff8000", "808000", "ffffffffffffffff00"})
    void nonMinimalEncodingIsRefused(String hex) {
        assertThatThrownBy(() -> UnsignedVarint.decode(HEX.parseHex(hex), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint is not minimally encoded");
    }

    @ParameterizedTest(name = "{0} is truncated")
    @CsvSource({"80", "ff", "8080", "ffffffffffffffff"})
    void inputEndingInsideAVarintIsRefused(String hex) {
        assertThatThrownBy(() -> UnsignedVarint.decode(HEX.parseHex(hex), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint is truncated");
    }

    @Test
    void emptyInputIsTruncated() {
        assertThatThrownBy(() -> UnsignedVarint.decode(new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint is truncated");
    }

    @Test
    void varintLongerThanNineBytesIsRefused() {
        assertThatThrownBy(() -> UnsignedVarint.decode(HEX.parseHex("ffffffffffffffff8001"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint is longer than 9 bytes");
    }

    @Test
    void negativeValuesCannotBeEncoded() {
        assertThatThrownBy(() -> UnsignedVarint.encode(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varint value is negative: -1");
        assertThatThrownBy(() -> UnsignedVarint.encode(Long.MIN_VALUE, new byte[16], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void intValueRefusesValuesAboveItsLimit() {
        assertThatThrownBy(() -> new UnsignedVarint.Decoded(129, 2).intValue(128, "digest length"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("digest length 129 exceeds 128");
        assertThat(new UnsignedVarint.Decoded(128, 2).intValue(128, "digest length")).isEqualTo(128);
    }

    @Test
    void everyNonNegativeLongRoundTrips() {
        SeededProperty.forAll(5_000, random -> {
            long value = (random.nextLong() >>> 1) >>> random.nextInt(63);
            byte[] encoded = UnsignedVarint.encode(value);

            assertThat(UnsignedVarint.decode(encoded, 0)).isEqualTo(new UnsignedVarint.Decoded(value, encoded.length));
            assertThat(encoded.length).isEqualTo(UnsignedVarint.encodedLength(value)).isLessThanOrEqualTo(9);
        });
    }

    @Test
    void randomBytesDecodeToTheirOwnEncodingOrAreRefused() {
        SeededProperty.forAll(5_000, random -> {
            byte[] input = SeededProperty.bytes(random, random.nextInt(12));
            UnsignedVarint.Decoded decoded;
            try {
                decoded = UnsignedVarint.decode(input, 0);
            } catch (IllegalArgumentException refused) {
                return;
            }
            // Anything accepted is the one minimal encoding of its value.
            assertThat(UnsignedVarint.encode(decoded.value()))
                    .isEqualTo(Arrays.copyOf(input, decoded.length()));
        });
    }
}
