package dev.ferry.overlay.multistream;

import dev.ferry.overlay.framing.LengthPrefixed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Frames multistream-select messages: {@code uvarint(length) utf8(message) '\n'}, where the
 * length counts the newline.
 */
public final class MultistreamCodec {
    private MultistreamCodec() {}

    /** Encodes {@code messages} back to back into one buffer (pipelining is allowed). */
    public static ByteBuf encode(ByteBufAllocator alloc, String... messages) {
        ByteBuf out = alloc.buffer();
        for (String message : messages) {
            byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
            LengthPrefixed.writeVarint(out, bytes.length);
            out.writeBytes(bytes);
        }
        return out;
    }

    /**
     * Reads one whole message from {@code in}, without its newline; returns null and leaves
     * {@code in} untouched when the message is not complete yet.
     *
     * @throws MultistreamException when the message is oversized or lacks its newline
     */
    public static String read(ByteBuf in) {
        int start = in.readerIndex();
        long length = 0;
        int shift = 0;
        int i = start;
        while (true) {
            if (i >= in.writerIndex()) return null;
            int b = in.getByte(i++) & 0xFF;
            length |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
            shift += 7;
            if (shift > 14) throw new MultistreamException("multistream message length varint too long");
        }
        if (length > MultistreamProtocol.MAX_MESSAGE_LENGTH) {
            throw new MultistreamException("multistream message of " + length + " bytes exceeds "
                    + MultistreamProtocol.MAX_MESSAGE_LENGTH);
        }
        if (length == 0) throw new MultistreamException("empty multistream message");
        if (in.writerIndex() - i < length) return null;
        if (in.getByte(i + (int) length - 1) != '\n') {
            throw new MultistreamException("multistream message does not end with a newline");
        }
        String message = in.toString(i, (int) length - 1, StandardCharsets.UTF_8);
        in.readerIndex(i + (int) length);
        return message;
    }
}
