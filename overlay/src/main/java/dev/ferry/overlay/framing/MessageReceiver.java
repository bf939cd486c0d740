package dev.ferry.overlay.framing;

import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;

/**
 * Splits a stream into unsigned-varint length-prefixed messages of at most {@code maxMessageSize}
 * bytes and hands each one, whole, to {@link #onMessage}. A length over the limit resets the
 * stream before a byte of the message is buffered, so a remote cannot make us hold more than
 * one maximal message per stream.
 */
public abstract class MessageReceiver implements StreamReceiver {
    /** A length prefix longer than this cannot describe a message we would accept. */
    private static final int MAX_PREFIX_BYTES = 5;

    private final int maxMessageSize;
    private CompositeByteBuf pending;

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
        if (pending == null) pending = data.alloc().compositeBuffer(Integer.MAX_VALUE);
        pending.addComponent(true, data.retain());
        while (pending != null && pending.isReadable()) {
            int start = pending.readerIndex();
            long length = 0;
            int i = 0;
            boolean complete = false;
            while (i < MAX_PREFIX_BYTES && start + i < pending.writerIndex()) {
                int b = pending.getByte(start + i) & 0xFF;
                length |= (long) (b & 0x7F) << (7 * i);
                i++;
                if ((b & 0x80) == 0) {
                    complete = true;
                    break;
                }
            }
            if (!complete) {
                if (i == MAX_PREFIX_BYTES) malformed(stream, "message length prefix is too long");
                return;
            }
            if (length > maxMessageSize) {
                malformed(stream, "message of " + length + " bytes exceeds the limit of " + maxMessageSize);
                return;
            }
            if (pending.writerIndex() - start - i < length) return;
            // A copy, not a slice: dropping read components shifts the composite's indices, and
            // messages are small and bounded.
            pending.skipBytes(i);
            ByteBuf message = pending.readBytes((int) length);
            pending.discardReadComponents();
            try {
                onMessage(stream, message);
            } finally {
                message.release();
            }
        }
    }

    @Override
    public void onClosed(Stream stream, Throwable cause) {
        release();
    }

    /** True when no partial message is waiting for more bytes. */
    protected final boolean isIdle() {
        return pending == null || !pending.isReadable();
    }

    private void malformed(Stream stream, String reason) {
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
