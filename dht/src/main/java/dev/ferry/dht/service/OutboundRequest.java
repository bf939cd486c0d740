package dev.ferry.dht.service;

import dev.ferry.dht.message.DecodeResult;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtMessages;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.concurrent.CompletableFuture;

/**
 * One request on a fresh stream and its one answer: frames bytes and nothing else. ADD_PROVIDER
 * has no answer and completes with the request once written.
 */
final class OutboundRequest extends MessageReceiver {
    private final DhtMessages codec;
    private final DhtMessage request;
    private final CompletableFuture<DhtMessage> result;
    private final DhtMetrics metrics;

    private OutboundRequest(DhtMessages codec, DhtMessage request, CompletableFuture<DhtMessage> result, DhtMetrics metrics) {
        super(codec.maxMessageSize());
        this.codec = codec;
        this.request = request;
        this.result = result;
        this.metrics = metrics;
    }

    /**
     * Sends {@code request} on {@code stream}; {@code result} completes with the answer. Peers
     * the codec left out of the answer, and answers it refused, are counted in {@code metrics}.
     */
    static void start(Stream stream, DhtMessages codec, DhtMessage request, CompletableFuture<DhtMessage> result,
                      DhtMetrics metrics) {
        if (result.isDone()) {
            stream.reset();
            return;
        }
        stream.setReceiver(new OutboundRequest(codec, request, result, metrics));
        result.whenComplete((answer, failure) -> {
            if (failure != null) stream.reset();
            else stream.closeWrite();
        });
        ByteBuf frame;
        try {
            frame = codec.frame(ByteBufAllocator.DEFAULT, request);
        } catch (IllegalArgumentException e) {
            result.completeExceptionally(e);
            return;
        }
        stream.write(frame).whenComplete((v, failure) -> {
            if (failure != null) result.completeExceptionally(failure);
            else if (request instanceof DhtMessage.AddProvider) result.complete(request);
        });
    }

    @Override
    protected void onMessage(Stream stream, ByteBuf message) {
        if (result.isDone()) return;
        switch (codec.decodeResponse(ByteBufUtil.getBytes(message), request)) {
            case DecodeResult.Decoded d -> {
                metrics.answerPeersDropped(d.dropped().peers());
                result.complete(d.message());
            }
            case DecodeResult.Refused r -> {
                metrics.answerRefused();
                result.completeExceptionally(new DhtException("answer refused: " + r.reason() + ": " + r.detail()));
            }
        }
    }

    @Override
    protected void onMalformed(Stream stream, String reason) {
        metrics.answerRefused();
        result.completeExceptionally(new DhtException("malformed answer: " + reason));
        stream.reset();
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        if (!result.isDone()) result.completeExceptionally(new DhtException("remote closed the stream without answering"));
    }

    @Override
    public void onClosed(Stream stream, Throwable cause) {
        super.onClosed(stream, cause);
        if (!result.isDone()) {
            result.completeExceptionally(cause != null ? cause : new DhtException("stream closed without an answer"));
        }
    }
}
