package dev.ferry.overlay.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.fuzz.FuzzFixtures;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.ConnectionListener;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.PeerInfo;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.PeerStore;
import dev.ferry.overlay.ProtocolHandler;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.host.MemoryPeerStore;
import dev.ferry.overlay.identify.IdentifyProtocol;
import dev.ferry.overlay.identify.IdentifyService;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Identify push: the remote's stream bytes (length-prefixed Identify protobuf) go through the
 * service's reader. Contract: the peer store gets what was read, within
 * {@link IdentifyProtocol#MAX_LISTED} protocols and addresses, or the connection is closed for a
 * violation with a reason; nothing is thrown at the stream.
 */
class IdentifyFuzzTest {
    static final IdentityKeyPair REMOTE = FuzzFixtures.nodeKey(21);
    private static final IdentityKeyPair LOCAL = FuzzFixtures.nodeKey(22);

    /** The input is what arrives on the push stream, cut into reads at the sizes its first byte picks. */
    @FuzzTest
    void identifyPush(byte[] input) {
        FakeHost host = new FakeHost();
        new IdentifyService(host, LOCAL.publicKey(), "ferry/fuzz", "ipfs/0.1.0", List::of);
        FakeStream stream = new FakeStream(REMOTE.peerId());
        host.handlers.get(IdentifyProtocol.PUSH_PROTOCOL_ID).handle(stream);
        if (stream.receiver == null) throw new AssertionError("push handler attached no receiver");
        int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0xFF);
        for (int i = 0; i < input.length && stream.violations.isEmpty(); i += chunk) {
            stream.receiver.onData(stream, Unpooled.wrappedBuffer(Arrays.copyOfRange(input, i, Math.min(input.length, i + chunk))));
        }
        stream.receiver.onRemoteClosed(stream);
        stream.receiver.onClosed(stream, null);
        Optional<PeerInfo> info = host.peerStore.info(REMOTE.peerId());
        if (info.isPresent()) {
            if (info.get().protocols().size() > IdentifyProtocol.MAX_LISTED
                    || info.get().listenAddresses().size() > IdentifyProtocol.MAX_LISTED) {
                throw new AssertionError("kept more than " + IdentifyProtocol.MAX_LISTED + " entries: " + info.get());
            }
        }
        for (String reason : stream.violations) {
            if (reason == null || reason.isBlank()) throw new AssertionError("violation without a reason");
        }
    }

    /**
     * A host with handlers, a peer store and a protocol list, and no network: like a closed host,
     * it answers listening, dialling and new streams with a failed future saying so.
     */
    private static final class FakeHost implements Host {
        final Map<String, ProtocolHandler> handlers = new HashMap<>();
        final PeerStore peerStore = new MemoryPeerStore(16);

        @Override public PeerId peerId() { return LOCAL.peerId(); }
        @Override public CompletableFuture<Multiaddr> listen(Multiaddr address) { return noNetwork(); }
        @Override public List<Multiaddr> listenAddresses() { return List.of(); }
        @Override public CompletableFuture<Connection> dial(Multiaddr address) { return noNetwork(); }
        @Override public CompletableFuture<Connection> dial(PeerId peer) { return noNetwork(); }
        @Override public CompletableFuture<Stream> newStream(PeerId peer, String... protocols) { return noNetwork(); }
        @Override public void setProtocolHandler(String protocolId, ProtocolHandler handler) { handlers.put(protocolId, handler); }
        @Override public void removeProtocolHandler(String protocolId) { handlers.remove(protocolId); }
        @Override public Set<String> protocols() { return handlers.keySet(); }
        @Override public Collection<Connection> connections() { return List.of(); }
        @Override public List<Connection> connections(PeerId peer) { return List.of(); }
        @Override public void addConnectionListener(ConnectionListener listener) { }
        @Override public PeerStore peerStore() { return peerStore; }
        @Override public CompletableFuture<Void> close() { return CompletableFuture.completedFuture(null); }

        private static <T> CompletableFuture<T> noNetwork() {
            return CompletableFuture.failedFuture(new OverlayException("the identify fuzz host has no network"));
        }
    }
}
