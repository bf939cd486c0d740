package dev.ferry.overlay.framing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Writes the unsigned-varint length prefix that libp2p protocols put before each message. */
public final class LengthPrefixed {
    private LengthPrefixed() {}

    /** {@code uvarint(length) message} in one buffer. */
    public static ByteBuf encode(ByteBufAllocator alloc, byte[] message) {
        ByteBuf out = alloc.buffer(message.length + 5);
        writeVarint(out, message.length);
        out.writeBytes(message);
        return out;
    }

    /** Writes {@code value} as an unsigned varint (multistream-select frames its messages the same way). */
    public static void writeVarint(ByteBuf out, int value) {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }
}
