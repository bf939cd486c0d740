package dev.ferry.overlay.host;

import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Direction;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.multistream.DialerNegotiation;
import dev.ferry.overlay.yamux.YamuxSession;
import dev.ferry.overlay.yamux.YamuxStream;
import io.netty.channel.Channel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/** A {@link Connection} over a Netty channel carrying Noise and a {@link YamuxSession}. */
final class PeerConnection implements Connection {
    private final NettyHost host;
    private final Channel channel;
    private final YamuxSession session;
    private final PeerId remotePeer;
    private final IdentityPublicKey remoteKey;
    private final Direction direction;
    private final Multiaddr remoteAddress;
    private final Multiaddr localAddress;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

    PeerConnection(NettyHost host, Channel channel, YamuxSession session, PeerId remotePeer, IdentityPublicKey remoteKey,
                   Direction direction, Multiaddr remoteAddress, Multiaddr localAddress) {
        this.host = host;
        this.channel = channel;
        this.session = session;
        this.remotePeer = remotePeer;
        this.remoteKey = remoteKey;
        this.direction = direction;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        channel.closeFuture().addListener(f -> closeFuture.complete(null));
    }

    @Override
    public PeerId remotePeer() {
        return remotePeer;
    }

    IdentityPublicKey remoteKey() {
        return remoteKey;
    }

    /** True once no new stream can open here: GoAway sent or received, or the channel closed. */
    boolean isClosing() {
        return session.isClosing();
    }

    Channel channel() {
        return channel;
    }

    @Override
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Multiaddr localAddress() {
        return localAddress;
    }

    @Override
    public Direction direction() {
        return direction;
    }

    @Override
    public CompletableFuture<Stream> newStream(String... protocols) {
        DialerNegotiation negotiation = new DialerNegotiation(Arrays.asList(protocols));
        return session.openStream().thenCompose(stream -> {
            stream.connection(this);
            return StreamNegotiator.dial(stream, channel.alloc(), channel.eventLoop(),
                    host.config().streamNegotiationTimeout(), negotiation).thenApply(p -> {
                        host.metrics().streamOpened(Direction.OUTBOUND);
                        return (Stream) stream;
                    });
        });
    }

    /** Serves a stream the remote opened: negotiate, then hand it to the protocol's handler. */
    void inboundStream(YamuxStream stream) {
        stream.connection(this);
        StreamNegotiator.listen(stream, channel.alloc(), channel.eventLoop(), host.config().streamNegotiationTimeout(),
                host.listenerNegotiation()).whenComplete((protocol, error) -> {
            if (error != null) return; // the negotiator already reset the stream
            host.dispatch(protocol, stream);
        });
    }

    @Override
    public int streamCount() {
        return session.streamCount();
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public CompletableFuture<Void> close() {
        if (channel.isActive()) {
            session.goAway(0);
            channel.eventLoop().execute(channel::close);
        }
        return closeFuture;
    }

    @Override
    public void closeForViolation(String reason) {
        host.violation(this, reason);
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public String toString() {
        return "Connection[" + remotePeer + " " + direction + " " + remoteAddress + "]";
    }
}
