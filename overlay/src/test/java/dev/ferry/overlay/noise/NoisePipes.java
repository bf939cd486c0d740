package dev.ferry.overlay.noise;

import dev.ferry.overlay.ChannelBytes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test fixture: connects two {@link EmbeddedChannel}s by moving what one writes into the other,
 * re-chunked the way TCP may deliver it.
 */
final class NoisePipes {
    /** How written bytes are cut into reads on the other side. */
    enum Chunking {
        /** One read per write. */
        AS_WRITTEN,
        /** Every byte its own read. */
        ONE_BYTE,
        /** Random cuts across frame boundaries, alternating heap and direct buffers. */
        RANDOM,
        /** Everything written so far in one read. */
        COALESCED,
    }

    private NoisePipes() {}

    /** Moves bytes both ways until neither side writes anything more. */
    static void pumpUntilQuiet(EmbeddedChannel a, EmbeddedChannel b, Chunking chunking, Random random) {
        while (transfer(a, b, chunking, random) + transfer(b, a, chunking, random) > 0) {
            // keep going: each side may answer what it just read
        }
    }

    /** Moves what {@code from} wrote into {@code to}; returns the number of bytes moved. */
    static int transfer(EmbeddedChannel from, EmbeddedChannel to, Chunking chunking, Random random) {
        List<byte[]> writes = new ArrayList<>();
        for (ByteBuf buf; (buf = from.readOutbound()) != null; ) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            writes.add(bytes);
        }
        int total = writes.stream().mapToInt(w -> w.length).sum();
        if (total == 0 || !to.isOpen()) return total;
        switch (chunking) {
            case AS_WRITTEN -> writes.forEach(w -> deliver(to, w, 0, w.length, false));
            case COALESCED -> {
                byte[] all = concat(writes);
                deliver(to, all, 0, all.length, false);
            }
            case ONE_BYTE -> {
                byte[] all = concat(writes);
                for (int i = 0; i < all.length && to.isOpen(); i++) deliver(to, all, i, 1, false);
            }
            case RANDOM -> {
                byte[] all = concat(writes);
                boolean direct = false;
                for (int i = 0; i < all.length && to.isOpen(); ) {
                    int n = Math.min(all.length - i, 1 + random.nextInt(random.nextBoolean() ? 40 : 90_000));
                    deliver(to, all, i, n, direct = !direct);
                    i += n;
                }
            }
        }
        return total;
    }

    private static void deliver(EmbeddedChannel to, byte[] bytes, int offset, int length, boolean direct) {
        ByteBuf buf = direct ? to.alloc().directBuffer(length) : to.alloc().heapBuffer(length);
        buf.writeBytes(bytes, offset, length);
        to.writeInbound(buf);
    }

    /** Everything that reached the end of {@code channel}'s inbound pipeline, concatenated. */
    static byte[] readAllInbound(EmbeddedChannel channel) {
        return ChannelBytes.drainInbound(channel);
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
