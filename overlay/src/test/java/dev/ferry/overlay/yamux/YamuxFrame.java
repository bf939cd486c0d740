package dev.ferry.overlay.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: one yamux frame header as seen on the wire, written by hand for the cases a
 * well-behaved session never produces, and read back from what a session wrote.
 *
 * @param length payload length for data, window delta, ping opaque value or GoAway code
 */
record YamuxFrame(int version, int type, int flags, int streamId, long length) {
    static final int DATA = YamuxProtocol.TYPE_DATA;
    static final int WINDOW_UPDATE = YamuxProtocol.TYPE_WINDOW_UPDATE;
    static final int PING = YamuxProtocol.TYPE_PING;
    static final int GO_AWAY = YamuxProtocol.TYPE_GO_AWAY;
    static final int SYN = YamuxProtocol.FLAG_SYN;
    static final int ACK = YamuxProtocol.FLAG_ACK;
    static final int FIN = YamuxProtocol.FLAG_FIN;
    static final int RST = YamuxProtocol.FLAG_RST;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** A header with no payload. */
    static ByteBuf header(int version, int type, int flags, int streamId, long length) {
        return Unpooled.buffer(YamuxProtocol.HEADER_LENGTH)
                .writeByte(version)
                .writeByte(type)
                .writeShort(flags)
                .writeInt(streamId)
                .writeInt((int) length);
    }

    static ByteBuf windowUpdate(int flags, int streamId, long delta) {
        return header(YamuxProtocol.VERSION, WINDOW_UPDATE, flags, streamId, delta);
    }

    /** A data frame whose length field matches {@code payload}. */
    static ByteBuf data(int flags, int streamId, byte[] payload) {
        return Unpooled.wrappedBuffer(header(YamuxProtocol.VERSION, DATA, flags, streamId, payload.length),
                Unpooled.wrappedBuffer(payload));
    }

    static ByteBuf ping(int flags, int opaque) {
        return header(YamuxProtocol.VERSION, PING, flags, 0, opaque & 0xFFFFFFFFL);
    }

    /** Every frame in {@code bytes}, which must hold whole frames only (payloads are skipped). */
    static List<YamuxFrame> decodeAll(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        List<YamuxFrame> frames = new ArrayList<>();
        while (in.isReadable()) {
            if (in.readableBytes() < YamuxProtocol.HEADER_LENGTH) {
                throw new AssertionError("a partial frame header was written: " + in.readableBytes() + " bytes");
            }
            YamuxFrame frame = new YamuxFrame(in.readUnsignedByte(), in.readUnsignedByte(), in.readUnsignedShort(),
                    in.readInt(), in.readUnsignedInt());
            if (frame.type == DATA) {
                if (in.readableBytes() < frame.length) throw new AssertionError("a partial data frame was written: " + frame);
                in.skipBytes((int) frame.length);
            }
            frames.add(frame);
        }
        return frames;
    }
}
