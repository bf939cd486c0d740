package dev.ferry.pubsub.router;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.ConnectionListener;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import dev.ferry.pubsub.message.RpcLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pubsub streams of a host: per the pubsub spec, one long-lived stream in each direction per
 * peer, the outbound one for our RPCs, the inbound one for theirs. It frames bytes and nothing
 * else; what the RPCs mean is the router's business.
 *
 * <p>When a connection opens, an outbound stream is negotiated to the first of the protocols the
 * peer speaks (so {@code /meshsub/1.1.0} falls back to {@code /meshsub/1.0.0}); a peer that
 * speaks none is left alone. What we send a peer waits in a queue of its own, written one frame
 * at a time as the previous write completes, and bounded: past {@link Limits#gossipBytes()} frames
 * marked droppable (gossip) are dropped, past {@link Limits#queueBytes()} every frame is, so a slow
 * peer loses traffic rather than our memory. At most {@link Limits#inboundStreams()} inbound
 * streams per peer are read; more are reset. When our stream closes while a connection to the
 * peer stays open, it is opened again, but after {@link #MAX_QUICK_RELINKS} streams in a row that
 * lived less than {@link #QUICK_LINK}, not again until the next connection: a peer that resets
 * every stream we open cannot keep us in a loop.
 *
 * <p>The streams do not keep their connection open by themselves: a connection another protocol
 * made (a DHT lookup, say) still closes when idle, unless the router says with {@link #keepOpen}
 * that it needs the peer (it shares a topic with us). Otherwise pubsub would hold a connection to
 * every peer ever met, and a node would drift towards a full mesh of connections.
 *
 * <p>Thread-safe. {@link Listener} callbacks come from event loop threads and must not block.
 */
public final class RpcLinks {
    /** Streams that closed within {@link #QUICK_LINK} in a row before we stop reopening them. */
    public static final int MAX_QUICK_RELINKS = 3;
    /** A stream that closes sooner than this counts towards {@link #MAX_QUICK_RELINKS}. */
    public static final Duration QUICK_LINK = Duration.ofSeconds(1);

    /** Bounds of the links. */
    public record Limits(int maxRpcBytes, long queueBytes, long gossipBytes, int inboundStreams) {
        /**
         * The codec's RPC limit ({@link RpcLimits#DEFAULT_MAX_RPC_BYTES}: a 1 MiB message and its
         * envelope); 4 MiB queued per peer, gossip only while under half of it; two inbound
         * streams per peer (a reconnecting peer's new stream may arrive before its old one closes).
         */
        public static final Limits DEFAULT = new Limits(RpcLimits.DEFAULT_MAX_RPC_BYTES, 4L * 1024 * 1024, 2L * 1024 * 1024, 2);

        /** These limits with {@code maxRpcBytes} changed. */
        public Limits withMaxRpcBytes(int value) {
            return new Limits(value, queueBytes, gossipBytes, inboundStreams);
        }

        public Limits {
            if (maxRpcBytes < 1) throw new IllegalArgumentException("maxRpcBytes must be positive");
            if (gossipBytes < 0 || gossipBytes > queueBytes) throw new IllegalArgumentException("gossipBytes must be in 0..queueBytes");
            if (inboundStreams < 1) throw new IllegalArgumentException("inboundStreams must be at least 1");
        }
    }

    /** What the links report; called on event loop threads. */
    public interface Listener {
        /** We can send to {@code peer}: our stream to it speaks {@code protocol}. */
        void peerUp(PeerId peer, String protocol);

        /** Our stream to {@code peer} is gone (the connection closed, or the peer reset it). */
        void peerDown(PeerId peer);

        /** One RPC from {@code peer}, its bytes without the length prefix. */
        void rpc(PeerId peer, byte[] rpc);

        /** {@code peer} broke the framing (an oversized length, say); its stream was reset. */
        default void malformed(PeerId peer, String reason) {}
    }

    private final Host host;
    private final List<String> protocols;
    private final Limits limits;
    private final Listener listener;
    private final Map<PeerId, Outbound> outbound = new ConcurrentHashMap<>();
    private final Map<PeerId, Set<Stream>> inbound = new ConcurrentHashMap<>();
    /** Peers we are opening a stream to; true once another link was asked for meanwhile. */
    private final Map<PeerId, Boolean> linking = new ConcurrentHashMap<>();
    /** Peers whose streams keep their connection open; see {@link #keepOpen}. */
    private final Set<PeerId> kept = ConcurrentHashMap.newKeySet();
    /** Streams to a peer that closed quickly, in a row; cleared by a new connection. */
    private final Map<PeerId, Integer> quickCloses = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /** Links on {@code host} for {@code protocols}, most preferred first. Call {@link #start()}. */
    public RpcLinks(Host host, List<String> protocols, Limits limits, Listener listener) {
        this.host = Objects.requireNonNull(host, "host");
        this.protocols = List.copyOf(protocols);
        if (this.protocols.isEmpty()) throw new IllegalArgumentException("at least one protocol");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Serves the protocols and links to every peer connected now and later. */
    public void start() {
        for (String protocol : protocols) host.setProtocolHandler(protocol, this::inbound);
        host.addConnectionListener(new ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                quickCloses.remove(connection.remotePeer());
                link(connection.remotePeer());
            }

            @Override
            public void disconnected(Connection connection) {
                if (host.connections(connection.remotePeer()).isEmpty()) quickCloses.remove(connection.remotePeer());
            }
        });
        for (Connection c : host.connections()) link(c.remotePeer());
    }

    /**
     * Queues {@code rpc} (without its length prefix) for {@code peer}. Returns false, and sends
     * nothing, if we have no stream to the peer or its queue is over the limit for this kind of
     * frame ({@code droppable} frames are gossip).
     */
    public boolean send(PeerId peer, byte[] rpc, boolean droppable) {
        Outbound link = outbound.get(peer);
        if (link == null || closed) return false;
        boolean queued = link.offer(rpc, droppable);
        if (!queued) dropped.incrementAndGet();
        return queued;
    }

    /** Frames dropped because a peer's queue was full. */
    public long droppedFrames() {
        return dropped.get();
    }

    /** Bytes waiting for {@code peer}; 0 if there is no link. */
    public long queuedBytes(PeerId peer) {
        Outbound link = outbound.get(peer);
        return link == null ? 0 : link.queuedBytes();
    }

    /**
     * Makes the streams of exactly {@code peers} keep their connections open: the peers the router
     * needs. The streams of every other peer let their connection close when nothing else uses it.
     */
    public void keepOpen(Set<PeerId> peers) {
        Set<PeerId> changed = new HashSet<>(peers);
        for (PeerId peer : kept) {
            if (!changed.remove(peer)) changed.add(peer);
        }
        kept.retainAll(peers);
        kept.addAll(peers);
        for (PeerId peer : changed) applyKeepOpen(peer);
    }

    private void applyKeepOpen(PeerId peer) {
        boolean keep = kept.contains(peer);
        Outbound link = outbound.get(peer);
        if (link != null) link.stream.keepConnectionOpen(keep);
        for (Stream stream : inbound.getOrDefault(peer, Set.of())) stream.keepConnectionOpen(keep);
    }

    /**
     * Stops serving and linking, and ends our streams after what is queued on them: each is
     * half-closed once its last frame is written. The future completes when every stream has
     * been ended so (or failed); a caller that cannot wait for a slow peer bounds the wait.
     */
    public CompletableFuture<Void> close() {
        closed = true;
        for (String protocol : protocols) host.removeProtocolHandler(protocol);
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        for (Outbound link : outbound.values()) ended.add(link.finish());
        outbound.clear();
        return CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new));
    }

    // ---------------------------------------------------------------- outbound

    private void link(PeerId peer) {
        if (closed || outbound.containsKey(peer)) return;
        // A connection and the peer's own stream both ask for a link, often at once: while one
        // stream is being opened, a second ask only marks that the link is wanted again.
        if (linking.putIfAbsent(peer, false) != null) {
            linking.replace(peer, false, true);
            return;
        }
        host.newStream(peer, protocols.toArray(String[]::new)).whenComplete((stream, failure) -> {
            if (failure != null) {
                // The peer speaks no pubsub, or its connection went: try once more if a new
                // connection or stream asked meanwhile, else there is nothing to link.
                boolean askedAgain = Boolean.TRUE.equals(linking.remove(peer));
                if (askedAgain && !host.connections(peer).isEmpty()) link(peer);
                return;
            }
            if (closed) {
                linking.remove(peer);
                stream.reset();
                return;
            }
            stream.keepConnectionOpen(kept.contains(peer));
            Outbound link = new Outbound(stream);
            Outbound earlier = outbound.putIfAbsent(peer, link);
            linking.remove(peer); // only now: a link asked for in between finds the stream
            if (earlier != null) {
                stream.reset(); // a relink after a close raced; one stream is enough
                return;
            }
            // We read nothing on our own stream; a remote that writes to it is ignored.
            stream.setReceiver((s, data) -> {});
            long openedAt = System.nanoTime();
            stream.closeFuture().whenComplete((v, e) -> {
                if (outbound.remove(peer, link)) {
                    listener.peerDown(peer);
                    boolean quick = System.nanoTime() - openedAt < QUICK_LINK.toNanos();
                    int inARow = quick ? quickCloses.merge(peer, 1, Integer::sum) : 0;
                    if (!quick) quickCloses.remove(peer);
                    // A connection may still be open; try again over it, unless the peer keeps closing.
                    if (!closed && inARow < MAX_QUICK_RELINKS && !host.connections(peer).isEmpty()) link(peer);
                }
            });
            listener.peerUp(peer, stream.protocol());
        });
    }

    /** One peer's outbound stream and its queue; guarded by itself. */
    private final class Outbound {
        final Stream stream;
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        private long queuedBytes;
        private boolean writing;
        /** Set by {@link #finish()}: half-close once the queue is empty. */
        private CompletableFuture<Void> finished;

        Outbound(Stream stream) {
            this.stream = stream;
        }

        boolean offer(byte[] rpc, boolean droppable) {
            synchronized (this) {
                long limit = droppable ? limits.gossipBytes() : limits.queueBytes();
                if (queuedBytes + rpc.length > limit) return false;
                queue.add(rpc);
                queuedBytes += rpc.length;
                if (writing) return true;
                writing = true;
            }
            writeNext();
            return true;
        }

        /** Half-closes the stream once everything queued is written. */
        CompletableFuture<Void> finish() {
            synchronized (this) {
                if (finished != null) return finished;
                finished = new CompletableFuture<>();
                if (writing) return finished; // writeNext half-closes after the last frame
            }
            halfClose();
            return finished;
        }

        private void halfClose() {
            stream.closeWrite().whenComplete((v, e) -> finished.complete(null));
        }

        synchronized long queuedBytes() {
            return queuedBytes;
        }

        private void writeNext() {
            byte[] next;
            boolean finishing;
            synchronized (this) {
                next = queue.poll();
                finishing = next == null && finished != null;
                if (next == null) writing = false;
            }
            if (next == null) {
                if (finishing) halfClose();
                return;
            }
            byte[] frame = next;
            stream.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, frame)).whenComplete((v, e) -> {
                synchronized (this) {
                    queuedBytes -= frame.length;
                }
                if (e == null) {
                    writeNext();
                } else {
                    CompletableFuture<Void> ending;
                    synchronized (this) {
                        queue.clear();
                        queuedBytes = 0;
                        writing = false;
                        ending = finished;
                    }
                    stream.reset();
                    if (ending != null) ending.complete(null);
                }
            });
        }
    }

    // ---------------------------------------------------------------- inbound

    private void inbound(Stream stream) {
        PeerId peer = stream.remotePeer();
        stream.keepConnectionOpen(kept.contains(peer));
        Set<Stream> open = inbound.compute(peer, (p, set) -> {
            Set<Stream> streams = set == null ? ConcurrentHashMap.<Stream>newKeySet() : set;
            streams.add(stream);
            return streams;
        });
        stream.closeFuture().whenComplete((v, e) -> inbound.computeIfPresent(peer, (p, set) -> {
            set.remove(stream);
            return set.isEmpty() ? null : set;
        }));
        if (open.size() > limits.inboundStreams() || closed) {
            stream.reset();
            return;
        }
        stream.setReceiver(new MessageReceiver(limits.maxRpcBytes()) {
            @Override
            protected void onMessage(Stream s, ByteBuf message) {
                listener.rpc(peer, ByteBufUtil.getBytes(message));
            }

            @Override
            protected void onMalformed(Stream s, String reason) {
                listener.malformed(peer, reason);
                s.reset();
            }
        });
        // Their stream to us may be the first we hear of them (we dialled nothing yet): link back.
        link(peer);
    }
}
