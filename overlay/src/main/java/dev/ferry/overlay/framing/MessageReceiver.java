package dev.ferry.overlay.framing;

import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import io.netty.buffer.ByteBuf;

/**
 * Splits a stream into unsigned-varint length-prefixed messages of at most {@code maxMessageSize}
 * bytes and hands each one, whole, to {@link #onMessage}. A length over the limit resets the
 * stream before a byte of the message is buffered, so a remote cannot make us hold more than
 * one maximal message per stream.
 *
 * <p>Whole messages are read straight out of what arrives; only the bytes of a partial message
 * are kept, copied. Keeping a view instead would keep the whole buffer it is a view of (a
 * decrypted frame of up to 64 KiB), and a remote sending a message one byte per frame could make
 * each byte cost a frame.
 */
public abstract class MessageReceiver implements StreamReceiver {
    /** A length prefix longer than this cannot describe a message we would accept. */
    private static final int MAX_PREFIX_BYTES = 5;

    private final int maxMessageSize;
    /** The start of a partial message, copied; null when there is none. */
    private ByteBuf pending;
    /** Set once the stream is malformed or closed: nothing more is read or kept. */
    private boolean done;

    protected MessageReceiver(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** One whole message; the buffer is released after this returns. */
    protected abstract void onMessage(Stream stream, ByteBuf message);

    /** The remote sent something that is not a valid message stream; the default resets. */
    protected void onMalformed(Stream stream, String reason) {
        stream.reset();
    }

    @Override
    public final void onData(Stream stream, ByteBuf data) {
        if (done) return;
        ByteBuf in = data;
        if (pending != null) {
            pending.writeBytes(data);
            in = pending;
        }
        while (!done && in.isReadable()) {
            int start = in.readerIndex();
            long length = 0;
            int i = 0;
            boolean complete = false;
            while (i < MAX_PREFIX_BYTES && start + i < in.writerIndex()) {
                int b = in.getByte(start + i) & 0xFF;
                length |= (long) (b & 0x7F) << (7 * i);
                i++;
                if ((b & 0x80) == 0) {
                    complete = true;
                    break;
                }
            }
            if (!complete) {
                if (i == MAX_PREFIX_BYTES) malformed(stream, "message length prefix is too long");
                break;
            }
            if (length > maxMessageSize) {
                malformed(stream, "message of " + length + " bytes exceeds the limit of " + maxMessageSize);
                break;
            }
            if (in.writerIndex() - start - i < length) break;
            in.skipBytes(i);
            ByteBuf message = in.readRetainedSlice((int) length);
            try {
                onMessage(stream, message);
            } finally {
                message.release();
            }
        }
        if (done) return; // released already, by malformed() or onClosed()
        keepRest(in);
    }

    /** Keeps the partial message left in {@code in} (bounded by the limit checked above). */
    private void keepRest(ByteBuf in) {
        if (in == pending) {
            if (pending.isReadable()) {
                pending.discardReadBytes();
            } else {
                release();
            }
        } else if (in.isReadable()) {
            pending = in.alloc().heapBuffer(in.readableBytes());
            pending.writeBytes(in);
        }
    }

    @Override
    public void onClosed(Stream stream, Throwable cause) {
        done = true;
        release();
    }

    /** True when no partial message is waiting for more bytes. */
    protected final boolean isIdle() {
        return pending == null || !pending.isReadable();
    }

    private void malformed(Stream stream, String reason) {
        done = true;
        release();
        onMalformed(stream, reason);
    }

    private void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
