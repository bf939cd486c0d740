package dev.ferry.overlay;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.concurrent.CompletableFuture;

/** A secured (Noise) and multiplexed (Yamux) connection to one authenticated peer. */
public interface Connection {
    PeerId remotePeer();

    /** The remote's address as we see it (what identify reports as its observed address). */
    Multiaddr remoteAddress();

    Multiaddr localAddress();

    Direction direction();

    /**
     * Opens a stream and negotiates the first of {@code protocols} (in order of preference) that
     * the remote supports. Fails with {@link ProtocolNotSupportedException} when it supports none.
     */
    CompletableFuture<Stream> newStream(String... protocols);

    /** Number of streams open now. */
    int streamCount();

    boolean isOpen();

    /** Closes gracefully (yamux GoAway, then the socket). */
    CompletableFuture<Void> close();

    /**
     * Closes because the remote broke a protocol; the host counts it against the peer and bans a
     * repeat offender for a while.
     */
    void closeForViolation(String reason);

    /** Completes when the connection is closed, for whatever reason. */
    CompletableFuture<Void> closeFuture();
}
