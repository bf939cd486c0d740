package dev.ferry.store;

import java.util.HexFormat;

/** Checks and prints the byte-array ids of this package; ids are public names, never secrets. */
final class IdBytes {
    /** How many leading bytes {@code toString} shows: enough to tell ids apart in a log line. */
    private static final int SHOWN_BYTES = 6;

    private IdBytes() {}

    static byte[] exact(String what, byte[] bytes, int length) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException(
                    what + " must be " + length + " bytes, got " + (bytes == null ? "null" : bytes.length));
        }
        return bytes.clone();
    }

    static byte[] bounded(String what, byte[] bytes, int maxLength) {
        if (bytes == null || bytes.length == 0 || bytes.length > maxLength) {
            throw new IllegalArgumentException(what + " must be 1.." + maxLength + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return bytes.clone();
    }

    static String show(String what, byte[] bytes) {
        int shown = Math.min(SHOWN_BYTES, bytes.length);
        return what + "[" + HexFormat.of().formatHex(bytes, 0, shown) + (shown < bytes.length ? "…" : "") + "]";
    }
}
