package dev.ferry.dht.service;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DecodeResult;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtMessages;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.InOrderAnswers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The requests of one inbound stream (the spec allows several per stream), answered in order by
 * the service, which owns the state; framing, read-ahead and closing are {@link InOrderAnswers}'.
 */
final class InboundRequests extends InOrderAnswers<DhtMessage> {
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

    InboundRequests(DhtMessages codec, Responder responder, DhtMetrics metrics) {
        super(codec.maxMessageSize(), MAX_QUEUED_REQUESTS);
        this.codec = codec;
        this.responder = responder;
        this.metrics = metrics;
    }

    @Override
    protected Optional<DhtMessage> decode(Stream stream, ByteBuf message) {
        return codec.decodeRequest(ByteBufUtil.getBytes(message)) instanceof DecodeResult.Decoded decoded
                ? Optional.of(decoded.message()) : Optional.empty();
    }

    @Override
    protected CompletableFuture<Optional<ByteBuf>> answer(Stream stream, DhtMessage request) {
        return responder.answer(stream.remotePeer(), request).handle((answer, failure) -> {
            if (failure != null) {
                metrics.refused(request.type());
                throw new IllegalStateException("refused", failure);
            }
            metrics.served(request.type());
            return answer.map(a -> codec.frame(ByteBufAllocator.DEFAULT, a));
        });
    }

    @Override
    protected void onRefused(Stream stream, String reason) {
        metrics.malformed();
    }
}
