package dev.ferry.overlay.perf;

import dev.ferry.overlay.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a number of zero bytes to a stream, keeping {@link PerfProtocol#IN_FLIGHT} bytes queued:
 * enough that the stream never idles, bounded so that a slow reader stops us rather than our
 * queue growing. Every chunk is a view of one shared buffer, so sending costs no allocation.
 */
final class ZeroSender {
    private static final ByteBuf ZEROS =
            Unpooled.unreleasableBuffer(Unpooled.directBuffer(PerfProtocol.CHUNK).writeZero(PerfProtocol.CHUNK));

    private final Stream stream;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private long remaining;
    private long queued;

    private ZeroSender(Stream stream, long bytes) {
        this.stream = stream;
        this.remaining = bytes;
    }

    /** Sends {@code bytes} zeros, then closes the write side; completes when the close is sent. */
    static CompletableFuture<Void> send(Stream stream, long bytes) {
        ZeroSender sender = new ZeroSender(stream, bytes);
        sender.pump();
        return sender.done;
    }

    private void pump() {
        while (!done.isDone() && remaining > 0 && queued < PerfProtocol.IN_FLIGHT) {
            int n = (int) Math.min(PerfProtocol.CHUNK, remaining);
            remaining -= n;
            queued += n;
            stream.write(ZEROS.duplicate().setIndex(0, n)).whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                    return;
                }
                queued -= n;
                pump();
            });
        }
        if (remaining == 0 && queued == 0 && !done.isDone()) {
            stream.closeWrite().whenComplete((v, e) -> {
                if (e != null) done.completeExceptionally(e);
                else done.complete(null);
            });
        }
    }
}
