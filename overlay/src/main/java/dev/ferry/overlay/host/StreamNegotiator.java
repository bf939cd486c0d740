package dev.ferry.overlay.host;

import dev.ferry.overlay.ProtocolNotSupportedException;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.overlay.multistream.DialerNegotiation;
import dev.ferry.overlay.multistream.ListenerNegotiation;
import dev.ferry.overlay.multistream.MultistreamCodec;
import dev.ferry.overlay.multistream.MultistreamException;
import dev.ferry.overlay.multistream.Negotiation;
import dev.ferry.overlay.yamux.YamuxException;
import dev.ferry.overlay.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.function.Function;

/**
 * Runs multistream-select on a fresh yamux stream, as dialer or listener, then steps aside:
 * bytes the remote sent behind the last negotiation message are handed back to the stream for
 * the protocol's own receiver. A negotiation that does not finish in time resets the stream.
 */
final class StreamNegotiator implements StreamReceiver {
    private final YamuxStream stream;
    private final ByteBufAllocator alloc;
    private final Function<String, Negotiation> step;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ScheduledFuture<?> timeout;
    private final List<String> proposals;
    /** What arrived and is not negotiated yet: at most a partial message and what followed it. */
    private ByteBuf pending;

    private StreamNegotiator(YamuxStream stream, ByteBufAllocator alloc, EventExecutor loop, Duration timeout,
                             Function<String, Negotiation> step, List<String> proposals) {
        this.stream = stream;
        this.proposals = proposals;
        this.alloc = alloc;
        this.step = step;
        this.timeout = loop.schedule(() -> fail(new MultistreamException(
                "protocol negotiation timed out after " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        // The stream may be reset before this receiver is attached (an outbound stream is attached
        // from the caller's thread, after its SYN went out): the stream then tells no receiver,
        // but its close future still completes.
        stream.closeFuture().whenComplete((v, e) -> {
            if (result.isDone()) return; // negotiated long ago: no exception to build for nothing
            Throwable cause = e != null ? e : new YamuxException("stream closed during protocol negotiation");
            if (loop.inEventLoop()) fail(cause);
            else loop.execute(() -> fail(cause));
        });
    }

    /** Proposes {@code negotiation}'s protocols; completes with the one agreed. */
    static CompletableFuture<String> dial(YamuxStream stream, ByteBufAllocator alloc, EventExecutor loop, Duration timeout,
                                          DialerNegotiation negotiation) {
        StreamNegotiator n = new StreamNegotiator(stream, alloc, loop, timeout, negotiation::onMessage, negotiation.proposals());
        stream.setReceiver(n);
        n.send(negotiation.start());
        return n.result;
    }

    /** Answers the remote's proposals; completes with the protocol agreed. */
    static CompletableFuture<String> listen(YamuxStream stream, ByteBufAllocator alloc, EventExecutor loop, Duration timeout,
                                            ListenerNegotiation negotiation) {
        StreamNegotiator n = new StreamNegotiator(stream, alloc, loop, timeout, negotiation::onMessage, List.of());
        stream.setReceiver(n);
        return n.result;
    }

    @Override
    public void onData(Stream s, ByteBuf data) {
        if (result.isDone()) return;
        // A copy, not a view: a view would pin the whole decrypted frame the bytes came in for as
        // long as the negotiation lasts. Negotiation messages are short (MultistreamCodec caps them).
        if (pending == null) pending = alloc.heapBuffer(data.readableBytes());
        pending.writeBytes(data);
        try {
            String message;
            while ((message = MultistreamCodec.read(pending)) != null) {
                Negotiation next = step.apply(message);
                if (next.isUnsupported()) {
                    fail(new ProtocolNotSupportedException(proposals));
                    return;
                }
                if (next.isFailed()) {
                    fail(new MultistreamException(next.failure()));
                    return;
                }
                send(next);
                if (next.isDone()) {
                    succeed(next.selected());
                    return;
                }
            }
            if (pending != null) pending.discardReadBytes();
        } catch (MultistreamException e) {
            fail(e);
        }
    }

    @Override
    public void onRemoteClosed(Stream s) {
        fail(new MultistreamException("remote closed the stream during protocol negotiation"));
    }

    @Override
    public void onClosed(Stream s, Throwable cause) {
        fail(cause != null ? cause : new YamuxException("stream closed during protocol negotiation"));
    }

    private void send(Negotiation step) {
        if (!step.send().isEmpty()) stream.write(MultistreamCodec.encode(alloc, step.send().toArray(String[]::new)));
    }

    private void succeed(String protocol) {
        timeout.cancel(false);
        stream.protocol(protocol);
        stream.setReceiver(null);
        if (pending.isReadable()) stream.unread(pending.retainedSlice());
        release();
        result.complete(protocol);
    }

    private void fail(Throwable cause) {
        timeout.cancel(false);
        release();
        if (result.completeExceptionally(cause)) stream.reset();
    }

    private void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
