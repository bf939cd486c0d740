package dev.ferry.overlay.host;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Test fixture: a protocol that sends back every byte it receives and closes when the remote
 * does. The server stops reading while an echo waits for window, so it holds at most one chunk.
 */
final class EchoProtocol {
    static final String ID = "/ferry/test/echo/1.0.0";
    /** Bytes handed to the stream per write by {@link #roundTrip}. */
    private static final int CHUNK = 1024 * 1024;

    private EchoProtocol() {}

    static void serve(Host host) {
        serve(host, ID);
    }

    static void serve(Host host, String protocolId) {
        host.setProtocolHandler(protocolId, stream -> stream.setReceiver(new Server()));
    }

    /** Opens an echo stream on {@code connection}, sends {@code payload}, and completes with what came back. */
    static CompletableFuture<byte[]> roundTrip(Connection connection, byte[] payload) {
        return connection.newStream(ID).thenCompose(stream -> roundTrip(stream, payload));
    }

    static CompletableFuture<byte[]> roundTrip(Stream stream, byte[] payload) {
        Client client = new Client(payload.length);
        stream.setReceiver(client);
        CompletableFuture<Void> writing = CompletableFuture.completedFuture(null);
        for (int offset = 0; offset < payload.length; offset += CHUNK) {
            ByteBuf chunk = Unpooled.wrappedBuffer(payload, offset, Math.min(CHUNK, payload.length - offset));
            writing = writing.thenCompose(v -> stream.write(chunk));
        }
        writing.thenCompose(v -> stream.closeWrite()).whenComplete((v, e) -> {
            if (e != null) client.result.completeExceptionally(e);
        });
        return client.result;
    }

    private static final class Server implements StreamReceiver {
        @Override
        public void onData(Stream stream, ByteBuf data) {
            stream.pauseReading();
            stream.write(data.retain()).whenComplete((v, e) -> {
                if (e == null) stream.resumeReading();
                else stream.reset();
            });
        }

        @Override
        public void onRemoteClosed(Stream stream) {
            stream.closeWrite();
        }
    }

    private static final class Client implements StreamReceiver {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final int expected;
        private final ByteArrayOutputStream received;

        Client(int expected) {
            this.expected = expected;
            this.received = new ByteArrayOutputStream(expected);
        }

        @Override
        public void onData(Stream stream, ByteBuf data) {
            if (received.size() + data.readableBytes() > expected) {
                result.completeExceptionally(new OverlayException("echo sent back more than was sent"));
                stream.reset();
                return;
            }
            byte[] bytes = new byte[data.readableBytes()];
            data.readBytes(bytes);
            received.writeBytes(bytes);
        }

        @Override
        public void onRemoteClosed(Stream stream) {
            result.complete(received.toByteArray());
        }

        @Override
        public void onClosed(Stream stream, Throwable cause) {
            if (!result.isDone()) result.completeExceptionally(cause != null ? cause : new OverlayException("echo stream closed"));
        }
    }
}
