package dev.ferry.overlay;

import dev.ferry.crypto.PeerId;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * One multiplexed, flow-controlled byte stream on a {@link Connection}, already negotiated to a
 * protocol. All callbacks of a stream run on its connection's event loop, one at a time; its
 * methods may be called from any thread.
 *
 * <p>Backpressure both ways: {@link #write} completes only when the remote's receive window has
 * room and the bytes went to the connection, so a writer that waits for it never outruns a slow
 * reader; and a receiver that calls {@link #pauseReading()} stops granting window to the remote,
 * which then stops sending.
 */
public interface Stream {
    /** The protocol id this stream was negotiated to. */
    String protocol();

    Connection connection();

    default PeerId remotePeer() {
        return connection().remotePeer();
    }

    Direction direction();

    /**
     * Sets who receives this stream's data. Set it in the protocol handler (inbound) or when the
     * open future completes (outbound); data that arrived before is delivered then, in order.
     */
    void setReceiver(StreamReceiver receiver);

    /**
     * Writes {@code data}, taking ownership of it. The future completes when the bytes were handed
     * to the connection, or fails if the stream was reset or closed for writing.
     */
    CompletableFuture<Void> write(ByteBuf data);

    /** Half-closes: no more writes from us (yamux FIN); the remote may still send. */
    CompletableFuture<Void> closeWrite();

    /** Closes both directions abruptly (yamux RST); pending writes fail. */
    void reset();

    /** Stops delivering data and stops granting receive window, until {@link #resumeReading()}. */
    void pauseReading();

    void resumeReading();

    /**
     * Whether this stream keeps its connection from being closed as idle; true when opened. A
     * long-lived background stream (pubsub's, to a peer we share no topic with) sets it to false,
     * so the connection still closes once nothing else has used it for the idle timeout.
     */
    void keepConnectionOpen(boolean keep);

    /** Completes when the stream is fully closed (both sides done) or reset. */
    CompletableFuture<Void> closeFuture();
}
