package dev.ferry.overlay.framing;

import dev.ferry.overlay.Stream;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The server side of a length-prefixed request/answer protocol that allows several requests per
 * stream: reads requests, has them answered one at a time, and writes each answer in request
 * order (the client side is {@link PipelinedRequests}). It frames bytes only; the subclass
 * decodes and answers. Reading pauses while a request is answered and at most
 * {@code maxQueued} may wait, so a peer cannot queue work faster than it is served; one more
 * resets the stream. When the remote closes its side, this side closes once the last answer is
 * written.
 *
 * <p>A request may {@linkplain #takesOver take the stream over} (a subscription, say): it is
 * accepted only as the first and only request of the stream, and is then the subclass's to
 * serve; any request after it resets the stream.
 *
 * <p>Stream callbacks run on the stream's event loop, answers complete on any thread; the small
 * state here is guarded by this object's lock.
 *
 * @param <Q> the decoded request
 */
public abstract class InOrderAnswers<Q> extends MessageReceiver {
    private final int maxQueued;
    private final ArrayDeque<Q> queued = new ArrayDeque<>();
    private boolean answering;
    private boolean takenOver;
    private boolean remoteClosed;
    private boolean over;

    /**
     * @param maxMessageSize the largest request accepted
     * @param maxQueued      requests that may wait while one is answered
     */
    protected InOrderAnswers(int maxMessageSize, int maxQueued) {
        super(maxMessageSize);
        if (maxQueued < 1) throw new IllegalArgumentException("maxQueued must be positive, got " + maxQueued);
        this.maxQueued = maxQueued;
    }

    /**
     * The request in {@code message}, or empty if it is malformed (the stream is then reset after
     * {@link #onRefused}). The buffer is released after this returns.
     */
    protected abstract Optional<Q> decode(Stream stream, ByteBuf message);

    /**
     * The framed answer to {@code request}, or an empty one for a request that has none. A failed
     * future resets the stream.
     */
    protected abstract CompletableFuture<Optional<ByteBuf>> answer(Stream stream, Q request);

    /** Whether {@code request} takes the stream over; by default none does. */
    protected boolean takesOver(Q request) {
        return false;
    }

    /** Serves a request that took the stream over; called once, on the event loop. */
    protected void serveTakeOver(Stream stream, Q request) {
        throw new UnsupportedOperationException("no request takes a stream over");
    }

    /**
     * The stream is reset for breaking the protocol: a malformed request or frame, too many
     * requests queued, a request after a take-over or a take-over behind other requests. For
     * metrics; the default does nothing.
     */
    protected void onRefused(Stream stream, String reason) {}

    @Override
    protected final void onMessage(Stream stream, ByteBuf message) {
        Optional<Q> decoded = decode(stream, message);
        if (decoded.isEmpty()) {
            refuse(stream, "malformed request");
            return;
        }
        Q request = decoded.get();
        boolean takeOver = takesOver(request);
        String violation = null;
        boolean start = false;
        synchronized (this) {
            if (over) return;
            if (takenOver) {
                violation = "a request after the stream was taken over";
            } else if (takeOver && (answering || !queued.isEmpty())) {
                violation = "a take-over behind other requests";
            } else if (queued.size() >= maxQueued) {
                violation = "more than " + maxQueued + " requests queued";
            } else if (takeOver) {
                takenOver = true;
            } else {
                queued.add(request);
                start = !answering;
                answering = true;
            }
        }
        if (violation != null) {
            refuse(stream, violation);
        } else if (takeOver) {
            serveTakeOver(stream, request);
        } else {
            stream.pauseReading();
            if (start) answerNext(stream);
        }
    }

    private void answerNext(Stream stream) {
        Q next;
        boolean closeNow = false;
        synchronized (this) {
            if (over) return;
            next = queued.poll();
            if (next == null) {
                answering = false;
                closeNow = remoteClosed;
            }
        }
        if (next == null) {
            if (closeNow) stream.closeWrite();
            else stream.resumeReading();
            return;
        }
        answer(stream, next).whenComplete((answer, failure) -> {
            if (failure != null) {
                end(stream); // the subclass's choice (or a shutdown): no answer, no stream
            } else if (answer.isEmpty()) {
                answerNext(stream);
            } else {
                stream.write(answer.get()).whenComplete((v, e) -> {
                    if (e == null) answerNext(stream);
                    else end(stream);
                });
            }
        });
    }

    @Override
    protected final void onMalformed(Stream stream, String reason) {
        refuse(stream, reason);
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        boolean closeNow;
        synchronized (this) {
            remoteClosed = true;
            closeNow = takenOver || (!answering && !over);
        }
        if (closeNow) stream.closeWrite();
    }

    @Override
    public void onClosed(Stream stream, Throwable cause) {
        super.onClosed(stream, cause);
        synchronized (this) {
            over = true;
            queued.clear();
        }
    }

    private void refuse(Stream stream, String reason) {
        onRefused(stream, reason);
        end(stream);
    }

    private void end(Stream stream) {
        synchronized (this) {
            over = true;
            queued.clear();
        }
        stream.reset();
    }
}
