package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.MessageReceiver;
import dev.ferry.store.MailboxKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The client end of a WATCH stream: the holder's first answer completes {@link #started}, later
 * notices go to the listener. A notice that is not a valid header of the watched mailbox ends the
 * watch: the holder is faulty or hostile. All callbacks run on the stream's event loop.
 */
final class ClientWatch extends MessageReceiver implements MailboxWatch {
    private final PeerId holder;
    private final MailboxKey mailbox;
    private final long requestId;
    private final WatchListener listener;
    private final CompletableFuture<MailboxWatch> started;
    private volatile Stream stream;
    private volatile boolean open;
    private volatile boolean ended;

    ClientWatch(PeerId holder, MailboxKey mailbox, long requestId, WatchListener listener,
            CompletableFuture<MailboxWatch> started) {
        super(MailboxLimits.MAX_MESSAGE_BYTES);
        this.holder = holder;
        this.mailbox = mailbox;
        this.requestId = requestId;
        this.listener = listener;
        this.started = started;
    }

    void start(Stream stream, MailboxRequest.Watch request) {
        this.stream = stream;
        if (started.isDone()) {
            stream.reset();
            return;
        }
        stream.setReceiver(this);
        started.whenComplete((watch, failure) -> {
            if (failure != null) stream.reset();
        });
        stream.write(MailboxCodec.frame(ByteBufAllocator.DEFAULT, MailboxCodec.encode(request)))
                .whenComplete((v, failure) -> {
                    if (failure != null) started.completeExceptionally(new MailboxException("write failed: " + failure, failure));
                });
    }

    @Override
    protected void onMessage(Stream stream, ByteBuf message) {
        if (ended) return;
        MailboxResponse answer;
        try {
            answer = MailboxCodec.decodeResponse(ByteBufUtil.getBytes(message));
        } catch (MailboxCodecException e) {
            end(MailboxReply.of(MailboxStatus.UNKNOWN, "malformed message from the holder: " + e.getMessage()));
            return;
        }
        if (answer.id() != requestId) {
            end(MailboxReply.of(MailboxStatus.UNKNOWN, "message for request " + answer.id() + " on a watch"));
            return;
        }
        if (!open) {
            if (!(answer instanceof MailboxResponse.Plain)) {
                end(MailboxReply.of(MailboxStatus.UNKNOWN, "a notice before the watch was accepted"));
            } else if (answer.status().isOk()) {
                open = true;
                started.complete(this);
            } else {
                ended = true;
                started.completeExceptionally(new MailboxRefusedException(new MailboxReply(answer.status(), answer.detail())));
            }
            return;
        }
        switch (answer) {
            case MailboxResponse.Notice notice -> deliver(notice);
            case MailboxResponse.Plain plain when !plain.status().isOk() -> end(new MailboxReply(plain.status(), plain.detail()));
            default -> end(MailboxReply.of(MailboxStatus.UNKNOWN, "unexpected message on a watch"));
        }
    }

    private void deliver(MailboxResponse.Notice notice) {
        EnvelopeHeader header;
        try {
            header = EnvelopeHeader.decode(notice.header());
        } catch (EnvelopeException e) {
            end(MailboxReply.of(MailboxStatus.UNKNOWN, "the holder sent a header that does not decode"));
            return;
        }
        if (!Arrays.equals(header.mailbox(), mailbox.bytes()) || notice.index() >= header.dataShards() + header.parityShards()) {
            end(MailboxReply.of(MailboxStatus.UNKNOWN, "the holder sent a notice for another mailbox or index"));
            return;
        }
        listener.onShard(header, notice.index());
    }

    /** The watch ended for {@code reason}: the listener hears it (unless we closed it), the stream goes. */
    private void end(MailboxReply reason) {
        if (ended) return;
        ended = true;
        boolean wasOpen = open;
        open = false;
        if (!wasOpen) {
            started.completeExceptionally(new MailboxException("watch failed: " + reason.detail()));
        } else {
            listener.onEnd(reason);
        }
        Stream s = stream;
        if (s != null) s.reset();
    }

    @Override
    protected void onMalformed(Stream stream, String reason) {
        end(MailboxReply.of(MailboxStatus.UNKNOWN, "malformed message from the holder: " + reason));
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        end(MailboxReply.of(MailboxStatus.UNKNOWN, "the holder closed the watch"));
    }

    @Override
    public void onClosed(Stream stream, Throwable cause) {
        super.onClosed(stream, cause);
        end(MailboxReply.of(MailboxStatus.UNKNOWN, "the watch stream closed" + (cause == null ? "" : ": " + cause.getMessage())));
    }

    @Override
    public PeerId holder() {
        return holder;
    }

    @Override
    public MailboxKey mailbox() {
        return mailbox;
    }

    @Override
    public boolean isOpen() {
        return open && !ended;
    }

    @Override
    public void close() {
        ended = true;
        open = false;
        Stream s = stream;
        if (s != null) s.reset();
    }

    @Override
    public String toString() {
        return "MailboxWatch[" + mailbox + " at " + holder + (isOpen() ? "" : ", closed") + "]";
    }
}
