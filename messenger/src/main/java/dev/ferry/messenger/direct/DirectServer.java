package dev.ferry.messenger.direct;

import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.direct.DirectCodec.MalformedException;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@code /ferry/direct/1.0.0} on a host: reads one request per stream, hands the envelope
 * to the {@link DirectHandler} on the given executor (never on the event loop), and writes its
 * answer on the same stream. At most {@link DirectConfig#maxInboundPerPeer()} requests per peer
 * and {@link DirectConfig#maxInboundTotal()} in all are handled at once; the rest are answered
 * BUSY without reaching the handler. A frame over the size limit, bytes that are not a request or
 * a second request on a stream reset the stream and count in the metrics.
 */
public final class DirectServer implements AutoCloseable {
    private final Host host;
    private final DirectHandler handler;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final DirectConfig config;
    private final DirectMetrics metrics;
    private final Map<PeerId, Integer> inFlightPerPeer = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    private DirectServer(Host host, DirectHandler handler, Executor executor, ScheduledExecutorService scheduler, DirectConfig config,
            DirectMetrics metrics) {
        this.host = host;
        this.handler = handler;
        this.executor = executor;
        this.scheduler = scheduler;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Serves direct delivery on {@code host} with {@code handler}, called on {@code executor};
     * {@code scheduler} times out handlers that do not answer.
     */
    public static DirectServer register(Host host, DirectHandler handler, Executor executor, ScheduledExecutorService scheduler,
            DirectConfig config, DirectMetrics metrics) {
        DirectServer server = new DirectServer(Objects.requireNonNull(host, "host"), Objects.requireNonNull(handler, "handler"),
                Objects.requireNonNull(executor, "executor"), Objects.requireNonNull(scheduler, "scheduler"),
                Objects.requireNonNull(config, "config"), Objects.requireNonNull(metrics, "metrics"));
        host.setProtocolHandler(DirectProtocol.PROTOCOL_ID, stream -> stream.setReceiver(server.new InboundRequest()));
        return server;
    }

    /** Requests being handled now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Stops serving new streams; requests being handled still get their answer. */
    @Override
    public void close() {
        host.removeProtocolHandler(DirectProtocol.PROTOCOL_ID);
    }

    private boolean acquire(PeerId peer) {
        if (inFlight.incrementAndGet() > config.maxInboundTotal()) {
            inFlight.decrementAndGet();
            return false;
        }
        boolean[] granted = {false};
        inFlightPerPeer.compute(peer, (p, n) -> {
            int now = n == null ? 0 : n;
            if (now >= config.maxInboundPerPeer()) return n;
            granted[0] = true;
            return now + 1;
        });
        if (!granted[0]) inFlight.decrementAndGet();
        return granted[0];
    }

    private void release(PeerId peer) {
        inFlightPerPeer.computeIfPresent(peer, (p, n) -> n <= 1 ? null : n - 1);
        inFlight.decrementAndGet();
    }

    /** One inbound stream: one request, one answer. Frames bytes; the handler owns the state. */
    private final class InboundRequest extends MessageReceiver {
        private boolean received;

        InboundRequest() {
            super(DirectProtocol.MAX_REQUEST_SIZE);
        }

        @Override
        protected void onMessage(Stream stream, ByteBuf message) {
            if (received) {
                reset(stream); // one request per stream
                return;
            }
            received = true;
            DirectCodec.Request request;
            try {
                request = DirectCodec.decodeRequest(ByteBufUtil.getBytes(message));
            } catch (MalformedException e) {
                if (e.requestId().isEmpty()) {
                    reset(stream);
                } else {
                    answer(stream, e.requestId().get(), DirectAnswer.refused(DirectStatus.MALFORMED, e.getMessage()));
                }
                return;
            }
            PeerId from = stream.remotePeer();
            if (!acquire(from)) {
                answer(stream, request.requestId(), DirectAnswer.refused(DirectStatus.BUSY, "too many deliveries in progress"));
                return;
            }
            CompletableFuture<DirectAnswer> answer = new CompletableFuture<>();
            answer.whenComplete((a, failure) -> {
                release(from);
                answer(stream, request.requestId(), failure == null && a != null ? a
                        : DirectAnswer.refused(DirectStatus.INTERNAL_ERROR, failure instanceof TimeoutException ? "timed out" : "failed"));
            });
            try {
                ScheduledFuture<?> timeout = scheduler.schedule(() -> answer.completeExceptionally(new TimeoutException()),
                        config.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS);
                answer.whenComplete((a, e) -> timeout.cancel(false));
                executor.execute(() -> {
                    try {
                        handler.handle(from, request.header(), request.ciphertext()).whenComplete((a, e) -> {
                            if (e != null) answer.completeExceptionally(e);
                            else answer.complete(a);
                        });
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                answer.completeExceptionally(e);
            }
        }

        private void answer(Stream stream, long requestId, DirectAnswer answer) {
            metrics.answered(answer.status());
            stream.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, DirectCodec.encodeResponse(requestId, answer)))
                    .thenCompose(v -> stream.closeWrite())
                    .whenComplete((v, e) -> {
                        if (e != null) stream.reset();
                    });
        }

        @Override
        protected void onMalformed(Stream stream, String reason) {
            reset(stream);
        }

        private void reset(Stream stream) {
            metrics.inboundMalformed();
            stream.reset();
        }
    }

    @Override
    public String toString() {
        return "DirectServer[" + host.peerId() + ", " + inFlight.get() + " in flight]";
    }
}
