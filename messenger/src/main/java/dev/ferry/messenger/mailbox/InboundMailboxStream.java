package dev.ferry.messenger.mailbox;

import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.InOrderAnswers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One inbound mailbox stream: its requests go to the server, which holds the state, and are
 * answered in order, at most {@link MailboxLimits#MAX_QUEUED_REQUESTS_PER_STREAM} waiting
 * ({@link InOrderAnswers} frames and paces). A WATCH, accepted only as a stream's first and only
 * request, turns it into a watch stream: the server pushes notices on it.
 */
final class InboundMailboxStream extends InOrderAnswers<MailboxRequest> {
    private final MailboxServer server;
    private final MailboxMetrics metrics;

    InboundMailboxStream(MailboxServer server, MailboxMetrics metrics) {
        super(MailboxLimits.MAX_MESSAGE_BYTES, MailboxLimits.MAX_QUEUED_REQUESTS_PER_STREAM);
        this.server = server;
        this.metrics = metrics;
    }

    @Override
    protected Optional<MailboxRequest> decode(Stream stream, ByteBuf message) {
        try {
            return Optional.of(MailboxCodec.decodeRequest(ByteBufUtil.getBytes(message)));
        } catch (MailboxCodecException e) {
            return Optional.empty();
        }
    }

    @Override
    protected CompletableFuture<Optional<ByteBuf>> answer(Stream stream, MailboxRequest request) {
        return server.answer(stream.remotePeer(), request)
                .thenApply(answer -> Optional.of(MailboxCodec.frame(ByteBufAllocator.DEFAULT, MailboxCodec.encode(answer))));
    }

    @Override
    protected boolean takesOver(MailboxRequest request) {
        return request instanceof MailboxRequest.Watch;
    }

    @Override
    protected void serveTakeOver(Stream stream, MailboxRequest request) {
        server.watch(stream, (MailboxRequest.Watch) request);
    }

    @Override
    protected void onRefused(Stream stream, String reason) {
        metrics.malformed();
    }
}
