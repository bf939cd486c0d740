package dev.ferry.overlay.ping;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Serves and sends pings. Round trips are measured with {@link System#nanoTime()}. */
public final class PingService {
    private final SecureRandom random = new SecureRandom();

    public PingService(Host host) {
        host.setProtocolHandler(PingProtocol.PROTOCOL_ID, stream -> stream.setReceiver(new Echo()));
    }

    /** Sends {@code count} pings one after another on one stream; completes with each round trip. */
    public CompletableFuture<List<Duration>> ping(Connection connection, int count) {
        if (count < 1) throw new IllegalArgumentException("count must be at least 1");
        return connection.newStream(PingProtocol.PROTOCOL_ID).thenCompose(stream -> {
            Pinger pinger = new Pinger(stream, count);
            stream.setReceiver(pinger);
            pinger.sendNext();
            return pinger.result;
        });
    }

    /** Echoes 32-byte payloads; stops reading while an echo waits to be written. */
    private static final class Echo implements StreamReceiver {
        private final byte[] partial = new byte[PingProtocol.PAYLOAD_LENGTH];
        private int fill;

        @Override
        public void onData(Stream stream, ByteBuf data) {
            while (data.isReadable()) {
                int n = Math.min(PingProtocol.PAYLOAD_LENGTH - fill, data.readableBytes());
                data.readBytes(partial, fill, n);
                fill += n;
                if (fill == PingProtocol.PAYLOAD_LENGTH) {
                    fill = 0;
                    stream.pauseReading();
                    stream.write(Unpooled.wrappedBuffer(partial.clone())).whenComplete((v, e) -> {
                        if (e == null) stream.resumeReading();
                    });
                }
            }
        }

        @Override
        public void onRemoteClosed(Stream stream) {
            stream.closeWrite();
        }
    }

    private final class Pinger implements StreamReceiver {
        private final Stream stream;
        private final int count;
        private final List<Duration> rtts = new ArrayList<>();
        private final CompletableFuture<List<Duration>> result = new CompletableFuture<>();
        private final byte[] received = new byte[PingProtocol.PAYLOAD_LENGTH];
        private byte[] sent;
        private int fill;
        private long sentAt;

        Pinger(Stream stream, int count) {
            this.stream = stream;
            this.count = count;
        }

        void sendNext() {
            sent = new byte[PingProtocol.PAYLOAD_LENGTH];
            random.nextBytes(sent);
            sentAt = System.nanoTime();
            stream.write(ByteBufAllocator.DEFAULT.buffer(sent.length).writeBytes(sent));
        }

        @Override
        public void onData(Stream s, ByteBuf data) {
            while (data.isReadable() && !result.isDone()) {
                int n = Math.min(PingProtocol.PAYLOAD_LENGTH - fill, data.readableBytes());
                data.readBytes(received, fill, n);
                fill += n;
                if (fill < PingProtocol.PAYLOAD_LENGTH) return;
                fill = 0;
                if (!Arrays.equals(sent, received)) {
                    result.completeExceptionally(new OverlayException("ping answer does not match what was sent"));
                    stream.reset();
                    return;
                }
                rtts.add(Duration.ofNanos(System.nanoTime() - sentAt));
                if (rtts.size() == count) {
                    result.complete(List.copyOf(rtts));
                    stream.closeWrite();
                } else {
                    sendNext();
                }
            }
        }

        @Override
        public void onRemoteClosed(Stream s) {
            if (!result.isDone()) result.completeExceptionally(new OverlayException("remote closed the ping stream"));
        }

        @Override
        public void onClosed(Stream s, Throwable cause) {
            if (!result.isDone()) result.completeExceptionally(cause != null ? cause : new OverlayException("ping stream closed"));
        }
    }
}
