package dev.ferry.overlay.yamux;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Direction;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One yamux stream. Its state belongs to the session's event loop; public methods hop onto it.
 * Outbound bytes queue here until the remote's window has room; inbound bytes go straight to the
 * receiver, or wait here (bounded by our window) while reading is paused.
 */
public final class YamuxStream implements Stream {
    private final YamuxSession session;
    private final int id;
    private final Direction direction;
    private final Executor eventLoop;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

    private volatile String protocol = "";
    /** See {@link Stream#keepConnectionOpen}; read by the session on the event loop. */
    volatile boolean keepsConnectionOpen = true;
    private Connection connection;

    // flow control (event loop only)
    long sendWindow = YamuxProtocol.INITIAL_WINDOW;
    long receiveWindow = YamuxProtocol.INITIAL_WINDOW;
    private long unacknowledgedConsumed;

    // outbound queue
    private final ArrayDeque<PendingWrite> sendQueue = new ArrayDeque<>();
    /** Writes and the close of the write side, in the order they were asked for (see {@link #inOrder}). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> ordered = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private long sendQueueBytes;
    private CompletableFuture<Void> written;
    private boolean finQueued;
    boolean finSent;
    boolean synSent;

    // inbound
    private StreamReceiver receiver;
    private final ArrayDeque<ByteBuf> buffered = new ArrayDeque<>();
    private long bufferedBytes;
    private boolean paused;
    boolean remoteFinReceived;
    private boolean remoteFinDelivered;
    private boolean closed;
    private Throwable closeCause;

    YamuxStream(YamuxSession session, int id, Direction direction, Executor eventLoop) {
        this.session = session;
        this.id = id;
        this.direction = direction;
        this.eventLoop = eventLoop;
    }

    public int id() {
        return id;
    }

    @Override
    public void keepConnectionOpen(boolean keep) {
        if (keepsConnectionOpen == keep) return;
        keepsConnectionOpen = keep;
        session.keepAliveChanged();
    }

    /** Set once multistream-select agreed on a protocol. */
    public void protocol(String protocol) {
        this.protocol = protocol;
    }

    /** Set by the host when it wraps the session in a {@link Connection}. */
    public void connection(Connection connection) {
        this.connection = connection;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public Direction direction() {
        return direction;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public void setReceiver(StreamReceiver receiver) {
        onLoop(() -> {
            this.receiver = receiver;
            if (closed) {
                // Attached after the end (say, reset while the caller was on another thread):
                // it still hears how the stream ended, once.
                if (receiver != null) notifyClosed(receiver);
                return;
            }
            drainBuffered();
        });
    }

    @Override
    public void pauseReading() {
        onLoop(() -> paused = true);
    }

    @Override
    public void resumeReading() {
        onLoop(() -> {
            paused = false;
            drainBuffered();
        });
    }

    @Override
    public CompletableFuture<Void> write(ByteBuf data) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        inOrder(() -> {
            if (closed || finQueued) {
                ReferenceCountUtil.release(data);
                done.completeExceptionally(new YamuxException(closed ? "stream is closed" : "stream is closed for writing"));
                return;
            }
            // the limit is on bytes beyond the remote's window: those that would wait here
            if (sendQueueBytes + data.readableBytes() - Math.max(sendWindow, 0) > session.config().maxSendQueueBytes()) {
                ReferenceCountUtil.release(data);
                done.completeExceptionally(new YamuxException("stream send queue is full ("
                        + session.config().maxSendQueueBytes() + " bytes): wait for earlier writes to complete"));
                return;
            }
            sendQueue.add(new PendingWrite(data, done));
            sendQueueBytes += data.readableBytes();
            session.flushStream(this);
        });
        return done;
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        inOrder(() -> {
            if (closed || finQueued) {
                done.complete(null);
                return;
            }
            finQueued = true;
            sendQueue.add(new PendingWrite(null, done));
            session.flushStream(this);
        });
        return done;
    }

    @Override
    public void reset() {
        onLoop(() -> {
            if (closed) return;
            session.sendReset(this);
            terminate(new YamuxException("stream was reset locally"));
        });
    }

    /**
     * Puts bytes back in front of what the next receiver gets: the protocol negotiation reads a
     * little past its last message when the remote pipelines data behind it. Event loop only.
     */
    public void unread(ByteBuf data) {
        buffered.addFirst(data);
        bufferedBytes += data.readableBytes();
        session.bufferedChanged(data.readableBytes());
        // the bytes were counted as consumed when the negotiator read them; they will be again
        unacknowledgedConsumed -= data.readableBytes();
    }

    @Override
    public String toString() {
        return "YamuxStream[" + id + " " + direction + " " + protocol + "]";
    }

    private void onLoop(Runnable task) {
        session.execute(task);
    }

    /**
     * Runs {@code task} on the event loop after every write and close handed in before it,
     * whichever thread handed them in. {@link #onLoop} alone would run a task handed in on the
     * loop at once, ahead of one another thread queued earlier: bytes written by two threads (each
     * write made under the caller's own lock, in order) would reach the wire swapped.
     */
    private void inOrder(Runnable task) {
        ordered.add(task);
        onLoop(this::runOrdered);
    }

    private void runOrdered() {
        Runnable next;
        while ((next = ordered.poll()) != null) next.run();
    }

    // ---- called by the session on its event loop ----

    boolean isClosed() {
        return closed;
    }

    boolean hasSendWork() {
        return !sendQueue.isEmpty() && (sendWindow > 0 || sendQueue.peek().data == null);
    }

    /**
     * Takes the next chunk to send, at most {@code max} bytes and never more than the window.
     * Returns null when the head of the queue is the FIN marker (the caller sends FIN).
     */
    ByteBuf takeChunk(int max) {
        PendingWrite head = sendQueue.peek();
        int n = (int) Math.min(Math.min(max, sendWindow), head.data.readableBytes());
        ByteBuf chunk = head.data.readRetainedSlice(n);
        sendWindow -= n;
        sendQueueBytes -= n;
        if (!head.data.isReadable()) {
            sendQueue.poll();
            head.data.release();
            written = head.done;
        }
        return chunk;
    }

    /**
     * Completes the write whose last bytes were just framed. Kept apart from {@link #takeChunk} so
     * that a writer reacting to the completion (say, by closing) runs after the frame is out.
     */
    void chunkWritten() {
        CompletableFuture<Void> done = written;
        written = null;
        if (done != null) done.complete(null);
    }

    boolean finIsNext() {
        PendingWrite head = sendQueue.peek();
        return head != null && head.data == null;
    }

    void finWritten() {
        PendingWrite fin = sendQueue.poll();
        finSent = true;
        fin.done.complete(null);
        maybeFullyClosed();
    }

    /** Bytes arrived for this stream; the caller already checked them against our window. */
    void dataReceived(ByteBuf data) {
        receiveWindow -= data.readableBytes();
        if (receiver != null && !paused && buffered.isEmpty()) {
            deliver(data);
        } else {
            buffered.add(data);
            bufferedBytes += data.readableBytes();
            session.bufferedChanged(data.readableBytes());
        }
    }

    void remoteFin() {
        remoteFinReceived = true;
        drainBuffered();
    }

    private void drainBuffered() {
        while (receiver != null && !paused && !buffered.isEmpty() && !closed) {
            ByteBuf data = buffered.poll();
            bufferedBytes -= data.readableBytes();
            session.bufferedChanged(-data.readableBytes());
            deliver(data);
        }
        if (receiver != null && buffered.isEmpty() && remoteFinReceived && !remoteFinDelivered && !closed) {
            remoteFinDelivered = true;
            receiver.onRemoteClosed(this);
            maybeFullyClosed();
        }
    }

    private void deliver(ByteBuf data) {
        int n = data.readableBytes();
        try {
            receiver.onData(this, data);
        } catch (RuntimeException e) {
            session.receiverFailed(this, e);
        } finally {
            ReferenceCountUtil.safeRelease(data);
        }
        unacknowledgedConsumed += n;
        // Grant window in batches of a quarter, so updates stay rare but the sender never idles.
        if (!closed && !remoteFinReceived && unacknowledgedConsumed >= session.config().maxStreamWindow() / 4) {
            long grant = unacknowledgedConsumed;
            unacknowledgedConsumed = 0;
            receiveWindow += grant;
            session.sendWindowUpdate(this, (int) grant, 0);
        }
    }

    private void maybeFullyClosed() {
        if (finSent && remoteFinDelivered) terminate(null);
    }

    /** Ends the stream: fails queued writes, releases buffers, tells the receiver once. */
    void terminate(Throwable cause) {
        if (closed) return;
        closed = true;
        for (PendingWrite w : sendQueue) {
            if (w.data != null) w.data.release();
            w.done.completeExceptionally(cause != null ? cause : new YamuxException("stream closed"));
        }
        sendQueue.clear();
        sendQueueBytes = 0;
        for (ByteBuf b : buffered) b.release();
        session.bufferedChanged(-bufferedBytes);
        buffered.clear();
        bufferedBytes = 0;
        closeCause = cause;
        session.streamClosed(this);
        if (receiver != null) notifyClosed(receiver);
        if (cause == null) closeFuture.complete(null);
        else closeFuture.completeExceptionally(cause);
    }

    private void notifyClosed(StreamReceiver r) {
        try {
            r.onClosed(this, closeCause);
        } catch (RuntimeException e) {
            session.receiverFailed(this, e);
        }
    }

    private record PendingWrite(ByteBuf data, CompletableFuture<Void> done) {}
}
