package dev.ferry.messenger.mailbox;

import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Requests on one outbound stream and their answers, which come back in order with the same ids.
 * Frames bytes only; completes with every answer, or fails on the first sign of trouble (and
 * resets the stream).
 */
final class ClientExchange extends MessageReceiver {
    private final List<MailboxRequest> requests;
    private final List<MailboxResponse> answers;
    private final CompletableFuture<List<MailboxResponse>> result;

    private ClientExchange(List<MailboxRequest> requests, CompletableFuture<List<MailboxResponse>> result) {
        super(MailboxLimits.MAX_MESSAGE_BYTES);
        this.requests = List.copyOf(requests);
        this.answers = new ArrayList<>(requests.size());
        this.result = result;
    }

    /** Writes {@code requests} on {@code stream} (pipelined); {@code result} completes with their answers. */
    static void start(Stream stream, List<MailboxRequest> requests, CompletableFuture<List<MailboxResponse>> result) {
        if (result.isDone()) {
            stream.reset();
            return;
        }
        stream.setReceiver(new ClientExchange(requests, result));
        result.whenComplete((answers, failure) -> {
            if (failure != null) stream.reset();
            else stream.closeWrite();
        });
        for (MailboxRequest request : requests) {
            ByteBuf frame;
            try {
                frame = MailboxCodec.frame(ByteBufAllocator.DEFAULT, MailboxCodec.encode(request));
            } catch (IllegalArgumentException e) {
                result.completeExceptionally(new MailboxException("request too large: " + e.getMessage(), e));
                return;
            }
            stream.write(frame).whenComplete((v, failure) -> {
                if (failure != null) result.completeExceptionally(new MailboxException("write failed: " + failure, failure));
            });
        }
    }

    @Override
    protected void onMessage(Stream stream, ByteBuf message) {
        if (result.isDone()) return;
        MailboxResponse answer;
        try {
            answer = MailboxCodec.decodeResponse(ByteBufUtil.getBytes(message));
        } catch (MailboxCodecException e) {
            result.completeExceptionally(new MailboxException("malformed answer: " + e.getMessage()));
            return;
        }
        if (answers.size() == requests.size() || answer.id() != requests.get(answers.size()).id()) {
            result.completeExceptionally(new MailboxException("answer with id " + answer.id() + " out of turn"));
            return;
        }
        answers.add(answer);
        if (answers.size() == requests.size()) result.complete(List.copyOf(answers));
    }

    @Override
    protected void onMalformed(Stream stream, String reason) {
        result.completeExceptionally(new MailboxException("malformed answer: " + reason));
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        if (!result.isDone()) result.completeExceptionally(new MailboxException("the holder closed the stream without answering"));
    }

    @Override
    public void onClosed(Stream stream, Throwable cause) {
        super.onClosed(stream, cause);
        if (!result.isDone()) {
            result.completeExceptionally(new MailboxException("stream closed without an answer"
                    + (cause == null ? "" : ": " + cause.getMessage()), cause));
        }
    }
}
