package dev.ferry.overlay;

import io.netty.buffer.ByteBuf;

/** Receives what arrives on a {@link Stream}, on the stream's connection event loop. */
public interface StreamReceiver {
    /**
     * Bytes from the remote. The buffer is released when this returns: retain or copy what is kept.
     * Returning counts the bytes as consumed, which grants the remote more window.
     */
    void onData(Stream stream, ByteBuf data);

    /** The remote closed its write side: no more data will arrive. */
    default void onRemoteClosed(Stream stream) {}

    /**
     * The stream is over: both sides closed, or it was reset. {@code cause} is null for a clean
     * close and says why otherwise.
     */
    default void onClosed(Stream stream, Throwable cause) {}
}
