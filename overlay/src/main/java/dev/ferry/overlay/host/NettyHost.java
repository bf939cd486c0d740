package dev.ferry.overlay.host;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.ConnectionListener;
import dev.ferry.overlay.Direction;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.PeerStore;
import dev.ferry.overlay.ProtocolHandler;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.multiaddr.MultiaddrFormatException;
import dev.ferry.overlay.multiaddr.MultiaddrProtocol;
import dev.ferry.overlay.multiaddr.TcpTarget;
import dev.ferry.overlay.multistream.DialerNegotiation;
import dev.ferry.overlay.multistream.ListenerNegotiation;
import dev.ferry.overlay.multistream.MultistreamException;
import dev.ferry.overlay.multistream.MultistreamHandler;
import dev.ferry.overlay.noise.NoiseHandshakeHandler;
import dev.ferry.overlay.noise.NoiseProtocol;
import dev.ferry.overlay.noise.SecureSession;
import dev.ferry.overlay.yamux.InboundBudget;
import dev.ferry.overlay.yamux.YamuxProtocol;
import dev.ferry.overlay.yamux.YamuxSession;
import dev.ferry.overlay.yamux.YamuxStream;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The libp2p host on Netty: TCP, then multistream-select to {@code /noise}, the Noise XX
 * handshake, multistream-select to {@code /yamux/1.0.0}, and a yamux session whose streams are
 * negotiated per protocol and handed to the registered handlers.
 */
public final class NettyHost implements Host {
    private static final Logger LOG = Logger.getLogger(NettyHost.class.getName());
    /** Peers the peer store remembers. */
    static final int PEER_STORE_CAPACITY = 10_000;
    /** Per-peer stream rate buckets kept at once; full buckets are dropped first. */
    static final int MAX_RATE_BUCKETS = 10_000;
    /** Flushes held back at most before one goes out anyway, so a long read still sends as it goes. */
    static final int FLUSHES_PER_SEND = 64;
    /**
     * Socket send buffer marks: above the high mark yamux stops sending stream data until the
     * socket drains below the low mark, so a slow peer holds at most this much of our memory.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1024 * 1024, 4 * 1024 * 1024);

    private final HostConfig config;
    private final ByteBufAllocator allocator;
    private final PeerId self;
    private final EventLoopGroup group;
    /** Whether {@link #group} is ours to shut down, or shared with other hosts. */
    private final boolean ownsGroup;
    private final boolean epoll;
    /**
     * Every channel of this host, listeners and connections still in their handshake included: on
     * a shared group, shutting the group down cannot close them for us.
     */
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final Map<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();
    private final Set<PeerConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionSlots = new AtomicInteger();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
    private final List<Multiaddr> boundAddresses = new CopyOnWriteArrayList<>();
    private final MemoryPeerStore peerStore = new MemoryPeerStore(PEER_STORE_CAPACITY);
    private final BanList bans;
    private final Map<PeerId, TokenBucket> streamBuckets = new HashMap<>();
    private final Map<PeerId, CompletableFuture<Connection>> pendingDials = new ConcurrentHashMap<>();
    private final OverlayMetrics metrics;
    private final InboundBudget inboundBudget;
    private final PendingHandshakes pendingHandshakes;
    private final NameResolver resolver = new NameResolver();
    private volatile boolean closed;

    public NettyHost(HostConfig config) {
        this(config, ByteBufAllocator.DEFAULT);
    }

    /**
     * As above, with every connection's buffers from {@code allocator}. Tests that measure the
     * heap give an unpooled one, so that what the host holds is all that heap in use shows.
     */
    NettyHost(HostConfig config, ByteBufAllocator allocator) {
        EventLoopGroup shared = config.sharedEventLoops();
        if (shared == null) {
            this.epoll = Epoll.isAvailable();
            this.group = newEventLoopGroup(config.ioThreads());
            this.ownsGroup = true;
        } else {
            this.epoll = usesEpoll(shared);
            this.group = shared;
            this.ownsGroup = false;
        }
        this.allocator = allocator;
        this.config = config;
        this.self = config.identity().peerId();
        this.bans = new BanList(config.strikesBeforeBan(), config.banDuration(), config.clock());
        this.metrics = new OverlayMetrics(config.metrics(), connections::size, this::connectedPeerCount);
        this.inboundBudget = new InboundBudget(config.maxBufferedBytesTotal());
        this.pendingHandshakes = new PendingHandshakes(config.maxPendingHandshakes(), config.maxPendingHandshakesPerIp());
    }

    /**
     * A group of {@code threads} event loops of the kind a host makes for itself: epoll where the
     * native transport is available, NIO otherwise. For {@link HostConfig#sharedEventLoops()}: the
     * caller owns it and shuts it down after the hosts on it are closed.
     */
    public static EventLoopGroup newEventLoopGroup(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        return new MultiThreadIoEventLoopGroup(threads,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Whether a shared group runs epoll (else NIO); the channel classes must match its IO type. */
    private static boolean usesEpoll(EventLoopGroup group) {
        if (group.isShuttingDown()) throw new IllegalArgumentException("the shared event loop group is shut down");
        if (group instanceof IoEventLoopGroup io) {
            if (io.isIoType(NioIoHandler.class)) return false;
            if (io.isIoType(EpollIoHandler.class)) return true;
        }
        throw new IllegalArgumentException("unsupported shared event loop group " + group.getClass().getName()
                + ": need an epoll or NIO IoEventLoopGroup, such as NettyHost.newEventLoopGroup makes");
    }

    HostConfig config() {
        return config;
    }

    /** The group this host's channels run on, its own or the shared one (for tests). */
    EventLoopGroup eventLoops() {
        return group;
    }

    OverlayMetrics metrics() {
        return metrics;
    }

    /** Inbound connections whose remote is not authenticated yet (for tests). */
    int pendingHandshakeCount() {
        return pendingHandshakes.total();
    }

    @Override
    public PeerId peerId() {
        return self;
    }

    // ------------------------------------------------------------------ listening

    @Override
    public CompletableFuture<Multiaddr> listen(Multiaddr address) {
        TcpTarget target;
        try {
            target = address.tcpTarget();
        } catch (MultiaddrFormatException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (target.hostProtocol() != MultiaddrProtocol.IP4 && target.hostProtocol() != MultiaddrProtocol.IP6) {
            return CompletableFuture.failedFuture(new OverlayException("can only listen on an IP address, not " + address));
        }
        Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        InetAddress ip = ((InetSocketAddress) ch.remoteAddress()).getAddress();
                        if (!track(ch) || !pendingHandshakes.tryAcquire(ip)) {
                            metrics.handshakeFailed(Direction.INBOUND);
                            ch.close();
                            return;
                        }
                        if (!takeSlot()) {
                            pendingHandshakes.release(ip);
                            metrics.handshakeFailed(Direction.INBOUND);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connectionSlots.decrementAndGet());
                        // The place is given back once the remote is authenticated (or the upgrade
                        // failed first), whichever comes first, exactly once.
                        AtomicBoolean pending = new AtomicBoolean(true);
                        Runnable authenticated = () -> {
                            if (pending.compareAndSet(true, false)) pendingHandshakes.release(ip);
                        };
                        CompletableFuture<Connection> upgraded = new CompletableFuture<>();
                        upgraded.whenComplete((c, e) -> authenticated.run());
                        upgrade(ch, Direction.INBOUND, null, upgraded, authenticated);
                    }
                });
        CompletableFuture<Multiaddr> result = new CompletableFuture<>();
        bootstrap.bind(target.toSocketAddress()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new OverlayException("cannot listen on " + address + ": " + f.cause().getMessage(), f.cause()));
                return;
            }
            serverChannels.add(f.channel());
            if (!track(f.channel())) {
                result.completeExceptionally(new OverlayException("host is closed"));
                return;
            }
            Multiaddr bound = Multiaddr.fromSocketAddress((InetSocketAddress) f.channel().localAddress());
            boundAddresses.add(bound);
            result.complete(bound);
        });
        return result;
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        List<Multiaddr> out = new ArrayList<>();
        for (Multiaddr bound : boundAddresses) {
            InetSocketAddress sa = toSocketAddress(bound);
            if (sa != null && sa.getAddress().isAnyLocalAddress()) {
                out.addAll(interfaceAddresses(sa.getAddress() instanceof Inet6Address, sa.getPort()));
            } else {
                out.add(bound);
            }
        }
        return out;
    }

    /** A wildcard listener is reachable at every interface address of its family. */
    private static List<Multiaddr> interfaceAddresses(boolean ipv6, int port) {
        List<Multiaddr> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) continue;
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if ((a instanceof Inet6Address) == ipv6 && !a.isLinkLocalAddress()) {
                        out.add(Multiaddr.fromSocketAddress(new InetSocketAddress(a, port)));
                    }
                }
            }
        } catch (SocketException e) {
            LOG.log(Level.FINE, "cannot list network interfaces", e);
        }
        return out;
    }

    // ------------------------------------------------------------------ dialling

    @Override
    public CompletableFuture<Connection> dial(Multiaddr address) {
        if (closed) return CompletableFuture.failedFuture(new OverlayException("host is closed"));
        Optional<PeerId> expected = address.peerId();
        if (expected.isPresent()) {
            if (expected.get().equals(self)) return CompletableFuture.failedFuture(new OverlayException("cannot dial ourselves"));
            Optional<Connection> existing = anyConnection(expected.get());
            if (existing.isPresent()) return CompletableFuture.completedFuture(existing.get());
            Optional<java.time.Instant> ban = bans.bannedUntil(expected.get());
            if (ban.isPresent()) return CompletableFuture.failedFuture(new OverlayException(expected.get() + " is banned until " + ban.get()));
            if (config.deniedPeers().contains(expected.get())) {
                return CompletableFuture.failedFuture(new OverlayException(expected.get() + " is on the deny list"));
            }
        }
        TcpTarget target;
        try {
            target = address.tcpTarget();
        } catch (MultiaddrFormatException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!takeSlot()) {
            return CompletableFuture.failedFuture(new OverlayException("cannot dial " + address + ": connection limit of "
                    + config.maxConnections() + " reached"));
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        // Released once, by whichever comes first: the channel closing, or the dial failing. The
        // latter comes before the caller hears of the failure, so a retry at once finds the slot.
        AtomicBoolean slotHeld = new AtomicBoolean(true);
        Runnable releaseSlot = () -> {
            if (slotHeld.compareAndSet(true, false)) connectionSlots.decrementAndGet();
        };
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, allocator)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.closeFuture().addListener(f -> releaseSlot.run());
                        if (!track(ch)) {
                            result.completeExceptionally(new OverlayException("host is closed"));
                            return;
                        }
                        upgrade(ch, Direction.OUTBOUND, expected.orElse(null), result, () -> { });
                    }
                });
        resolver.resolve(target, config.handshakeTimeout()).whenComplete((remote, resolveError) -> {
            if (resolveError != null) {
                releaseSlot.run();
                result.completeExceptionally(resolveError);
                return;
            }
            bootstrap.connect(remote).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    releaseSlot.run();
                    String why = f.cause() == null ? "cancelled" : describe(f.cause());
                    result.completeExceptionally(new OverlayException("cannot connect to " + address + ": " + why, f.cause()));
                }
            });
        });
        return result.handle((c, e) -> {
            if (e == null) return CompletableFuture.completedFuture(c);
            releaseSlot.run(); // every failure also closes the channel, which would release it a moment later
            Throwable cause = unwrap(e);
            String message = cause.getMessage() != null && cause.getMessage().contains(address.toString())
                    ? cause.getMessage() : "dial " + address + " failed: " + cause.getMessage();
            return CompletableFuture.<Connection>failedFuture(new OverlayException(message, cause));
        }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<Connection> dial(PeerId peer) {
        if (peer.equals(self)) return CompletableFuture.failedFuture(new OverlayException("cannot dial ourselves"));
        Optional<Connection> existing = anyConnection(peer);
        if (existing.isPresent()) return CompletableFuture.completedFuture(existing.get());
        CompletableFuture<Connection> dialling = new CompletableFuture<>();
        CompletableFuture<Connection> already = pendingDials.putIfAbsent(peer, dialling);
        if (already != null) return already;
        // Started outside any map operation: an attempt may fail at once (no address, a ban), and
        // its completion must be able to remove the entry, or the failure would be cached forever.
        List<Multiaddr> addresses = peerStore.addresses(peer);
        CompletableFuture<Connection> attempt = addresses.isEmpty()
                ? CompletableFuture.failedFuture(new OverlayException("no known address for " + peer))
                : dialInTurn(peer, addresses, 0, null);
        attempt.whenComplete((c, e) -> {
            pendingDials.remove(peer, dialling);
            if (e == null) dialling.complete(c);
            else dialling.completeExceptionally(unwrap(e));
        });
        return dialling;
    }

    private CompletableFuture<Connection> dialInTurn(PeerId peer, List<Multiaddr> addresses, int i, Throwable last) {
        if (i == addresses.size()) {
            return CompletableFuture.failedFuture(new OverlayException("cannot reach " + peer + " at any of "
                    + addresses.size() + " known addresses; last error: " + (last == null ? "none" : last.getMessage()), last));
        }
        return dial(addresses.get(i).withPeerId(peer)).handle((c, e) -> e == null
                ? CompletableFuture.completedFuture(c)
                : dialInTurn(peer, addresses, i + 1, unwrap(e)))
                .thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<Stream> newStream(PeerId peer, String... protocols) {
        return dial(peer).thenCompose(c -> c.newStream(protocols).exceptionallyCompose(e -> {
            // The connection we picked is going away (idle, or the remote sent GoAway): once it has
            // closed, a dial makes a fresh one. Any other failure is the caller's to see.
            if (!(c instanceof PeerConnection pc && pc.isClosing())) return CompletableFuture.failedFuture(e);
            return c.closeFuture().thenCompose(v -> dial(peer)).thenCompose(fresh -> fresh.newStream(protocols));
        }));
    }

    // ------------------------------------------------------------------ upgrade

    /**
     * Builds the connection pipeline step by step. Every step's handler is added when the previous
     * step completes, on the channel's event loop, in front of the error handler at the tail.
     *
     * @param authenticated run once the Noise handshake ends, whether it succeeded or not: from
     *     then on the remote is either a known peer, under the per-peer limits, or gone
     */
    private void upgrade(Channel ch, Direction direction, PeerId expected, CompletableFuture<Connection> result,
                         Runnable authenticated) {
        boolean initiator = direction == Direction.OUTBOUND;
        UpgradeTail tail = new UpgradeTail(result);
        ch.pipeline().addLast("bytes", metrics.byteCounter());
        ch.pipeline().addLast("tail", tail);
        io.netty.util.concurrent.ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> {
            if (!result.isDone()) {
                result.completeExceptionally(new OverlayException("handshake timed out after "
                        + config.handshakeTimeout().toMillis() + " ms"));
                ch.close();
            }
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((c, e) -> {
            timeout.cancel(false);
            if (e == null) metrics.connectionOpened(direction);
            else metrics.handshakeFailed(direction);
        });

        CompletableFuture<String> security = new CompletableFuture<>();
        CompletableFuture<SecureSession> secured = new CompletableFuture<>();
        CompletableFuture<String> muxer = new CompletableFuture<>();
        ch.pipeline().addBefore("tail", "security-select", initiator
                ? MultistreamHandler.dialer(new DialerNegotiation(List.of(NoiseProtocol.PROTOCOL_ID)), security)
                : MultistreamHandler.listener(new ListenerNegotiation(NoiseProtocol.PROTOCOL_ID::equals,
                        () -> List.of(NoiseProtocol.PROTOCOL_ID)), security));
        security.whenComplete((p, e) -> {
            if (e != null) {
                // The first bytes we read decide whether the remote is a libp2p peer at all.
                fail(ch, result, e instanceof MultistreamException
                        ? new OverlayException("remote did not answer as a libp2p peer (" + e.getMessage() + ")", e) : e);
                return;
            }
            ch.pipeline().addBefore("tail", "noise", new NoiseHandshakeHandler(config.identity(), initiator, expected, secured));
        });
        secured.whenComplete((session, e) -> {
            authenticated.run();
            if (e != null) {
                fail(ch, result, e);
                return;
            }
            String refusal = admissionRefusal(session.remotePeer());
            if (refusal != null) {
                fail(ch, result, new OverlayException(refusal));
                return;
            }
            ch.pipeline().addBefore("tail", "muxer-select", initiator
                    ? MultistreamHandler.dialer(new DialerNegotiation(List.of(YamuxProtocol.PROTOCOL_ID)), muxer)
                    : MultistreamHandler.listener(new ListenerNegotiation(YamuxProtocol.PROTOCOL_ID::equals,
                            () -> List.of(YamuxProtocol.PROTOCOL_ID)), muxer));
        });
        muxer.whenComplete((p, e) -> {
            if (e != null) {
                fail(ch, result, e);
                return;
            }
            if (closed) {
                fail(ch, result, new OverlayException("host is closing"));
                return;
            }
            SecureSession session = secured.join();
            PeerConnection[] holder = new PeerConnection[1];
            YamuxSession yamux = new YamuxSession(config.yamux(), inboundBudget, initiator, new YamuxSession.Events() {
                @Override
                public boolean allowInboundStream() {
                    return allowStream(session.remotePeer());
                }

                @Override
                public void inboundStream(YamuxStream stream) {
                    holder[0].inboundStream(stream);
                }

                @Override
                public void violation(String reason) {
                    strike(session.remotePeer(), reason);
                }
            });
            // Yamux flushes after each stream's frames; held until the read or the loop's tasks
            // end, those flushes become one: one Noise frame and one send for many streams.
            ch.pipeline().addBefore("tail", "flush", new FlushConsolidationHandler(FLUSHES_PER_SEND, true));
            ch.pipeline().addBefore("tail", "yamux", yamux);
            PeerConnection connection = new PeerConnection(this, ch, yamux, session.remotePeer(), session.remoteKey(),
                    direction, socketMultiaddr(ch.remoteAddress()), socketMultiaddr(ch.localAddress()));
            holder[0] = connection;
            tail.connection = connection;
            register(connection);
            result.complete(connection);
        });
    }

    private void fail(Channel ch, CompletableFuture<Connection> result, Throwable cause) {
        result.completeExceptionally(cause);
        ch.close();
    }

    /** Why a secured peer may not have a connection, or null if it may. */
    private String admissionRefusal(PeerId peer) {
        if (closed) return "host is closing";
        if (peer.equals(self)) return "refusing a connection to ourselves";
        if (config.deniedPeers().contains(peer)) return peer + " is on the deny list";
        Optional<Instant> ban = bans.bannedUntil(peer);
        if (ban.isPresent()) return peer + " is banned until " + ban.get();
        if (connections(peer).size() >= config.maxConnectionsPerPeer()) {
            return "already " + config.maxConnectionsPerPeer() + " connections to " + peer;
        }
        return null;
    }

    private void register(PeerConnection connection) {
        connections.add(connection);
        peerStore.putPublicKey(connection.remotePeer(), connection.remoteKey());
        if (connection.direction() == Direction.OUTBOUND) {
            peerStore.addAddresses(connection.remotePeer(), List.of(connection.remoteAddress()));
        }
        connection.channel().closeFuture().addListener(f -> {
            connections.remove(connection);
            for (ConnectionListener l : listeners) notify(() -> l.disconnected(connection));
        });
        for (ConnectionListener l : listeners) notify(() -> l.connected(connection));
    }

    private static void notify(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "connection listener failed", e);
        }
    }

    /**
     * Remembers {@code ch} until it closes, so that {@link #close()} closes it; false, and the
     * channel closed, if the host is closed. Added before {@code closed} is read, and close() sets
     * {@code closed} before it reads the set, so no channel escapes both.
     */
    private boolean track(Channel ch) {
        channels.add(ch);
        ch.closeFuture().addListener(f -> channels.remove(ch));
        if (closed) {
            ch.close();
            return false;
        }
        return true;
    }

    private boolean takeSlot() {
        if (connectionSlots.incrementAndGet() > config.maxConnections()) {
            connectionSlots.decrementAndGet();
            return false;
        }
        return true;
    }

    private boolean allowStream(PeerId peer) {
        long now = config.clock().millis();
        synchronized (streamBuckets) {
            TokenBucket bucket = streamBuckets.get(peer);
            if (bucket == null) {
                if (streamBuckets.size() >= MAX_RATE_BUCKETS) streamBuckets.values().removeIf(b -> b.isFull(now));
                bucket = new TokenBucket(config.inboundStreamsPerSecond(), config.inboundStreamBurst(), now);
                streamBuckets.put(peer, bucket);
            }
            boolean allowed = bucket.tryTake(now);
            if (!allowed) metrics.streamsRefused.inc();
            return allowed;
        }
    }

    // ------------------------------------------------------------------ streams and violations

    ListenerNegotiation listenerNegotiation() {
        return new ListenerNegotiation(handlers::containsKey, handlers::keySet);
    }

    void dispatch(String protocol, YamuxStream stream) {
        ProtocolHandler handler = handlers.get(protocol);
        if (handler == null) {
            stream.reset();
            return;
        }
        metrics.streamOpened(Direction.INBOUND);
        try {
            handler.handle(stream);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "handler for " + protocol + " failed", e);
            stream.reset();
        }
    }

    void violation(PeerConnection connection, String reason) {
        strike(connection.remotePeer(), reason);
        connection.channel().close();
    }

    private void strike(PeerId peer, String reason) {
        boolean banned = bans.strike(peer);
        metrics.violations.inc();
        if (banned) metrics.bans.inc();
        LOG.log(Level.INFO, () -> "protocol violation by " + peer + ": " + reason + (banned ? " (banned)" : ""));
        if (banned) {
            for (Connection c : connections(peer)) ((PeerConnection) c).channel().close();
        }
    }

    @Override
    public void setProtocolHandler(String protocolId, ProtocolHandler handler) {
        if (protocolId.isEmpty() || protocolId.length() > 256 || protocolId.contains("\n")) {
            throw new IllegalArgumentException("invalid protocol id: " + protocolId);
        }
        handlers.put(protocolId, handler);
    }

    @Override
    public void removeProtocolHandler(String protocolId) {
        handlers.remove(protocolId);
    }

    @Override
    public Set<String> protocols() {
        return Set.copyOf(handlers.keySet());
    }

    @Override
    public Collection<Connection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public List<Connection> connections(PeerId peer) {
        List<Connection> out = new ArrayList<>();
        for (PeerConnection c : connections) if (c.remotePeer().equals(peer) && c.isOpen()) out.add(c);
        return out;
    }

    /** Distinct remote peers among the open connections; at most the connection limit to count, once per scrape. */
    private int connectedPeerCount() {
        Set<PeerId> peers = new HashSet<>();
        for (PeerConnection c : connections) if (c.isOpen()) peers.add(c.remotePeer());
        return peers.size();
    }

    private Optional<Connection> anyConnection(PeerId peer) {
        return connections(peer).stream().findFirst();
    }

    @Override
    public void addConnectionListener(ConnectionListener listener) {
        listeners.add(listener);
    }

    @Override
    public PeerStore peerStore() {
        return peerStore;
    }

    /**
     * Closes every connection and listener, then shuts down the host's own event loop group; a
     * {@linkplain HostConfig#sharedEventLoops() shared} group is left running for its owner.
     */
    @Override
    public CompletableFuture<Void> close() {
        closed = true;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (PeerConnection c : connections) closing.add(c.close());
        for (Channel ch : channels) {
            CompletableFuture<Void> gone = new CompletableFuture<>();
            ch.close().addListener(f -> gone.complete(null));
            closing.add(gone);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                .orTimeout(2, TimeUnit.SECONDS)
                .whenComplete((v, e) -> {
                    resolver.close();
                    if (ownsGroup) group.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> done.complete(null));
                    else done.complete(null); // the group is shared: its owner shuts it down
                });
        return done;
    }

    // ------------------------------------------------------------------ helpers

    private static Multiaddr socketMultiaddr(java.net.SocketAddress address) {
        return Multiaddr.fromSocketAddress((InetSocketAddress) address);
    }

    /** The socket address of an IP multiaddr (built from its bytes, no lookup), or null for a name. */
    private static InetSocketAddress toSocketAddress(Multiaddr address) {
        TcpTarget t = address.tcpTarget();
        return t.needsResolving() ? null : t.toSocketAddress();
    }

    /** The failure a future chain wrapped in a CompletionException. */
    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        if (m == null) return root.getClass().getSimpleName();
        // Netty's native transport prefixes messages with the syscall: "connect(..) failed: ..." or
        // "finishConnect(..) failed with error(-111): ...".
        return NATIVE_PREFIX.matcher(m).replaceFirst("");
    }

    private static final java.util.regex.Pattern NATIVE_PREFIX =
            java.util.regex.Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    /**
     * Last handler of every connection pipeline: fails the upgrade on errors before the connection
     * is usable, and afterwards closes the connection on errors that reach it. Errors here are
     * remote misbehaviour or I/O failures, never reasons to log at error level.
     */
    private final class UpgradeTail extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Connection> result;
        PeerConnection connection;

        UpgradeTail(CompletableFuture<Connection> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!result.isDone()) {
                result.completeExceptionally(cause instanceof IOException
                        ? new OverlayException("connection failed during handshake: " + describe(cause), cause) : cause);
            } else if (connection != null && !(cause instanceof IOException)) {
                LOG.log(Level.FINE, () -> "closing " + connection + ": " + cause);
                if (cause instanceof OverlayException) strike(connection.remotePeer(), cause.getMessage());
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new OverlayException("connection closed by the remote during the handshake"));
            ctx.fireChannelInactive();
        }
    }
}
