package dev.ferry.overlay.host;

import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import java.util.Locale;
import java.util.function.IntSupplier;

/** The overlay's metrics, registered in the node's {@link Metrics}. */
final class OverlayMetrics {
    private final Counter connectionsOpened;
    private final Counter handshakeFailures;
    private final Counter streamsOpened;
    final CounterDataPoint streamsRefused;
    final CounterDataPoint violations;
    final CounterDataPoint bans;
    private final CounterDataPoint bytesIn;
    private final CounterDataPoint bytesOut;

    OverlayMetrics(Metrics metrics, IntSupplier openConnections, IntSupplier connectedPeers) {
        var registry = metrics.registry();
        connectionsOpened = Counter.builder().name("ferry_overlay_connections_opened_total")
                .help("Connections that completed the Noise and yamux upgrade.").labelNames("direction").register(registry);
        handshakeFailures = Counter.builder().name("ferry_overlay_handshake_failures_total")
                .help("Connections that failed or were refused before they were usable.").labelNames("direction").register(registry);
        streamsOpened = Counter.builder().name("ferry_overlay_streams_opened_total")
                .help("Streams negotiated to a protocol.").labelNames("direction").register(registry);
        streamsRefused = Counter.builder().name("ferry_overlay_streams_refused_total")
                .help("Inbound streams refused by the stream limit or rate limit.").register(registry).labelValues();
        violations = Counter.builder().name("ferry_overlay_protocol_violations_total")
                .help("Connections closed because the remote broke a protocol.").register(registry).labelValues();
        bans = Counter.builder().name("ferry_overlay_peers_banned_total")
                .help("Peers banned for repeated protocol violations.").register(registry).labelValues();
        Counter bytes = Counter.builder().name("ferry_overlay_bytes_total")
                .help("Bytes on the wire, all connections.").labelNames("direction").register(registry);
        bytesIn = bytes.labelValues("in");
        bytesOut = bytes.labelValues("out");
        GaugeWithCallback.builder().name("ferry_overlay_connections").help("Connections open now.")
                .callback(cb -> cb.call(openConnections.getAsInt())).register(registry);
        // Apart from the connections: a peer may hold several (both sides dialled at once).
        GaugeWithCallback.builder().name("ferry_overlay_peers").help("Distinct peers with an open connection now.")
                .callback(cb -> cb.call(connectedPeers.getAsInt())).register(registry);
    }

    void connectionOpened(Direction d) {
        connectionsOpened.labelValues(label(d)).inc();
    }

    void handshakeFailed(Direction d) {
        handshakeFailures.labelValues(label(d)).inc();
    }

    void streamOpened(Direction d) {
        streamsOpened.labelValues(label(d)).inc();
    }

    private static String label(Direction d) {
        return d.name().toLowerCase(Locale.ROOT);
    }

    /** Counts wire bytes; sits first in every connection pipeline. Shared by all channels. */
    ChannelHandler byteCounter() {
        return byteCounter;
    }

    private final ChannelHandler byteCounter = new ByteCounter();

    @ChannelHandler.Sharable
    private final class ByteCounter extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytesIn.inc(size(msg));
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            bytesOut.inc(size(msg));
            ctx.write(msg, promise);
        }

        private static long size(Object msg) {
            if (msg instanceof ByteBuf b) return b.readableBytes();
            if (msg instanceof ByteBufHolder h) return h.content().readableBytes();
            return 0;
        }
    }
}
