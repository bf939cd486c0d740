package dev.ferry.overlay.host;

import dev.ferry.overlay.Host;
import dev.ferry.overlay.identify.IdentifyService;
import dev.ferry.overlay.perf.PerfService;
import dev.ferry.overlay.ping.PingService;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletableFuture;

/**
 * A host with the services every libp2p node runs: identify and ping, and perf (its server only
 * when asked for). The CLI, the tests and later the messenger start from here.
 */
public final class OverlayNode implements AutoCloseable {
    private final NettyHost host;
    private final IdentifyService identify;
    private final PingService ping;
    private final PerfService perf;

    private OverlayNode(NettyHost host, HostConfig config, boolean servePerf) {
        this.host = host;
        this.identify = new IdentifyService(host, config.identity().publicKey(), config.agentVersion(),
                HostConfig.PROTOCOL_VERSION, host::listenAddresses, config.maxMessageSize());
        this.ping = new PingService(host);
        this.perf = new PerfService(host, servePerf);
    }

    /** Starts a node; it listens once {@link Host#listen} is called. */
    public static OverlayNode create(HostConfig config, boolean servePerf) {
        return new OverlayNode(new NettyHost(config), config, servePerf);
    }

    /** As above, with every connection's buffers from {@code allocator} (for tests that measure the heap). */
    static OverlayNode create(HostConfig config, boolean servePerf, ByteBufAllocator allocator) {
        return new OverlayNode(new NettyHost(config, allocator), config, servePerf);
    }

    public Host host() {
        return host;
    }

    public IdentifyService identify() {
        return identify;
    }

    public PingService ping() {
        return ping;
    }

    public PerfService perf() {
        return perf;
    }

    /** Closes connections and listeners and waits (at most a few seconds) for them to go. */
    @Override
    public void close() {
        CompletableFuture<Void> closing = host.close();
        try {
            closing.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // shutting down anyway
        }
    }
}
