package dev.ferry.cmd;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.yamux.YamuxConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The overlay limits an operator may want to change; every one left out keeps its default
 * (docs/OPERATIONS.md lists them all).
 */
final class LimitOptions {
    @Option(names = "--max-connections", paramLabel = "N", description = "Connections in total (default: 512).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-peer", paramLabel = "N", description = "Connections to one peer (default: 4).")
    Integer maxConnectionsPerPeer;

    @Option(names = "--max-streams", paramLabel = "N", description = "Streams per connection (default: 256).")
    Integer maxStreams;

    @Option(names = "--inbound-streams-per-second", paramLabel = "N",
            description = "New inbound streams per second per peer (default: 100, bursts of 300).")
    Integer inboundStreamsPerSecond;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time from TCP connect to a usable connection (default: 10s).")
    Duration handshakeTimeout;

    @Option(names = "--max-message-size", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "Largest protocol message accepted (default: 1MiB).")
    Long maxMessageSize;

    @Option(names = "--max-buffered", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "Bytes all connections together may hold for slow readers (default: 256MiB).")
    Long maxBuffered;

    @Option(names = "--deny", paramLabel = "PEERID", converter = PeerIdConverter.class,
            description = "Refuse this peer, repeatable.")
    List<PeerId> denied = List.of();

    /** Applies the options given to {@code builder}; refuses values that make no sense, naming the option. */
    HostConfig.Builder applyTo(HostConfig.Builder builder) {
        if (maxConnections != null) builder.maxConnections(atLeastOne("--max-connections", maxConnections));
        if (maxConnectionsPerPeer != null) {
            builder.maxConnectionsPerPeer(atLeastOne("--max-connections-per-peer", maxConnectionsPerPeer));
        }
        if (inboundStreamsPerSecond != null) {
            int rate = atLeastOne("--inbound-streams-per-second", inboundStreamsPerSecond);
            builder.inboundStreamsPerSecond(rate).inboundStreamBurst((int) Math.min(Integer.MAX_VALUE, 3L * rate));
        }
        if (handshakeTimeout != null) {
            if (handshakeTimeout.isZero()) throw new IllegalArgumentException("--handshake-timeout must be more than 0");
            builder.handshakeTimeout(handshakeTimeout);
        }
        if (maxMessageSize != null) {
            if (maxMessageSize < 1024 || maxMessageSize > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--max-message-size must be between 1KiB and 2GiB");
            }
            builder.maxMessageSize(maxMessageSize.intValue());
        }
        if (maxStreams != null) {
            builder.yamux(YamuxConfig.DEFAULTS.withMaxStreams(atLeastOne("--max-streams", maxStreams)));
        }
        if (maxBuffered != null) {
            if (maxBuffered < YamuxConfig.DEFAULTS.maxBufferedBytes()) {
                throw new IllegalArgumentException("--max-buffered must be at least "
                        + YamuxConfig.DEFAULTS.maxBufferedBytes() / (1024 * 1024) + "MiB (one connection's share)");
            }
            builder.maxBufferedBytesTotal(maxBuffered);
        }
        if (!denied.isEmpty()) builder.deniedPeers(Set.copyOf(denied));
        return builder;
    }

    private static int atLeastOne(String option, int value) {
        if (value < 1) throw new IllegalArgumentException(option + " must be at least 1");
        return value;
    }
}
