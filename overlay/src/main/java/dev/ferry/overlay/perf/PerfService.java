package dev.ferry.overlay.perf;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The perf client, and the server when enabled. The server is off by default: it sends whatever
 * a client asks for, which only a node set up for measurement should do.
 */
public final class PerfService {
    /**
     * @param serve whether to answer {@code /perf/1.0.0} streams ({@code --enable-perf})
     */
    public PerfService(Host host, boolean serve) {
        if (serve) host.setProtocolHandler(PerfProtocol.PROTOCOL_ID, stream -> stream.setReceiver(new Server()));
    }

    /** Uploads {@code uploadBytes}, asks for {@code downloadBytes}, and measures both phases. */
    public CompletableFuture<PerfResult> run(Connection connection, long uploadBytes, long downloadBytes) {
        if (uploadBytes < 0 || downloadBytes < 0) throw new IllegalArgumentException("byte counts must not be negative");
        return connection.newStream(PerfProtocol.PROTOCOL_ID).thenCompose(stream -> {
            Client client = new Client(uploadBytes, downloadBytes);
            stream.setReceiver(client);
            client.start = System.nanoTime();
            stream.write(ByteBufAllocator.DEFAULT.buffer(PerfProtocol.HEADER_LENGTH).writeLong(downloadBytes));
            ZeroSender.send(stream, uploadBytes).whenComplete((v, e) -> {
                if (e != null) client.result.completeExceptionally(e);
            });
            return client.result;
        });
    }

    private static final class Client implements StreamReceiver {
        final CompletableFuture<PerfResult> result = new CompletableFuture<>();
        private final long uploadBytes;
        private final long downloadBytes;
        long start;
        private long firstByte;
        private long received;

        Client(long uploadBytes, long downloadBytes) {
            this.uploadBytes = uploadBytes;
            this.downloadBytes = downloadBytes;
        }

        @Override
        public void onData(Stream stream, ByteBuf data) {
            if (received == 0) firstByte = System.nanoTime();
            received += data.readableBytes();
            if (received > downloadBytes) {
                result.completeExceptionally(new OverlayException("server sent " + received + " bytes, more than the "
                        + downloadBytes + " asked for"));
                stream.reset();
            }
        }

        @Override
        public void onRemoteClosed(Stream stream) {
            long end = System.nanoTime();
            if (received != downloadBytes) {
                result.completeExceptionally(new OverlayException("server sent " + received + " bytes, expected " + downloadBytes));
                return;
            }
            long uploadEnd = received == 0 ? end : firstByte;
            result.complete(new PerfResult(uploadBytes, downloadBytes,
                    Duration.ofNanos(uploadEnd - start), Duration.ofNanos(end - uploadEnd)));
        }

        @Override
        public void onClosed(Stream stream, Throwable cause) {
            if (!result.isDone()) {
                result.completeExceptionally(cause != null ? cause : new OverlayException("perf stream closed early"));
            }
        }
    }

    /** Reads the requested size, drains the upload, then sends. */
    private static final class Server implements StreamReceiver {
        private final byte[] header = new byte[PerfProtocol.HEADER_LENGTH];
        private int headerFill;

        @Override
        public void onData(Stream stream, ByteBuf data) {
            if (headerFill < header.length) {
                int n = Math.min(header.length - headerFill, data.readableBytes());
                data.readBytes(header, headerFill, n);
                headerFill += n;
            }
            // the rest is upload, counted only by the client
        }

        @Override
        public void onRemoteClosed(Stream stream) {
            if (headerFill < header.length) {
                stream.reset();
                return;
            }
            long requested = java.nio.ByteBuffer.wrap(header).getLong();
            if (requested < 0) {
                stream.reset();
                return;
            }
            ZeroSender.send(stream, requested);
        }
    }
}
