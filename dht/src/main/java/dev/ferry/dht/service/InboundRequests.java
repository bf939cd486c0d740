package dev.ferry.dht.service;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DecodeResult;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtMessages;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the requests of one inbound stream (the spec allows several per stream) and writes one
 * answer per request, in order. It frames bytes only: answers come from the service, which owns
 * the state. Reading pauses while requests are being answered, and at most
 * {@link #MAX_QUEUED_REQUESTS} may wait, so a peer cannot queue work faster than it is answered.
 */
final class InboundRequests extends MessageReceiver {
    /**
     * Requests of one stream waiting for their answer. Reading pauses after each request, so
     * more than one waits only when several arrived in one read; a handful is generous.
     */
    static final int MAX_QUEUED_REQUESTS = 8;

    /** The service side: the answer to a request, empty for none (ADD_PROVIDER); a failed future resets. */
    interface Responder {
        CompletableFuture<Optional<DhtMessage>> answer(PeerId from, DhtMessage request);
    }

    private final DhtMessages codec;
    private final Responder responder;
    private final DhtMetrics metrics;
    private final ArrayDeque<DhtMessage> queued = new ArrayDeque<>();
    private boolean answering;
    private boolean remoteClosed;
    private boolean over;

    InboundRequests(DhtMessages codec, Responder responder, DhtMetrics metrics) {
        super(codec.maxMessageSize());
        this.codec = codec;
        this.responder = responder;
        this.metrics = metrics;
    }

    @Override
    protected void onMessage(Stream stream, ByteBuf message) {
        DecodeResult decoded = codec.decodeRequest(ByteBufUtil.getBytes(message));
        if (decoded instanceof DecodeResult.Refused) {
            metrics.malformed();
            fail(stream);
            return;
        }
        DhtMessage request = ((DecodeResult.Decoded) decoded).message();
        boolean start;
        boolean refuse = false;
        synchronized (this) {
            if (over) return;
            if (queued.size() >= MAX_QUEUED_REQUESTS) {
                metrics.refused(request.type());
                over = true;
                refuse = true;
                start = false;
            } else {
                queued.add(request);
                start = !answering;
                answering = true;
            }
        }
        if (refuse) {
            stream.reset();
            return;
        }
        stream.pauseReading();
        if (start) answerNext(stream);
    }

    private void answerNext(Stream stream) {
        DhtMessage next;
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
        responder.answer(stream.remotePeer(), next).whenComplete((answer, failure) -> {
            if (failure != null) {
                metrics.refused(next.type());
                fail(stream);
                return;
            }
            metrics.served(next.type());
            if (answer.isEmpty()) {
                answerNext(stream);
                return;
            }
            stream.write(codec.frame(ByteBufAllocator.DEFAULT, answer.get())).whenComplete((v, e) -> {
                if (e == null) answerNext(stream);
                else fail(stream);
            });
        });
    }

    @Override
    protected void onMalformed(Stream stream, String reason) {
        metrics.malformed();
        fail(stream);
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        boolean closeNow;
        synchronized (this) {
            remoteClosed = true;
            closeNow = !answering && !over;
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

    private void fail(Stream stream) {
        synchronized (this) {
            over = true;
            queued.clear();
        }
        stream.reset();
    }
}
