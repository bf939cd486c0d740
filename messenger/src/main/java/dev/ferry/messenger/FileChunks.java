package dev.ferry.messenger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.messenger.proto.DeliveryProto;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Files sent 1:1, cut into {@code FILE_CHUNK} messages and joined back. The pieces travel as
 * ordinary messages of the conversation, so they inherit everything messages have: end-to-end
 * encryption, exactly-once delivery in order, mailboxes for a recipient who is away, and
 * acknowledgements. Because delivery is in order, the last piece arriving means every piece
 * before it is in the conversation too.
 */
final class FileChunks {
    /** Largest file: 64 MiB, about 260 envelopes, well within a holder's per-mailbox share when spread over six. */
    static final long MAX_FILE_BYTES = 64L << 20;
    /**
     * Bytes of file per piece unless the node's largest envelope is smaller: 256 KiB keeps each
     * envelope (and each of its shards) small next to a holder's limits, at the cost of more envelopes.
     */
    static final int PIECE_BYTES = 256 * 1024;
    /** Longest name kept, in UTF-8 bytes: a file name, not a document. */
    static final int MAX_NAME_BYTES = 255;
    /** Room for a piece's fields other than its data: ids, counts, a name of up to {@link #MAX_NAME_BYTES}, a media type, a hash. */
    static final int HEADER_ROOM = 1024;
    /**
     * Most pieces a file is cut into: the largest file in the smallest pieces {@link #pieceBytes}
     * allows (1 KiB). A piece claiming more is refused, so that joining never sets aside room for
     * pieces that cannot exist.
     */
    static final int MAX_PIECES = (int) (MAX_FILE_BYTES / 1024);
    private static final int FILE_ID_BYTES = 16;
    private static final int MAX_MEDIA_TYPE_LENGTH = 127;

    private FileChunks() {}

    /** How many bytes of file go in one piece for a node whose largest message body is {@code maxBody}. */
    static int pieceBytes(int maxBody) {
        int room = maxBody - HEADER_ROOM;
        if (room < 1024) throw new IllegalArgumentException("this node's largest envelope is too small to carry a file");
        return Math.min(PIECE_BYTES, room);
    }

    /**
     * Cuts {@code content} into pieces of at most {@code pieceBytes}.
     *
     * @throws IllegalArgumentException if the file is too large or its name unusable, with a one-line reason
     */
    static List<byte[]> split(String name, String mediaType, byte[] content, int pieceBytes, SecureRandom random) {
        if (content.length > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("a file has at most " + (MAX_FILE_BYTES >> 20) + " MiB; this one has " + content.length + " bytes");
        }
        String cleanName = cleanName(name);
        String type = mediaType == null || mediaType.isBlank() ? "application/octet-stream" : mediaType.strip();
        if (type.length() > MAX_MEDIA_TYPE_LENGTH || type.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("'" + type + "' is not a media type");
        }
        byte[] id = new byte[FILE_ID_BYTES];
        random.nextBytes(id);
        byte[] hash = sha256(content);
        int count = Math.max(1, (content.length + pieceBytes - 1) / pieceBytes);
        List<byte[]> pieces = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * pieceBytes;
            int to = Math.min(content.length, from + pieceBytes);
            pieces.add(DeliveryProto.FileChunk.newBuilder()
                    .setFileId(ByteString.copyFrom(id)).setIndex(i).setCount(count).setSize(content.length)
                    .setName(cleanName).setMediaType(type).setSha256(ByteString.copyFrom(hash))
                    .setData(ByteString.copyFrom(content, from, to - from))
                    .build().toByteArray());
        }
        return pieces;
    }

    /**
     * A file name as a hint only: its last path segment, without control characters, at most
     * {@link #MAX_NAME_BYTES} bytes; never empty.
     */
    static String cleanName(String name) {
        String base = name == null ? "" : name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        StringBuilder clean = new StringBuilder();
        base.codePoints().filter(c -> !Character.isISOControl(c)).forEach(clean::appendCodePoint);
        String result = clean.toString().strip();
        if (result.isEmpty() || result.equals(".") || result.equals("..")) result = "file";
        while (result.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            result = result.substring(0, result.offsetByCodePoints(result.length(), -1));
        }
        return result;
    }

    /** A piece, decoded; empty if the bytes are not one (a buggy or hostile sender). */
    static Optional<DeliveryProto.FileChunk> decode(byte[] body) {
        try {
            DeliveryProto.FileChunk chunk = DeliveryProto.FileChunk.parseFrom(body);
            // index, count and size are unsigned on the wire: compared unsigned, so that a huge one is not taken as negative
            if (chunk.getFileId().size() != FILE_ID_BYTES || chunk.getCount() < 1 || chunk.getCount() > MAX_PIECES
                    || Integer.compareUnsigned(chunk.getIndex(), chunk.getCount()) >= 0
                    || Long.compareUnsigned(chunk.getSize(), MAX_FILE_BYTES) > 0 || chunk.getSha256().size() != 32) {
                return Optional.empty();
            }
            return Optional.of(chunk);
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    /** The piece with its data dropped: what the sender keeps in its own conversation. */
    static byte[] withoutData(byte[] piece) {
        return decode(piece).map(c -> c.toBuilder().clearData().build().toByteArray()).orElse(piece);
    }

    static boolean isLast(DeliveryProto.FileChunk chunk) {
        return chunk.getIndex() == chunk.getCount() - 1;
    }

    static FileInfo info(DeliveryProto.FileChunk chunk) {
        return new FileInfo(FileInfo.idText(chunk.getFileId().toByteArray()), chunk.getName(), chunk.getMediaType(), chunk.getSize(),
                chunk.getCount());
    }

    /**
     * Joins the pieces of one file, in any order, checking that they are all there, agree with
     * each other and hash to what the sender said.
     *
     * @throws IllegalStateException naming what is wrong
     */
    static byte[] join(List<DeliveryProto.FileChunk> pieces) {
        if (pieces.isEmpty()) throw new IllegalStateException("no piece of the file is here");
        DeliveryProto.FileChunk first = pieces.getFirst();
        DeliveryProto.FileChunk[] byIndex = new DeliveryProto.FileChunk[first.getCount()];
        for (DeliveryProto.FileChunk p : pieces) {
            if (!p.getFileId().equals(first.getFileId()) || p.getCount() != first.getCount() || p.getSize() != first.getSize()
                    || !p.getSha256().equals(first.getSha256())) {
                throw new IllegalStateException("the pieces of the file disagree");
            }
            byIndex[p.getIndex()] = p;
        }
        long total = 0;
        for (int i = 0; i < byIndex.length; i++) {
            if (byIndex[i] == null) throw new IllegalStateException("piece " + (i + 1) + " of " + byIndex.length + " of the file is missing");
            total += byIndex[i].getData().size();
        }
        if (total != first.getSize()) throw new IllegalStateException("the pieces hold " + total + " bytes, the file " + first.getSize());
        byte[] content = new byte[(int) total];
        int at = 0;
        for (DeliveryProto.FileChunk p : byIndex) {
            p.getData().copyTo(content, at);
            at += p.getData().size();
        }
        if (!Arrays.equals(sha256(content), first.getSha256().toByteArray())) {
            throw new IllegalStateException("the file does not match the hash its sender gave");
        }
        return content;
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
