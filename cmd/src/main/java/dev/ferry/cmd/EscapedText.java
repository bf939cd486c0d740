package dev.ferry.cmd;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Bytes from the network as one line of text that hides nothing: UTF-8 printed as is, except
 * {@code \} as {@code \\}; newline, carriage return and tab as {@code \n}, {@code \r}, {@code \t};
 * any other control, format (bidi overrides, zero-width joiners) or line/paragraph separator
 * character as <code>&#92;u{HEX}</code>; and each byte that is not part of valid UTF-8 as {@code \xHH}.
 * The escaping is reversible, and the result never holds a line break.
 */
final class EscapedText {
    /** Says how bytes are shown, for the help of the commands that print them. */
    static final String HELP = "Data is printed as UTF-8 on one line: \\ as \\\\, newline, CR and tab as \\n \\r \\t, other "
            + "control and invisible format characters as \\u{HEX}, and bytes that are not UTF-8 as \\xHH.";

    private EscapedText() {}

    static String of(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 16);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chars = CharBuffer.allocate(Math.max(16, bytes.length));
        while (true) {
            CoderResult result = decoder.decode(in, chars, true);
            chars.flip();
            appendEscaped(chars, out);
            chars.clear();
            if (result.isError()) {
                // the bytes that are not UTF-8, shown as they are and skipped
                for (int i = 0; i < result.length(); i++) out.append(String.format(Locale.ROOT, "\\x%02x", in.get() & 0xff));
            } else if (result.isUnderflow()) {
                return out.toString(); // all decoded: at the end of input, an incomplete sequence is an error
            }
            // overflow cannot happen (a byte makes at most one char), and would only mean: decode on
        }
    }

    private static void appendEscaped(CharSequence text, StringBuilder out) {
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    int type = Character.getType(c);
                    if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                            || type == Character.PARAGRAPH_SEPARATOR) {
                        out.append("\\u{").append(Integer.toHexString(c)).append('}');
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
    }
}
