package dev.ferry.crypto.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.SeededProperty;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Base58Test {
    private static final HexFormat HEX = HexFormat.of();

    /** Vectors of the base58 draft (draft-msporny-base58) and the edges of leading zeros. */
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "48656c6c6f20576f726c6421, 2NEpo7TZRRrLZSi2U",
        "0000287fb4cd, 11233QC4",
        "54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e,"
                + " USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
        "00, 1",
        "0000, 11",
        "00ff, 15Q",
        "39, z",
        "3a, 21",
        "ffffffffffffffff, jpXCZedGfVQ",
    })
    void encodesAndDecodesKnownVectors(String hex, String text) {
        assertThat(Base58.encode(HEX.parseHex(hex))).isEqualTo(text);
        assertThat(HEX.formatHex(Base58.decode(text))).isEqualTo(hex);
    }

    @Test
    void emptyIsEmpty() {
        assertThat(Base58.encode(new byte[0])).isEmpty();
        assertThat(Base58.decode("")).isEmpty();
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @CsvSource({"0, 0", "O, O", "I, I", "l, l", "+, +", "é, é"})
    void charactersOutsideTheAlphabetAreRefused(String text, char bad) {
        assertThatThrownBy(() -> Base58.decode("2N" + text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid base58 character '" + bad + "' at position 2");
    }

    @Test
    void encodingDoesNotChangeItsInput() {
        byte[] input = HEX.parseHex("0000287fb4cd");
        Base58.encode(input);

        assertThat(HEX.formatHex(input)).isEqualTo("0000287fb4cd");
    }

    @Test
    void randomBytesRoundTripKeepingLeadingZeros() {
        SeededProperty.forAll(2_000, random -> {
            byte[] data = SeededProperty.bytes(random, random.nextInt(60));
            int zeros = Math.min(random.nextInt(4), data.length);
            for (int i = 0; i < zeros; i++) data[i] = 0;
            String text = Base58.encode(data);

            assertThat(Base58.decode(text)).isEqualTo(data);
            assertThat(text).doesNotContain("0", "O", "I", "l");
        });
    }
}
