package dev.ferry.messenger;

import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

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

    /** The file a received message completes: present for a file's last piece only. */
    public static Optional<FileInfo> of(ReceivedMessage message) {
        if (message.type() != dev.ferry.crypto.envelope.ContentType.FILE_CHUNK) return Optional.empty();
        return FileChunks.decode(message.body()).filter(FileChunks::isLast).map(FileChunks::info);
    }

    static String idText(byte[] id) {
        return HexFormat.of().formatHex(id);
    }
}
