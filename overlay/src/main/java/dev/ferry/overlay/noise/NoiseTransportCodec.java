package dev.ferry.overlay.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * The Noise transport after the handshake: every frame is a 2-byte big-endian length and a
 * ChaCha20-Poly1305 message of at most {@value #MAX_FRAME_LENGTH} bytes (ciphertext and tag).
 *
 * <p>Inbound, frames are reassembled from arbitrarily chunked reads, decrypted into pooled heap
 * buffers and fired downstream as plaintext {@link ByteBuf}s; a frame shorter than its tag or
 * failing authentication fires a {@link NoiseTransportException} and closes the connection.
 * Outbound, {@link ByteBuf} writes are gathered until the flush and cut into frames of at most
 * {@value #MAX_PLAINTEXT_LENGTH} plaintext bytes: yamux writes many small frames per flush (a
 * header, a window update, a short message), and each Noise frame costs a cipher set-up that
 * outweighs encrypting a few hundred bytes. A write's promise completes when the flush that sent
 * it is written. Anything else written is refused, so plaintext never leaks.
 *
 * <p>Buffers are heap buffers on purpose: the JDK cipher works on arrays, so a heap frame is
 * encrypted or decrypted in a single pass with at most one copy from or to the socket's direct
 * buffers.
 */
public final class NoiseTransportCodec extends ChannelDuplexHandler {
    /** The largest frame body: Noise's message limit, which is also all the 2-byte prefix can say. */
    public static final int MAX_FRAME_LENGTH = NoiseProtocol.MAX_MESSAGE_LENGTH;
    /** The most plaintext one frame carries: {@value} bytes. */
    public static final int MAX_PLAINTEXT_LENGTH = NoiseProtocol.MAX_PLAINTEXT_LENGTH;

    private static final int TAG_LENGTH = NoiseProtocol.TAG_LENGTH;
    private static final int PREFIX_LENGTH = NoiseProtocol.LENGTH_PREFIX_LENGTH;

    private enum State {
        /** Waiting for (the rest of) a length prefix. */
        READ_LENGTH,
        /** Collecting the body of a frame that arrived in pieces. */
        READ_FRAME,
        /** The connection broke the protocol; everything further is dropped. */
        FAILED,
    }

    private final CipherState sender;
    private final CipherState receiver;
    private State state = State.READ_LENGTH;
    /** The high byte of a length prefix split across two reads, or -1. */
    private int pendingLengthByte = -1;
    private int frameLength;
    /** The partial frame in READ_FRAME: a heap buffer that is decrypted in place once full. */
    private ByteBuf frame;
    /** Plaintext written since the last flush, less than a frame once whole frames went out; null when none. */
    private CompositeByteBuf pending;
    /** The promises of the writes in {@link #pending}, completed with the frame that ends the flush. */
    private final List<ChannelPromise> waiting = new ArrayList<>();

    /**
     * @param sender encrypts outbound data (from {@link XXHandshake.TransportCiphers#sender()})
     * @param receiver decrypts inbound data (from {@link XXHandshake.TransportCiphers#receiver()})
     */
    public NoiseTransportCodec(CipherState sender, CipherState receiver) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.receiver = Objects.requireNonNull(receiver, "receiver");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            decode(ctx, in);
        } finally {
            in.release();
        }
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            switch (state) {
                case FAILED -> {
                    return;
                }
                case READ_LENGTH -> {
                    if (pendingLengthByte >= 0) {
                        frameLength = (pendingLengthByte << 8) | in.readUnsignedByte();
                        pendingLengthByte = -1;
                    } else if (in.readableBytes() >= PREFIX_LENGTH) {
                        frameLength = in.readUnsignedShort();
                    } else {
                        pendingLengthByte = in.readUnsignedByte();
                        return;
                    }
                    if (frameLength < TAG_LENGTH) {
                        fail(ctx, "Noise transport frame of " + frameLength + " bytes is shorter than its "
                                + TAG_LENGTH + "-byte tag");
                        return;
                    }
                    if (in.readableBytes() >= frameLength) {
                        decryptWhole(ctx, in);
                    } else {
                        frame = ctx.alloc().heapBuffer(frameLength, frameLength);
                        state = State.READ_FRAME;
                    }
                }
                case READ_FRAME -> {
                    frame.writeBytes(in, Math.min(in.readableBytes(), frame.writableBytes()));
                    if (!frame.isWritable()) {
                        ByteBuf full = frame;
                        frame = null;
                        state = State.READ_LENGTH;
                        decryptInPlace(ctx, full);
                    }
                }
            }
        }
    }

    /** Decrypts a frame that {@code in} holds entirely. */
    private void decryptWhole(ChannelHandlerContext ctx, ByteBuf in) {
        if (!in.hasArray()) {
            // Direct (socket) memory: one copy into a heap buffer, then decrypt in place there.
            ByteBuf copy = ctx.alloc().heapBuffer(frameLength, frameLength);
            copy.writeBytes(in, frameLength);
            decryptInPlace(ctx, copy);
            return;
        }
        int plaintextLength = frameLength - TAG_LENGTH;
        ByteBuf out = ctx.alloc().heapBuffer(plaintextLength, plaintextLength);
        try {
            receiver.decrypt(in.nioBuffer(in.readerIndex(), frameLength), out.nioBuffer(0, plaintextLength));
        } catch (AEADBadTagException | RuntimeException e) {
            out.release();
            failDecrypt(ctx, e);
            return;
        }
        in.skipBytes(frameLength);
        out.writerIndex(plaintextLength);
        emit(ctx, out);
    }

    /** Decrypts the full frame in {@code buf} into its own memory and emits it. */
    private void decryptInPlace(ChannelHandlerContext ctx, ByteBuf buf) {
        int start = buf.readerIndex();
        int plaintextLength = frameLength - TAG_LENGTH;
        try {
            receiver.decrypt(buf.nioBuffer(start, frameLength), buf.nioBuffer(start, plaintextLength));
        } catch (AEADBadTagException | RuntimeException e) {
            buf.release();
            failDecrypt(ctx, e);
            return;
        }
        buf.writerIndex(start + plaintextLength);
        emit(ctx, buf);
    }

    private static void emit(ChannelHandlerContext ctx, ByteBuf plaintext) {
        if (plaintext.isReadable()) {
            ctx.fireChannelRead(plaintext);
        } else {
            plaintext.release(); // an empty message carries nothing for the layers above
        }
    }

    private void failDecrypt(ChannelHandlerContext ctx, Exception e) {
        fail(ctx, e instanceof NoiseTransportException t ? t.getMessage()
                : "Noise transport frame failed authentication (tampered, truncated or out of order)");
    }

    private void fail(ChannelHandlerContext ctx, String message) {
        state = State.FAILED;
        releaseFrame();
        ctx.fireExceptionCaught(new NoiseTransportException(message));
        ctx.close();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf plaintext)) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new NoiseTransportException(
                    "Noise transport can only encrypt ByteBufs, not " + msg.getClass().getSimpleName()));
            return;
        }
        if (!promise.isVoid()) waiting.add(promise);
        if (!plaintext.isReadable()) {
            plaintext.release();
            return;
        }
        if (pending == null) pending = ctx.alloc().compositeHeapBuffer(Integer.MAX_VALUE);
        pending.addComponent(true, plaintext);
        // Whole frames go out at once: what waits for the flush stays under one frame.
        if (pending.readableBytes() >= MAX_PLAINTEXT_LENGTH) encryptPending(ctx, false);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        encryptPending(ctx, true);
        ctx.flush();
    }

    /**
     * Encrypts what was written since the last flush into as few frames as it fills: whole ones,
     * or with {@code all} the rest too, and then completes the writes' promises with the last
     * frame (frames are written in order, and a failure fails the ones after it).
     */
    private void encryptPending(ChannelHandlerContext ctx, boolean all) {
        try {
            ChannelFuture last = null;
            while (pending != null && (pending.readableBytes() >= MAX_PLAINTEXT_LENGTH || (all && pending.isReadable()))) {
                ByteBuf frameOut = encryptFrame(ctx, pending, Math.min(pending.readableBytes(), MAX_PLAINTEXT_LENGTH));
                boolean more = pending.readableBytes() >= MAX_PLAINTEXT_LENGTH || (all && pending.isReadable());
                if (more || !all || waiting.isEmpty()) {
                    ctx.write(frameOut, ctx.voidPromise());
                } else {
                    last = ctx.write(frameOut);
                }
            }
            if (pending != null) pending.discardReadComponents();
            if (!all || waiting.isEmpty()) return;
            List<ChannelPromise> promises = List.copyOf(waiting);
            waiting.clear();
            if (last == null) {
                promises.forEach(ChannelPromise::trySuccess); // empty writes only
            } else {
                last.addListener(f -> {
                    for (ChannelPromise p : promises) {
                        if (f.isSuccess()) p.trySuccess();
                        else p.tryFailure(f.cause());
                    }
                });
            }
        } catch (RuntimeException e) {
            // Only an exhausted nonce gets here: the session cannot go on.
            failPending(e);
            ctx.close();
        }
    }

    /** Drops what waits for a flush, failing its promises. */
    private void failPending(Throwable cause) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        List<ChannelPromise> promises = List.copyOf(waiting);
        waiting.clear();
        promises.forEach(p -> p.tryFailure(cause));
    }

    /** One frame (prefix, ciphertext, tag) holding the next {@code length} bytes of {@code plaintext}. */
    private ByteBuf encryptFrame(ChannelHandlerContext ctx, ByteBuf plaintext, int length) {
        int bodyLength = length + TAG_LENGTH;
        ByteBuf out = ctx.alloc().heapBuffer(PREFIX_LENGTH + bodyLength, PREFIX_LENGTH + bodyLength);
        try {
            out.writeShort(bodyLength);
            ByteBuffer source;
            if (plaintext.hasArray()) {
                source = plaintext.nioBuffer(plaintext.readerIndex(), length);
            } else {
                // Direct or composite: one copy into the frame, then encrypt in place.
                out.setBytes(PREFIX_LENGTH, plaintext, plaintext.readerIndex(), length);
                source = out.nioBuffer(PREFIX_LENGTH, length);
            }
            sender.encrypt(source, out.nioBuffer(PREFIX_LENGTH, bodyLength));
            out.writerIndex(PREFIX_LENGTH + bodyLength);
            plaintext.skipBytes(length);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseFrame();
        failPending(new NoiseTransportException("the connection closed before the data was flushed"));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseFrame();
        failPending(new NoiseTransportException("the connection closed before the data was flushed"));
        ctx.fireChannelInactive();
    }

    private void releaseFrame() {
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }
}
