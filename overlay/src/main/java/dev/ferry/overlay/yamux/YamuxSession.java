package dev.ferry.overlay.yamux;

import dev.ferry.overlay.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A yamux session on one secured connection: parses frames, owns the stream table and the flow
 * control of every stream, and writes frames. Runs entirely on the channel's event loop.
 *
 * <p>Data frames are not buffered whole: each chunk of a frame that arrives is passed to its
 * stream as a slice of the decrypted buffer, so a large frame costs no copy and no allocation.
 */
public final class YamuxSession extends ChannelDuplexHandler {
    private static final Logger LOG = Logger.getLogger(YamuxSession.class.getName());
    /** What the session tells its owner. */
    public interface Events {
        /** May an inbound stream open now? Refused streams are answered with RST. */
        boolean allowInboundStream();

        /** A new inbound stream, already acknowledged; negotiate its protocol. */
        void inboundStream(YamuxStream stream);

        /** The remote broke the yamux protocol; the session is closing. */
        void violation(String reason);
    }

    /** How long a violator's half-closed connection may linger so that our GoAway reaches it. */
    static final Duration HANG_UP_GRACE = Duration.ofSeconds(1);

    private final YamuxConfig config;
    private final InboundBudget budget;
    private final boolean client;
    private final Events events;
    private final Map<Integer, YamuxStream> streams = new HashMap<>();
    private final ArrayDeque<YamuxStream> sendReady = new ArrayDeque<>();
    private final ArrayDeque<YamuxStream> flushLater = new ArrayDeque<>();
    private boolean flushing;
    private ChannelHandlerContext ctx;
    private int nextStreamId;
    private int refusedStreams;
    private long bufferedBytes;
    /** Reading stopped because this connection, not the host, held too much. */
    private boolean pausedForOwnCap;
    private boolean localGoAway;
    /** A violation was found: GoAway is on its way and input is discarded until the close. */
    private boolean hangingUp;
    private boolean remoteGoAway;
    private ScheduledFuture<?> writeStallTimer;
    private ScheduledFuture<?> keepAliveTimer;
    /** Closes the connection when it has had no stream for the idle timeout; null while streams are open. */
    private ScheduledFuture<?> idleTimer;
    /** Opaque value of our unanswered keep-alive ping, or -1. */
    private long pingOutstanding = -1;
    private int nextPingId;

    // frame parser state
    private final byte[] header = new byte[YamuxProtocol.HEADER_LENGTH];
    private int headerFill;
    private int dataRemaining;
    private int dataFlags;
    private YamuxStream dataStream;

    /**
     * @param client true on the side that dialled: it opens odd stream ids, the listener even ones
     */
    public YamuxSession(YamuxConfig config, boolean client, Events events) {
        this(config, new InboundBudget(config.maxBufferedBytes()), client, events);
    }

    /**
     * @param budget shared by every session of the host: what they may hold together
     * @param client true on the side that dialled: it opens odd stream ids, the listener even ones
     */
    public YamuxSession(YamuxConfig config, InboundBudget budget, boolean client, Events events) {
        this.config = config;
        this.budget = budget;
        this.client = client;
        this.events = events;
        this.nextStreamId = client ? 1 : 2;
    }

    YamuxConfig config() {
        return config;
    }

    void execute(Runnable task) {
        if (ctx == null) throw new IllegalStateException("session is not attached to a channel");
        if (ctx.executor().inEventLoop()) task.run();
        else ctx.executor().execute(task);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long interval = config.keepAliveInterval().toMillis();
        if (interval > 0) {
            keepAliveTimer = ctx.executor().scheduleAtFixedRate(this::keepAlive, interval, interval, TimeUnit.MILLISECONDS);
        }
        armIdleTimer();
    }

    /** Starts the idle countdown if no open stream keeps the connection and none is running. Event loop. */
    private void armIdleTimer() {
        long timeout = config.idleTimeout().toMillis();
        if (timeout <= 0 || idleTimer != null || inUse()) return;
        idleTimer = ctx.executor().schedule(this::closeIfIdle, timeout, TimeUnit.MILLISECONDS);
    }

    /** Whether an open stream keeps the connection from idling out. */
    private boolean inUse() {
        for (YamuxStream stream : streams.values()) {
            if (stream.keepsConnectionOpen) return true;
        }
        return false;
    }

    /** A stream changed whether it keeps the connection open; any thread. */
    void keepAliveChanged() {
        execute(() -> {
            if (ctx == null || !ctx.channel().isActive()) return;
            if (inUse()) disarmIdleTimer();
            else armIdleTimer();
        });
    }

    private void disarmIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void closeIfIdle() {
        idleTimer = null;
        if (inUse() || !ctx.channel().isActive()) return;
        LOG.log(Level.FINE, () -> "closing " + ctx.channel() + ": no stream in use for " + config.idleTimeout().toMillis() + " ms");
        goAway(YamuxProtocol.GO_AWAY_NORMAL);
        ctx.close();
    }

    /** Each interval: give up on a peer that left the last ping unanswered, else ping it. */
    private void keepAlive() {
        if (!ctx.channel().isActive()) return;
        if (!ctx.channel().config().isAutoRead()) {
            pingOutstanding = -1; // we are not reading, so an answer could not have reached us
            return;
        }
        if (pingOutstanding >= 0) {
            LOG.log(Level.FINE, () -> "closing " + ctx.channel() + ": no answer to a keep-alive ping in "
                    + config.keepAliveInterval().toMillis() + " ms");
            ctx.close();
            return;
        }
        pingOutstanding = nextPingId++ & 0x7FFFFFFFL;
        writeFrame(YamuxProtocol.TYPE_PING, YamuxProtocol.FLAG_SYN, 0, (int) pingOutstanding, null);
        ctx.flush();
    }

    /**
     * True once either side sent GoAway or the channel closed: no new stream will open here.
     * Read it after an {@link #openStream} failed, from that failure's callback.
     */
    public boolean isClosing() {
        return localGoAway || remoteGoAway || ctx == null || !ctx.channel().isActive();
    }

    /** Open streams, for inspection on the event loop. */
    public Collection<YamuxStream> streams() {
        return List.copyOf(streams.values());
    }

    public int streamCount() {
        return streams.size();
    }

    /**
     * Opens an outbound stream (SYN with our window grant). Completes on the event loop with the
     * stream, or fails when the session is closing or at its stream limit.
     */
    public CompletableFuture<YamuxStream> openStream() {
        CompletableFuture<YamuxStream> result = new CompletableFuture<>();
        execute(() -> {
            if (!ctx.channel().isActive() || localGoAway || remoteGoAway) {
                result.completeExceptionally(new YamuxException("connection is closing"));
                return;
            }
            if (streams.size() >= config.maxStreams()) {
                result.completeExceptionally(new YamuxException("stream limit of " + config.maxStreams() + " reached on this connection"));
                return;
            }
            if (nextStreamId < 0) {
                result.completeExceptionally(new YamuxException("stream ids exhausted on this connection"));
                return;
            }
            YamuxStream stream = new YamuxStream(this, nextStreamId, Direction.OUTBOUND, ctx.executor());
            nextStreamId += 2;
            streams.put(stream.id(), stream);
            disarmIdleTimer();
            stream.synSent = true;
            growWindow(stream, YamuxProtocol.FLAG_SYN);
            result.complete(stream);
        });
        return result;
    }

    /** Sends GoAway and stops opening streams. */
    public void goAway(int code) {
        execute(() -> {
            if (localGoAway || !ctx.channel().isActive()) return;
            localGoAway = true;
            writeFrame(YamuxProtocol.TYPE_GO_AWAY, 0, 0, code, null);
            ctx.flush();
        });
    }

    // ---------------------------------------------------------------- inbound frames

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            while (in.isReadable() && ctx.channel().isActive() && !hangingUp) {
                if (dataRemaining > 0) {
                    readData(in);
                } else {
                    int n = Math.min(YamuxProtocol.HEADER_LENGTH - headerFill, in.readableBytes());
                    in.readBytes(header, headerFill, n);
                    headerFill += n;
                    if (headerFill == YamuxProtocol.HEADER_LENGTH) {
                        headerFill = 0;
                        onHeader();
                    }
                }
            }
        } catch (ProtocolViolation e) {
            violation(e.getMessage());
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    private void onHeader() {
        int version = header[0];
        int type = header[1];
        int flags = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        int streamId = readInt(4);
        long length = readInt(8) & 0xFFFFFFFFL;
        if (version != YamuxProtocol.VERSION) throw new ProtocolViolation("unsupported yamux version " + version);
        switch (type) {
            case YamuxProtocol.TYPE_DATA -> onDataHeader(streamId, flags, length);
            case YamuxProtocol.TYPE_WINDOW_UPDATE -> onWindowUpdate(streamId, flags, length);
            case YamuxProtocol.TYPE_PING -> onPing(flags, (int) length);
            case YamuxProtocol.TYPE_GO_AWAY -> remoteGoAway = true;
            default -> throw new ProtocolViolation("unknown yamux frame type " + type);
        }
    }

    private void onDataHeader(int streamId, int flags, long length) {
        YamuxStream stream = streamFor(streamId, flags);
        if (stream != null && length > 0 && stream.remoteFinReceived && !stream.isClosed()) {
            throw new ProtocolViolation("data on stream " + streamId + " after the remote closed it (FIN)");
        }
        if (stream != null && length > stream.receiveWindow) {
            throw new ProtocolViolation("data frame of " + length + " bytes exceeds the stream window of " + stream.receiveWindow);
        }
        if (stream == null && length > config.maxStreamWindow()) {
            throw new ProtocolViolation("data frame of " + length + " bytes for an unknown stream");
        }
        dataStream = stream;
        dataFlags = flags;
        dataRemaining = (int) length;
        if (dataRemaining == 0) endOfData();
    }

    private void readData(ByteBuf in) {
        int n = Math.min(dataRemaining, in.readableBytes());
        dataRemaining -= n;
        if (dataStream != null && !dataStream.isClosed() && !dataStream.remoteFinReceived) {
            // A small part of a large frame is copied: a view would pin the whole frame while buffered.
            dataStream.dataReceived(n < in.capacity() / 2 ? in.readBytes(n) : in.readRetainedSlice(n));
        } else {
            in.skipBytes(n); // data for a stream we already closed or reset: discard
        }
        if (dataRemaining == 0) endOfData();
    }

    private void endOfData() {
        YamuxStream stream = dataStream;
        dataStream = null;
        if (stream != null) applyCloseFlags(stream, dataFlags);
    }

    private void onWindowUpdate(int streamId, int flags, long delta) {
        YamuxStream stream = streamFor(streamId, flags);
        if (stream == null) return;
        stream.sendWindow += delta;
        if (stream.sendWindow > 0xFFFFFFFFL) throw new ProtocolViolation("window update overflows the stream window");
        applyCloseFlags(stream, flags);
        if (stream.hasSendWork()) flushStream(stream);
    }

    private void onPing(int flags, int opaque) {
        if ((flags & YamuxProtocol.FLAG_SYN) != 0) {
            writeFrame(YamuxProtocol.TYPE_PING, YamuxProtocol.FLAG_ACK, 0, opaque, null);
        } else if ((flags & YamuxProtocol.FLAG_ACK) != 0 && (opaque & 0xFFFFFFFFL) == pingOutstanding) {
            pingOutstanding = -1;
        }
    }

    /**
     * Finds the stream a frame is for, opening it on SYN. Returns null for frames of streams that
     * are gone (they may cross our RST) and for refused streams.
     */
    private YamuxStream streamFor(int streamId, int flags) {
        if (streamId == 0) throw new ProtocolViolation("stream frame on stream id 0");
        YamuxStream stream = streams.get(streamId);
        if ((flags & YamuxProtocol.FLAG_SYN) == 0) return stream;
        if (stream != null) throw new ProtocolViolation("SYN for stream " + streamId + " which is open");
        boolean remoteParity = (streamId & 1) == (client ? 0 : 1);
        if (!remoteParity) throw new ProtocolViolation("SYN for stream " + streamId + " with our parity");
        if (localGoAway || streams.size() >= config.maxStreams() || !events.allowInboundStream()) {
            writeFrame(YamuxProtocol.TYPE_WINDOW_UPDATE, YamuxProtocol.FLAG_RST, streamId, 0, null);
            // A peer that keeps opening streams while refused, with none accepted in between, is
            // flooding us rather than overshooting a burst.
            if (++refusedStreams > config.maxStreams()) {
                throw new ProtocolViolation("peer kept opening streams past the limit (" + refusedStreams + " refused)");
            }
            return null;
        }
        refusedStreams = 0;
        stream = new YamuxStream(this, streamId, Direction.INBOUND, ctx.executor());
        streams.put(streamId, stream);
        disarmIdleTimer();
        growWindow(stream, YamuxProtocol.FLAG_ACK);
        events.inboundStream(stream);
        return stream;
    }

    private void applyCloseFlags(YamuxStream stream, int flags) {
        if ((flags & YamuxProtocol.FLAG_RST) != 0) {
            stream.terminate(new YamuxException("stream was reset by the remote"));
        } else if ((flags & YamuxProtocol.FLAG_FIN) != 0 && !stream.remoteFinReceived) {
            stream.remoteFin();
        }
    }

    // ---------------------------------------------------------------- outbound frames

    /** Sends SYN or ACK together with the grant that grows the window to its configured size. */
    private void growWindow(YamuxStream stream, int flag) {
        int grant = config.maxStreamWindow() - YamuxProtocol.INITIAL_WINDOW;
        stream.receiveWindow += grant;
        writeFrame(YamuxProtocol.TYPE_WINDOW_UPDATE, flag, stream.id(), grant, null);
        ctx.flush();
    }

    void sendWindowUpdate(YamuxStream stream, int delta, int flags) {
        writeFrame(YamuxProtocol.TYPE_WINDOW_UPDATE, flags, stream.id(), delta, null);
        // Grants also come from resumeReading/setReceiver, outside any read: no readComplete flushes them.
        ctx.flush();
    }

    void sendReset(YamuxStream stream) {
        if (!ctx.channel().isActive()) return;
        writeFrame(YamuxProtocol.TYPE_WINDOW_UPDATE, YamuxProtocol.FLAG_RST, stream.id(), 0, null);
        ctx.flush();
    }

    /**
     * Sends what the stream has queued, as far as its window and the socket allow. A writer told
     * of a completed write may write again at once; such nested requests are queued and served
     * by the outermost call, so frames keep their order and the stack stays flat.
     */
    void flushStream(YamuxStream stream) {
        if (flushing) {
            if (!flushLater.contains(stream)) flushLater.add(stream);
            return;
        }
        flushing = true;
        try {
            flushOne(stream);
            YamuxStream next;
            while ((next = flushLater.poll()) != null) flushOne(next);
        } finally {
            flushing = false;
        }
    }

    private void flushOne(YamuxStream stream) {
        if (!ctx.channel().isActive()) return;
        if (!ctx.channel().isWritable()) {
            if (!sendReady.contains(stream)) sendReady.add(stream);
            return;
        }
        boolean wrote = false;
        while (stream.hasSendWork() && !stream.isClosed()) {
            if (!ctx.channel().isWritable()) {
                if (!sendReady.contains(stream)) sendReady.add(stream);
                break;
            }
            if (stream.finIsNext()) {
                writeFrame(YamuxProtocol.TYPE_DATA, YamuxProtocol.FLAG_FIN, stream.id(), 0, null);
                stream.finWritten();
            } else {
                ByteBuf chunk = stream.takeChunk(config.maxDataFrame());
                writeFrame(YamuxProtocol.TYPE_DATA, 0, stream.id(), chunk.readableBytes(), chunk);
                stream.chunkWritten();
            }
            wrote = true;
        }
        if (wrote) ctx.flush();
    }

    private void writeFrame(int type, int flags, int streamId, int length, ByteBuf payload) {
        ByteBuf frame = header(type, flags, streamId, length);
        if (payload == null) {
            ctx.write(frame, ctx.voidPromise());
        } else {
            ctx.write(ctx.alloc().compositeDirectBuffer(2).addComponents(true, frame, payload), ctx.voidPromise());
        }
    }

    private ByteBuf header(int type, int flags, int streamId, int length) {
        return ctx.alloc().directBuffer(YamuxProtocol.HEADER_LENGTH)
                .writeByte(YamuxProtocol.VERSION)
                .writeByte(type)
                .writeShort(flags)
                .writeInt(streamId)
                .writeInt(length);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            if (writeStallTimer != null) {
                writeStallTimer.cancel(false);
                writeStallTimer = null;
            }
            int n = sendReady.size();
            for (int i = 0; i < n && ctx.channel().isWritable(); i++) {
                flushStream(sendReady.poll());
            }
        } else if (writeStallTimer == null) {
            writeStallTimer = ctx.executor().schedule(() -> {
                writeStallTimer = null;
                if (!ctx.channel().isWritable()) violation("peer stopped reading for " + config.writeStallTimeout().toMillis() + " ms");
            }, config.writeStallTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---------------------------------------------------------------- bookkeeping

    void bufferedChanged(long delta) {
        bufferedBytes += delta;
        budget.add(delta);
        updateReading();
    }

    /**
     * Stops reading the socket while this connection or the whole host holds too much for
     * paused readers, and starts again once the connection has drained to half and the host
     * has room.
     */
    private void updateReading() {
        boolean autoRead = ctx.channel().config().isAutoRead();
        boolean overOwnCap = bufferedBytes > config.maxBufferedBytes();
        if (overOwnCap) pausedForOwnCap = true;
        if (autoRead && (overOwnCap || budget.isExhausted())) {
            ctx.channel().config().setAutoRead(false);
            budget.await(this);
            return;
        }
        // Paused by our own cap: wait until half of it is free, so reading does not flap.
        boolean ownRoom = pausedForOwnCap ? bufferedBytes <= config.maxBufferedBytes() / 2 : !overOwnCap;
        if (!autoRead && ownRoom && budget.hasRoom()) {
            pausedForOwnCap = false;
            budget.forget(this);
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Called by the budget, from any thread, when the host has room again. */
    void budgetFreed() {
        if (ctx != null && ctx.channel().isActive()) execute(this::updateReading);
    }

    void streamClosed(YamuxStream stream) {
        streams.remove(stream.id());
        sendReady.remove(stream);
        if (ctx != null && ctx.channel().isActive()) armIdleTimer();
    }

    void receiverFailed(YamuxStream stream, RuntimeException e) {
        // A bug in our own protocol handler: it costs that stream, never the connection, the
        // event loop or the peer's reputation.
        LOG.log(Level.SEVERE, "receiver of " + stream + " failed", e);
        stream.reset();
    }

    /**
     * Hangs up on a peer that broke the protocol, telling it why: GoAway(protocol error), then a
     * half-close once that is flushed, and the full close after {@link #HANG_UP_GRACE} or when the
     * peer hangs up. Closing at once would reset the connection while the peer's flood sits
     * unread in our socket buffer, and a reset throws away what we sent it, GoAway included.
     * What the peer sends meanwhile is discarded.
     */
    private void violation(String reason) {
        if (!ctx.channel().isActive() || hangingUp) return;
        hangingUp = true;
        localGoAway = true;
        events.violation(reason);
        ChannelFuture sent = ctx.writeAndFlush(header(YamuxProtocol.TYPE_GO_AWAY, 0, 0, YamuxProtocol.GO_AWAY_PROTOCOL_ERROR));
        if (ctx.channel() instanceof DuplexChannel duplex) {
            sent.addListener(f -> duplex.shutdownOutput());
            ctx.executor().schedule(() -> ctx.close(), HANG_UP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (writeStallTimer != null) writeStallTimer.cancel(false);
        if (keepAliveTimer != null) keepAliveTimer.cancel(false);
        disarmIdleTimer();
        YamuxException closed = new YamuxException("connection closed");
        for (YamuxStream stream : List.copyOf(streams.values())) stream.terminate(closed);
        budget.forget(this);
        ctx.fireChannelInactive();
    }

    private int readInt(int offset) {
        return ((header[offset] & 0xFF) << 24) | ((header[offset + 1] & 0xFF) << 16)
                | ((header[offset + 2] & 0xFF) << 8) | (header[offset + 3] & 0xFF);
    }

    /** Thrown inside the parser; turns into GoAway(protocol error) and a closed connection. */
    private static final class ProtocolViolation extends RuntimeException {
        ProtocolViolation(String message) {
            super(message, null, false, false);
        }
    }
}
