package dev.ferry.overlay.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import java.nio.ByteBuffer;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * The Noise transport after the handshake: every frame is a 2-byte big-endian length and a
 * ChaCha20-Poly1305 message of at most {@value #MAX_FRAME_LENGTH} bytes (ciphertext and tag).
 *
 * <p>Inbound, frames are reassembled from arbitrarily chunked reads, decrypted into pooled heap
 * buffers and fired downstream as plaintext {@link ByteBuf}s; a frame shorter than its tag or
 * failing authentication fires a {@link NoiseTransportException} and closes the connection.
 * Outbound, {@link ByteBuf} writes of any size are cut into frames of at most
 * {@value #MAX_PLAINTEXT_LENGTH} plaintext bytes; the write's promise completes when all its
 * frames are written. Anything else written is refused, so plaintext never leaks.
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
        try {
            int length = plaintext.readableBytes();
            if (length == 0) {
                ctx.write(Unpooled.EMPTY_BUFFER, promise);
            } else if (length <= MAX_PLAINTEXT_LENGTH) {
                ctx.write(encryptFrame(ctx, plaintext, length), promise);
            } else {
                PromiseCombiner combiner = promise.isVoid() ? null : new PromiseCombiner(ctx.executor());
                while (plaintext.isReadable()) {
                    ByteBuf frameOut = encryptFrame(ctx, plaintext, Math.min(plaintext.readableBytes(), MAX_PLAINTEXT_LENGTH));
                    if (combiner == null) {
                        ctx.write(frameOut, ctx.voidPromise());
                    } else {
                        combiner.add(ctx.write(frameOut));
                    }
                }
                if (combiner != null) combiner.finish(promise);
            }
        } catch (RuntimeException e) {
            // Only an exhausted nonce gets here: the session cannot go on.
            promise.tryFailure(e);
            ctx.close();
        } finally {
            plaintext.release();
        }
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
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseFrame();
        ctx.fireChannelInactive();
    }

    private void releaseFrame() {
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }
}
