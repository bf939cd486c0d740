package dev.ferry.overlay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;

/** Test fixture: bytes out of Netty buffers and embedded channels, releasing what it reads. */
public final class ChannelBytes {
    private ChannelBytes() {}

    /** The readable bytes of {@code buf}; releases it. */
    public static byte[] take(ByteBuf buf) {
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** Everything {@code channel} has written and flushed (after running its pending tasks), concatenated. */
    public static byte[] drainOutbound(EmbeddedChannel channel) {
        channel.runPendingTasks();
        return drain(channel::readOutbound);
    }

    /** Everything that reached the end of {@code channel}'s inbound pipeline, concatenated. */
    public static byte[] drainInbound(EmbeddedChannel channel) {
        return drain(channel::readInbound);
    }

    private static byte[] drain(Supplier<ByteBuf> next) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf buf; (buf = next.get()) != null; ) out.writeBytes(take(buf));
        return out.toByteArray();
    }
}
