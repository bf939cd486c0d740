package dev.ferry.crypto.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.SeededProperty;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MultibaseTest {
    /** RFC 4648 section 10 vectors, lower case and unpadded as multibase writes them. */
    @ParameterizedTest(name = "\"{0}\" is {1}")
    @CsvSource({
        "'', b",
        "f, bmy",
        "fo, bmzxq",
        "foo, bmzxw6",
        "foob, bmzxw6yq",
        "fooba, bmzxw6ytb",
        "foobar, bmzxw6ytboi",
    })
    void base32MatchesRfc4648(String data, String text) {
        byte[] bytes = data.getBytes(StandardCharsets.US_ASCII);

        assertThat(Multibase.encodeBase32(bytes)).isEqualTo(text);
        assertThat(Multibase.decode(text)).isEqualTo(bytes);
    }

    @Test
    void upperCaseBase32IsAccepted() {
        assertThat(Multibase.decode("BMZXW6YTBOI")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void base16AndBase58AreAccepted() {
        assertThat(Multibase.decode("f666f6f")).isEqualTo("foo".getBytes(StandardCharsets.US_ASCII));
        assertThat(Multibase.decode("F666F6F")).isEqualTo("foo".getBytes(StandardCharsets.US_ASCII));
        assertThat(Multibase.decode("z2NEpo7TZRRrLZSi2U")).isEqualTo("Hello World!".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void emptyTextIsRefused() {
        assertThatThrownBy(() -> Multibase.decode("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("multibase text is empty");
    }

    @Test
    void unknownPrefixIsRefusedNamingIt() {
        assertThatThrownBy(() -> Multibase.decode("mZm9v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported multibase prefix 'm'");
    }

    @Test
    void base32CharacterOutsideTheAlphabetIsRefusedNamingIt() {
        assertThatThrownBy(() -> Multibase.decode("bmzx1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid base32 character '1' at position 4");
    }

    @Test
    void base32WithNonZeroPaddingBitsIsRefused() {
        // "my" is "f"; "mz" sets one of the two padding bits.
        assertThatThrownBy(() -> Multibase.decode("bmz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("base32 text has non-zero padding bits");
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource({"ba, 1", "bmzx, 3", "bmzxw6y, 6", "bmzxw6ytba, 9"})
    void base32OfAnImpossibleLengthIsRefused(String text, int length) {
        // One, three or six characters over a multiple of eight cannot come from whole bytes.
        assertThatThrownBy(() -> Multibase.decode(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("base32 text has an impossible length " + length);
    }

    @Test
    void invalidBase16IsRefused() {
        assertThatThrownBy(() -> Multibase.decode("f6")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid base16 text");
    }

    @Test
    void randomBytesRoundTripThroughBase32() {
        SeededProperty.forAll(2_000, random -> {
            byte[] data = SeededProperty.bytes(random, random.nextInt(50));
            String text = Multibase.encodeBase32(data);

            assertThat(Multibase.decode(text)).isEqualTo(data);
            assertThat(Multibase.decode(text.toUpperCase())).isEqualTo(data);
        });
    }

    @Test
    void base32DecodingIsOneToOne() {
        SeededProperty.forAll(5_000, random -> {
            StringBuilder text = new StringBuilder("b");
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) text.append("abcdefghijklmnopqrstuvwxyz234567".charAt(random.nextInt(32)));
            byte[] decoded;
            try {
                decoded = Multibase.decode(text.toString());
            } catch (IllegalArgumentException refused) {
                return;
            }
            assertThat(Multibase.encodeBase32(decoded)).isEqualTo(text.toString());
        });
    }
}
