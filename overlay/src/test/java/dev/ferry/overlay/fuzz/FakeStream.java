package dev.ferry.overlay.fuzz;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Direction;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A stream on a connection to {@code remote} that records what a receiver does to it: resets, writes, violations. */
final class FakeStream implements Stream {
    final List<String> violations = new ArrayList<>();
    StreamReceiver receiver;
    int resets;
    private final Connection connection;

    FakeStream(PeerId remote) {
        this.connection = new FakeConnection(remote);
    }

    @Override public String protocol() { return "/fuzz/1.0.0"; }
    @Override public Connection connection() { return connection; }
    @Override public Direction direction() { return Direction.INBOUND; }
    @Override public void setReceiver(StreamReceiver receiver) { this.receiver = receiver; }
    @Override public CompletableFuture<Void> write(ByteBuf data) { data.release(); return CompletableFuture.completedFuture(null); }
    @Override public CompletableFuture<Void> closeWrite() { return CompletableFuture.completedFuture(null); }
    @Override public void reset() { resets++; }
    @Override public void pauseReading() { }
    @Override public void resumeReading() { }
    @Override public void keepConnectionOpen(boolean keep) { }
    @Override public CompletableFuture<Void> closeFuture() { return new CompletableFuture<>(); }

    private final class FakeConnection implements Connection {
        private final PeerId remote;

        FakeConnection(PeerId remote) {
            this.remote = remote;
        }

        @Override public PeerId remotePeer() { return remote; }
        @Override public Multiaddr remoteAddress() { return Multiaddr.parse("/ip4/192.0.2.1/tcp/4001"); }
        @Override public Multiaddr localAddress() { return Multiaddr.parse("/ip4/192.0.2.2/tcp/4001"); }
        @Override public Direction direction() { return Direction.INBOUND; }
        /** The fuzzed stream is the connection's only one; a service that asks for another hears why it cannot have it. */
        @Override public CompletableFuture<Stream> newStream(String... protocols) {
            return CompletableFuture.failedFuture(new OverlayException("the fuzzed connection opens no other stream"));
        }
        @Override public int streamCount() { return 1; }
        @Override public boolean isOpen() { return violations.isEmpty(); }
        @Override public CompletableFuture<Void> close() { return CompletableFuture.completedFuture(null); }
        @Override public void closeForViolation(String reason) { violations.add(reason); }
        @Override public CompletableFuture<Void> closeFuture() { return new CompletableFuture<>(); }
    }
}
