package dev.ferry.messenger.mailbox;

import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayDeque;

/**
 * Frames one inbound stream: reads requests, has the server answer them one at a time, in order,
 * and writes each answer. It holds no mailbox state. Reading pauses while a request is answered,
 * and at most {@link MailboxLimits#MAX_QUEUED_REQUESTS_PER_STREAM} wait, so a peer cannot queue
 * work faster than it is served. A WATCH turns the stream into a watch stream: the server pushes
 * notices on it, and any further request breaks the protocol.
 *
 * <p>Callbacks run on the stream's event loop, answers complete on the server's thread; the
 * small state here is guarded by this object's lock.
 */
final class InboundMailboxStream extends MessageReceiver {
    private final MailboxServer server;
    private final MailboxMetrics metrics;
    private final ArrayDeque<MailboxRequest> queued = new ArrayDeque<>();
    private boolean answering;
    private boolean watching;
    private boolean remoteClosed;
    private boolean over;

    InboundMailboxStream(MailboxServer server, MailboxMetrics metrics) {
        super(MailboxLimits.MAX_MESSAGE_BYTES);
        this.server = server;
        this.metrics = metrics;
    }

    @Override
    protected void onMessage(Stream stream, ByteBuf message) {
        MailboxRequest request;
        try {
            request = MailboxCodec.decodeRequest(ByteBufUtil.getBytes(message));
        } catch (MailboxCodecException e) {
            fail(stream);
            return;
        }
        boolean start = false;
        boolean violation = false;
        synchronized (this) {
            if (over) return;
            if (watching || queued.size() >= MailboxLimits.MAX_QUEUED_REQUESTS_PER_STREAM
                    || (request instanceof MailboxRequest.Watch && (answering || !queued.isEmpty()))) {
                violation = true;
                over = true;
                queued.clear();
            } else if (request instanceof MailboxRequest.Watch) {
                watching = true;
            } else {
                queued.add(request);
                start = !answering;
                answering = true;
            }
        }
        if (violation) {
            // A request after a WATCH, a WATCH behind other requests, or more read-ahead than allowed.
            metrics.malformed();
            stream.reset();
        } else if (request instanceof MailboxRequest.Watch watch) {
            server.watch(stream, watch);
        } else {
            stream.pauseReading();
            if (start) answerNext(stream);
        }
    }

    private void answerNext(Stream stream) {
        MailboxRequest next;
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
        server.answer(stream.remotePeer(), next).whenComplete((answer, failure) -> {
            if (failure != null) {
                stream.reset(); // the server always answers; this is a bug or a shutdown
                return;
            }
            stream.write(MailboxCodec.frame(ByteBufAllocator.DEFAULT, MailboxCodec.encode(answer))).whenComplete((v, e) -> {
                if (e == null) answerNext(stream);
                else stream.reset();
            });
        });
    }

    @Override
    protected void onMalformed(Stream stream, String reason) {
        fail(stream);
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        boolean closeNow;
        synchronized (this) {
            remoteClosed = true;
            closeNow = watching || (!answering && !over);
        }
        // A watcher closing its side ends the watch; the server forgets it when the stream closes.
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
        metrics.malformed();
        stream.reset();
    }
}
