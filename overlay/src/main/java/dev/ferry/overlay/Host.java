package dev.ferry.overlay;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A libp2p host: listens, dials, secures and multiplexes connections, and routes inbound streams
 * to protocol handlers by protocol id. The DHT, pubsub and messenger depend on this interface
 * only.
 */
public interface Host {
    PeerId peerId();

    /** Starts listening; completes with the bound address (port 0 becomes the real port). */
    CompletableFuture<Multiaddr> listen(Multiaddr address);

    /** The addresses we listen on, each without {@code /p2p/}. */
    List<Multiaddr> listenAddresses();

    /**
     * Connects to {@code address}. With a {@code /p2p/} component the remote must prove that
     * identity in the Noise handshake or the dial fails; without one, any peer is accepted. An
     * existing connection to the named peer is reused.
     */
    CompletableFuture<Connection> dial(Multiaddr address);

    /** Connects to {@code peer}, reusing a connection or dialling its known addresses in turn. */
    CompletableFuture<Connection> dial(PeerId peer);

    /** Dials {@code peer} if needed, then opens a stream to the first protocol it supports. */
    CompletableFuture<Stream> newStream(PeerId peer, String... protocols);

    /** Serves inbound streams of {@code protocolId}; replaces an earlier handler of the same id. */
    void setProtocolHandler(String protocolId, ProtocolHandler handler);

    void removeProtocolHandler(String protocolId);

    /** The protocol ids we serve, as identify announces them. */
    Set<String> protocols();

    Collection<Connection> connections();

    List<Connection> connections(PeerId peer);

    void addConnectionListener(ConnectionListener listener);

    PeerStore peerStore();

    /** Closes every connection and listener and releases the host's threads. */
    CompletableFuture<Void> close();
}
