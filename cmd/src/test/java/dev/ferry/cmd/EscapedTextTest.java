package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** How {@code ferry pubsub sub} shows message data: one line, nothing hidden, reversible. */
class EscapedTextTest {
    private static String of(String text) {
        return EscapedText.of(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void printableUtf8IsPrintedAsIs() {
        assertThat(of("hello, wörld € 😀")).isEqualTo("hello, wörld € 😀");
        assertThat(EscapedText.of(new byte[0])).isEmpty();
    }

    @Test
    void lineBreaksTabsAndBackslashesAreEscaped() {
        assertThat(of("two\nlines\r\n\tand a \\ backslash")).isEqualTo("two\\nlines\\r\\n\\tand a \\\\ backslash");
    }

    @Test
    void otherControlAndInvisibleCharactersAreEscapedByCodePoint() {
        assertThat(of("a\u0000b\u001bc\u007fd\u202ee\u2028f\u200dg")).isEqualTo(
                "a\\u{0}b\\u{1b}c\\u{7f}d\\u{202e}e\\u{2028}f\\u{200d}g");
    }

    @Test
    void bytesThatAreNotUtf8AreEscapedOneByOneAndTheRestStillDecodes() {
        // a lone continuation byte, a stray 0xff, a truncated € (e2 82) before A, and a truncated end
        byte[] bytes = HexFormat.of().parseHex("41" + "80" + "ff" + "e282ac" + "e282" + "41" + "f09f98");
        assertThat(EscapedText.of(bytes)).isEqualTo("A\\x80\\xff€\\xe2\\x82A\\xf0\\x9f\\x98");
    }

    @Test
    void encodedSurrogatesAreNotUtf8() {
        assertThat(EscapedText.of(HexFormat.of().parseHex("eda080"))).isEqualTo("\\xed\\xa0\\x80");
    }
}
