package dev.ferry.overlay.identify;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.ConnectionListener;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.PeerInfo;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import dev.ferry.overlay.identify.proto.IdentifyProto;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.multiaddr.MultiaddrFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Identify: answers {@code /ipfs/id/1.0.0} with who we are, asks every new connection's peer the
 * same, accepts {@code /ipfs/id/push/1.0.0} updates, and records what it learns in the peer store.
 */
public final class IdentifyService {
    private final Host host;
    private final String agentVersion;
    private final String protocolVersion;
    private final IdentityPublicKey publicKey;
    private final Supplier<List<Multiaddr>> listenAddresses;
    private final int maxMessageSize;
    private final Map<Connection, CompletableFuture<PeerInfo>> results = new WeakHashMap<>();
    private final List<Consumer<IdentifyEvent>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What identify learned on one connection. */
    public record IdentifyEvent(Connection connection, PeerInfo info) {}

    /**
     * @param listenAddresses the addresses to announce (usually {@link Host#listenAddresses()})
     */
    public IdentifyService(Host host, IdentityPublicKey publicKey, String agentVersion, String protocolVersion,
                           Supplier<List<Multiaddr>> listenAddresses) {
        this(host, publicKey, agentVersion, protocolVersion, listenAddresses, IdentifyProtocol.MAX_MESSAGE_SIZE);
    }

    /**
     * @param listenAddresses the addresses to announce (usually {@link Host#listenAddresses()})
     * @param maxMessageSize the largest identify message accepted; a larger one is a protocol
     *     violation. Capped at {@link IdentifyProtocol#MAX_MESSAGE_SIZE}.
     */
    public IdentifyService(Host host, IdentityPublicKey publicKey, String agentVersion, String protocolVersion,
                           Supplier<List<Multiaddr>> listenAddresses, int maxMessageSize) {
        if (maxMessageSize < 1) throw new IllegalArgumentException("maxMessageSize must be at least 1");
        this.maxMessageSize = Math.min(maxMessageSize, IdentifyProtocol.MAX_MESSAGE_SIZE);
        this.host = host;
        this.publicKey = publicKey;
        this.agentVersion = agentVersion;
        this.protocolVersion = protocolVersion;
        this.listenAddresses = listenAddresses;
        host.setProtocolHandler(IdentifyProtocol.PROTOCOL_ID, this::answer);
        host.setProtocolHandler(IdentifyProtocol.PUSH_PROTOCOL_ID, stream -> stream.setReceiver(new Reader(stream, true)));
        host.addConnectionListener(new ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                identify(connection);
            }
        });
    }

    /** Called with every identify result. */
    public void addListener(Consumer<IdentifyEvent> listener) {
        listeners.add(listener);
    }

    /** Identifies the peer of {@code connection}; runs once per connection and caches the result. */
    public CompletableFuture<PeerInfo> identify(Connection connection) {
        CompletableFuture<PeerInfo> result;
        synchronized (results) {
            result = results.get(connection);
            if (result != null) return result;
            result = new CompletableFuture<>();
            results.put(connection, result);
        }
        CompletableFuture<PeerInfo> r = result;
        connection.newStream(IdentifyProtocol.PROTOCOL_ID).whenComplete((stream, e) -> {
            if (e != null) {
                r.completeExceptionally(e);
                return;
            }
            Reader reader = new Reader(stream, false);
            reader.result = r;
            stream.setReceiver(reader);
            stream.closeWrite();
            // A stream reset before the reader was attached tells no receiver; its future still completes.
            stream.closeFuture().whenComplete((v, err) -> {
                if (!r.isDone()) r.completeExceptionally(err != null ? err : new OverlayException("identify stream closed"));
            });
        });
        return result;
    }

    private void answer(Stream stream) {
        byte[] message = ourIdentify(stream.connection()).toByteArray();
        stream.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, message));
        stream.closeWrite();
        stream.setReceiver(new MessageReceiver(1) { // the asker sends nothing
            @Override
            protected void onMessage(Stream s, ByteBuf m) {
                s.reset();
            }
        });
    }

    private IdentifyProto.Identify ourIdentify(Connection connection) {
        IdentifyProto.Identify.Builder b = IdentifyProto.Identify.newBuilder()
                .setProtocolVersion(protocolVersion)
                .setAgentVersion(agentVersion)
                .setPublicKey(ByteString.copyFrom(publicKey.marshal()))
                .setObservedAddr(ByteString.copyFrom(connection.remoteAddress().toBytes()));
        for (Multiaddr a : listenAddresses.get()) b.addListenAddrs(ByteString.copyFrom(a.toBytes()));
        for (String p : host.protocols()) b.addProtocols(p);
        return b.build();
    }

    /** Reads one identify message (the answer, or a push) and applies it. */
    private final class Reader extends MessageReceiver {
        private final Stream stream;
        private final boolean push;
        CompletableFuture<PeerInfo> result;
        private boolean received;

        Reader(Stream stream, boolean push) {
            super(maxMessageSize);
            this.stream = stream;
            this.push = push;
        }

        @Override
        protected void onMessage(Stream s, ByteBuf message) {
            if (received) {
                malformed("more than one identify message");
                return;
            }
            received = true;
            try {
                PeerInfo info = apply(IdentifyProto.Identify.parseFrom(ByteBufUtil.getBytes(message)));
                if (result != null) result.complete(info);
                for (Consumer<IdentifyEvent> l : listeners) l.accept(new IdentifyEvent(stream.connection(), info));
            } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                malformed("invalid identify message: " + e.getMessage());
            }
        }

        @Override
        protected void onMalformed(Stream s, String reason) {
            malformed(reason);
        }

        private void malformed(String reason) {
            if (result != null) result.completeExceptionally(new OverlayException(reason));
            stream.connection().closeForViolation("identify: " + reason);
        }

        @Override
        public void onRemoteClosed(Stream s) {
            if (!received && result != null) {
                result.completeExceptionally(new OverlayException("remote closed identify without an answer"));
            }
            s.closeWrite();
        }

        @Override
        public void onClosed(Stream s, Throwable cause) {
            super.onClosed(s, cause);
            if (result != null && !result.isDone()) {
                result.completeExceptionally(cause != null ? cause : new OverlayException("identify stream closed"));
            }
        }

        private PeerInfo apply(IdentifyProto.Identify msg) {
            Connection c = stream.connection();
            if (msg.hasPublicKey()) {
                IdentityPublicKey key = IdentityPublicKey.unmarshal(msg.getPublicKey().toByteArray());
                if (!c.remotePeer().matches(key)) {
                    throw new IllegalArgumentException("public key does not belong to " + c.remotePeer());
                }
            }
            List<Multiaddr> addresses = new ArrayList<>();
            for (ByteString raw : msg.getListenAddrsList()) {
                if (addresses.size() == IdentifyProtocol.MAX_LISTED) break;
                try {
                    addresses.add(Multiaddr.fromBytes(raw.toByteArray()).withoutPeerId());
                } catch (MultiaddrFormatException e) {
                    // an address we cannot read (e.g. another transport) is not an error
                }
            }
            Optional<Multiaddr> observed = Optional.empty();
            if (msg.hasObservedAddr()) {
                try {
                    observed = Optional.of(Multiaddr.fromBytes(msg.getObservedAddr().toByteArray()));
                } catch (MultiaddrFormatException e) {
                    // ignore, as above
                }
            }
            List<String> protocols = msg.getProtocolsList().stream().limit(IdentifyProtocol.MAX_LISTED).toList();
            PeerInfo previous = push ? host.peerStore().info(c.remotePeer()).orElse(null) : null;
            PeerInfo info = new PeerInfo(
                    msg.hasAgentVersion() || previous == null ? msg.getAgentVersion() : previous.agentVersion(),
                    msg.hasProtocolVersion() || previous == null ? msg.getProtocolVersion() : previous.protocolVersion(),
                    !protocols.isEmpty() || previous == null ? protocols : previous.protocols(),
                    !addresses.isEmpty() || previous == null ? addresses : previous.listenAddresses(),
                    observed);
            host.peerStore().putIdentify(c.remotePeer(), info);
            return info;
        }
    }
}
