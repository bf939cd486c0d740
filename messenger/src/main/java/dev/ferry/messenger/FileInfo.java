package dev.ferry.messenger;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A file in a conversation, as the sender described it.
 *
 * @param id names the file (16 random bytes, hex)
 * @param name the sender's file name, without a directory; a hint, never a path to write to
 * @param mediaType the sender's media type; a hint
 * @param size the file's length in bytes
 * @param chunks how many messages carry it
 */
public record FileInfo(String id, String name, String mediaType, long size, int chunks) {
    /** Checks the fields. */
    public FileInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mediaType, "mediaType");
        if (size < 0 || chunks < 1) throw new IllegalArgumentException("size " + size + ", chunks " + chunks);
    }

    static String idText(byte[] id) {
        return HexFormat.of().formatHex(id);
    }
}
