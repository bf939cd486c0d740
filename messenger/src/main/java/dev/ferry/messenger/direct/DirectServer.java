package dev.ferry.messenger.direct;

import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.direct.DirectCodec.MalformedException;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.InOrderAnswers;
import dev.ferry.overlay.framing.LengthPrefixed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * Serves {@code /ferry/direct/1.0.0} on a host: reads the requests of each stream, hands each
 * envelope to the {@link DirectHandler} on the given executor (never on the event loop), and
 * writes the answers on the same stream, in order. At most {@link DirectConfig#maxInboundPerPeer()} requests per peer
 * and {@link DirectConfig#maxInboundTotal()} in all are handled at once; the rest are answered
 * BUSY without reaching the handler. A frame over the size limit, bytes that are not a request or
 * more than {@link DirectProtocol#MAX_QUEUED_REQUESTS_PER_STREAM} requests ahead of their answers
 * reset the stream and count in the metrics.
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
        host.setProtocolHandler(DirectProtocol.PROTOCOL_ID, stream -> stream.setReceiver(server.new InboundRequests()));
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

    /** A request as read: whole, or unreadable past its id (answered MALFORMED, not reset). */
    private sealed interface Incoming {
        record Readable(DirectCodec.Request request) implements Incoming {}

        record Unreadable(long requestId, String reason) implements Incoming {}
    }

    /**
     * One inbound stream: requests answered one at a time, in order ({@link InOrderAnswers} frames
     * them and bounds the read-ahead). The handler owns the state.
     */
    private final class InboundRequests extends InOrderAnswers<Incoming> {
        InboundRequests() {
            super(DirectProtocol.MAX_REQUEST_SIZE, DirectProtocol.MAX_QUEUED_REQUESTS_PER_STREAM);
        }

        @Override
        protected Optional<Incoming> decode(Stream stream, ByteBuf message) {
            try {
                return Optional.of(new Incoming.Readable(DirectCodec.decodeRequest(ByteBufUtil.getBytes(message))));
            } catch (MalformedException e) {
                return e.requestId().map(id -> new Incoming.Unreadable(id, e.getMessage()));
            }
        }

        @Override
        protected CompletableFuture<Optional<ByteBuf>> answer(Stream stream, Incoming incoming) {
            return switch (incoming) {
                case Incoming.Unreadable bad -> CompletableFuture.completedFuture(
                        Optional.of(framed(bad.requestId(), DirectAnswer.refused(DirectStatus.MALFORMED, bad.reason()))));
                case Incoming.Readable readable -> handle(stream.remotePeer(), readable.request())
                        .thenApply(answer -> Optional.of(framed(readable.request().requestId(), answer)));
            };
        }

        @Override
        protected void onRefused(Stream stream, String reason) {
            metrics.inboundMalformed();
        }
    }

    /** The handler's answer to {@code request}, or a refusal; never fails. */
    private CompletableFuture<DirectAnswer> handle(PeerId from, DirectCodec.Request request) {
        if (!acquire(from)) {
            return CompletableFuture.completedFuture(DirectAnswer.refused(DirectStatus.BUSY, "too many deliveries in progress"));
        }
        CompletableFuture<DirectAnswer> answer = new CompletableFuture<>();
        CompletableFuture<DirectAnswer> settled = answer.handle((a, failure) -> {
            release(from);
            return failure == null && a != null ? a
                    : DirectAnswer.refused(DirectStatus.INTERNAL_ERROR, failure instanceof TimeoutException ? "timed out" : "failed");
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
        return settled;
    }

    private ByteBuf framed(long requestId, DirectAnswer answer) {
        metrics.answered(answer.status());
        return LengthPrefixed.encode(ByteBufAllocator.DEFAULT, DirectCodec.encodeResponse(requestId, answer));
    }

    @Override
    public String toString() {
        return "DirectServer[" + host.peerId() + ", " + inFlight.get() + " in flight]";
    }
}
