package dev.ferry.overlay.host;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.yamux.YamuxConfig;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link NettyHost} is configured with. Every limit has a default chosen for a
 * public relay on a small machine; each is named and explained here, in one place.
 *
 * @param identity the node key
 * @param agentVersion what identify announces, {@code ferry/<version>}
 * @param maxConnections connections in total, both directions, counting those still in their
 *     handshake; past it inbound connections are closed at once and dials fail
 * @param maxConnectionsPerPeer connections to one PeerId; more than one happens when both dial at
 *     once, more than a few is abuse
 * @param handshakeTimeout from TCP connect to a usable yamux session (multistream, Noise, yamux)
 * @param maxPendingHandshakes inbound connections not yet authenticated (before the Noise handshake
 *     ends) at once; past it new ones are closed at once, so slow or silent dialers cannot hold
 *     every connection slot
 * @param maxPendingHandshakesPerIp the same, from one remote IP address
 * @param streamNegotiationTimeout for multistream-select on a new stream
 * @param inboundStreamsPerSecond sustained rate of new inbound streams per peer (token bucket)
 * @param inboundStreamBurst bucket size: streams a peer may open at once
 * @param maxMessageSize largest length-prefixed protocol message a handler accepts; identify
 *     takes the smaller of this and its own cap
 * @param yamux stream limits, windows and buffers of each connection
 * @param maxBufferedBytesTotal bytes all connections together may hold for paused stream readers;
 *     the per-connection cap times the connection limit would be far more than a node has
 * @param strikesBeforeBan protocol violations within {@code banDuration} that get a peer banned
 * @param banDuration how long a banned peer is refused, and how long strikes are remembered
 * @param deniedPeers peers that are always refused
 * @param ioThreads Netty event loop threads of the host's own group; unused with {@code sharedEventLoops}
 * @param sharedEventLoops null (the default) for a group of the host's own, made with {@code ioThreads}
 *     threads and shut down by {@link NettyHost#close()}; otherwise a group the host runs its
 *     channels on but does not own: closing the host closes its channels and listeners only, and
 *     whoever made the group shuts it down. Lets many hosts in one JVM (a test network, a
 *     simulation) share a few threads. It must be an epoll or NIO group, such as
 *     {@link NettyHost#newEventLoopGroup(int)} makes
 * @param clock time source for limits and bans
 * @param metrics where the host registers its metrics
 */
public record HostConfig(
        IdentityKeyPair identity,
        String agentVersion,
        int maxConnections,
        int maxConnectionsPerPeer,
        Duration handshakeTimeout,
        int maxPendingHandshakes,
        int maxPendingHandshakesPerIp,
        Duration streamNegotiationTimeout,
        int inboundStreamsPerSecond,
        int inboundStreamBurst,
        int maxMessageSize,
        YamuxConfig yamux,
        long maxBufferedBytesTotal,
        int strikesBeforeBan,
        Duration banDuration,
        Set<PeerId> deniedPeers,
        int ioThreads,
        EventLoopGroup sharedEventLoops,
        Clock clock,
        Metrics metrics) {

    public static final String PROTOCOL_VERSION = "ferry/1.0.0";

    public HostConfig {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(metrics, "metrics");
        deniedPeers = Set.copyOf(deniedPeers);
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1");
        if (maxConnectionsPerPeer < 1) throw new IllegalArgumentException("maxConnectionsPerPeer must be at least 1");
        if (maxPendingHandshakes < 1 || maxPendingHandshakesPerIp < 1) {
            throw new IllegalArgumentException("pending handshake limits must be at least 1");
        }
        if (maxBufferedBytesTotal < yamux.maxBufferedBytes()) {
            throw new IllegalArgumentException("maxBufferedBytesTotal must be at least the yamux maxBufferedBytes");
        }
        if (inboundStreamsPerSecond < 1 || inboundStreamBurst < 1) {
            throw new IllegalArgumentException("inbound stream rate and burst must be at least 1");
        }
        if (strikesBeforeBan < 1) throw new IllegalArgumentException("strikesBeforeBan must be at least 1");
        if (ioThreads < 1) throw new IllegalArgumentException("ioThreads must be at least 1");
        if (maxMessageSize < 1) throw new IllegalArgumentException("maxMessageSize must be at least 1");
    }

    /** Defaults for {@code identity}. */
    public static Builder builder(IdentityKeyPair identity) {
        return new Builder(identity);
    }

    /** Ferry's version, from the build ({@code version.properties}). */
    public static String ferryVersion() {
        return FerryVersion.VALUE;
    }

    /** Builds a {@link HostConfig}; every setter has the documented default. */
    public static final class Builder {
        private final IdentityKeyPair identity;
        private String agentVersion = "ferry/" + ferryVersion();
        private int maxConnections = 512;
        private int maxConnectionsPerPeer = 4;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxPendingHandshakes = 128;
        private int maxPendingHandshakesPerIp = 32;
        private long maxBufferedBytesTotal = 256L * 1024 * 1024;
        private Duration streamNegotiationTimeout = Duration.ofSeconds(10);
        private int inboundStreamsPerSecond = 100;
        private int inboundStreamBurst = 300;
        private int maxMessageSize = 1024 * 1024;
        private YamuxConfig yamux = YamuxConfig.DEFAULTS;
        private int strikesBeforeBan = 2;
        private Duration banDuration = Duration.ofMinutes(10);
        private Set<PeerId> deniedPeers = Set.of();
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private EventLoopGroup sharedEventLoops;
        private Clock clock = Clock.systemUTC();
        private Metrics metrics;

        private Builder(IdentityKeyPair identity) {
            this.identity = identity;
        }

        public Builder agentVersion(String v) { this.agentVersion = v; return this; }
        public Builder maxConnections(int v) { this.maxConnections = v; return this; }
        public Builder maxConnectionsPerPeer(int v) { this.maxConnectionsPerPeer = v; return this; }
        public Builder handshakeTimeout(Duration v) { this.handshakeTimeout = v; return this; }
        public Builder maxPendingHandshakes(int v) { this.maxPendingHandshakes = v; return this; }
        public Builder maxPendingHandshakesPerIp(int v) { this.maxPendingHandshakesPerIp = v; return this; }
        public Builder maxBufferedBytesTotal(long v) { this.maxBufferedBytesTotal = v; return this; }
        public Builder streamNegotiationTimeout(Duration v) { this.streamNegotiationTimeout = v; return this; }
        public Builder inboundStreamsPerSecond(int v) { this.inboundStreamsPerSecond = v; return this; }
        public Builder inboundStreamBurst(int v) { this.inboundStreamBurst = v; return this; }
        public Builder maxMessageSize(int v) { this.maxMessageSize = v; return this; }
        public Builder yamux(YamuxConfig v) { this.yamux = v; return this; }
        public Builder strikesBeforeBan(int v) { this.strikesBeforeBan = v; return this; }
        public Builder banDuration(Duration v) { this.banDuration = v; return this; }
        public Builder deniedPeers(Set<PeerId> v) { this.deniedPeers = v; return this; }
        public Builder ioThreads(int v) { this.ioThreads = v; return this; }
        /** Runs the host on {@code v}, which it does not shut down; null for a group of its own. */
        public Builder sharedEventLoops(EventLoopGroup v) { this.sharedEventLoops = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        public Builder metrics(Metrics v) { this.metrics = v; return this; }

        public HostConfig build() {
            return new HostConfig(identity, agentVersion, maxConnections, maxConnectionsPerPeer, handshakeTimeout,
                    maxPendingHandshakes, maxPendingHandshakesPerIp, streamNegotiationTimeout, inboundStreamsPerSecond,
                    inboundStreamBurst, maxMessageSize, yamux, maxBufferedBytesTotal, strikesBeforeBan, banDuration,
                    deniedPeers, ioThreads, sharedEventLoops, clock,
                    metrics != null ? metrics : Metrics.create());
        }
    }
}
