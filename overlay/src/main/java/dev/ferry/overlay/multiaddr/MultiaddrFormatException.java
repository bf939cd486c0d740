package dev.ferry.overlay.multiaddr;

/**
 * A multiaddr, in text or binary, is malformed, unsupported or too large; or it is not of the form
 * an operation needs. The message is one line saying what is wrong, fit to show a user.
 */
public final class MultiaddrFormatException extends IllegalArgumentException {
    /** Input quoted in a message is cut to this many characters, so a message stays one short line. */
    private static final int MAX_QUOTED_LENGTH = 80;

    public MultiaddrFormatException(String message) {
        super(message);
    }

    /**
     * {@code text} in double quotes for a message: control characters and quotes escaped, so
     * hostile input cannot forge lines in a log, and long input cut short.
     */
    static String quote(String text) {
        return '"' + escape(text, MAX_QUOTED_LENGTH) + '"';
    }

    /**
     * {@code text} with control characters, quotes and surrogates escaped, cut to {@code max}
     * characters; for messages of other components that may repeat the input.
     */
    static String escape(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 3);
        int end = Math.min(text.length(), max);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (end < text.length()) out.append("...");
        return out.toString();
    }
}
