package dev.ferry.cmd;

import dev.ferry.cmd.api.ApiServer;
import dev.ferry.cmd.api.ApiToken;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.messenger.delivery.RetrySchedule;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whole Ferry nodes in this JVM on loopback, each serving its HTTP API (and so its web page) on a
 * free port of 127.0.0.1, with a data directory under one the test owns. The first node started
 * is the others' bootstrap peer.
 */
final class ApiTestNodes implements AutoCloseable {
    /** Longest a node may take to start and join. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A running node, its API, and the token the API asks for. */
    record Running(FerryNode node, ApiServer api, ApiToken token, Path dataDir) {
        /** The web page's address, signed in as {@code ferry web} prints it. */
        String pageLink() {
            return "http://127.0.0.1:" + api.port() + "/#token=" + token.value();
        }
    }

    private final Path root;
    private final EventLoopGroup eventLoops = NettyHost.newEventLoopGroup(2);
    private final List<Running> running = new ArrayList<>();

    ApiTestNodes(Path root) {
        this.root = root;
    }

    /** Intervals and retries short enough that a test sees delivery within seconds. */
    static MessengerConfig fastConfig() {
        return MessengerConfig.defaults()
                .withIntervals(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .withRetry(new RetrySchedule(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2), Duration.ofSeconds(5));
    }

    /** Starts one more node, joined through the first, with its API. */
    Running start() throws Exception {
        Path dataDir = root.resolve("node-" + running.size());
        List<Multiaddr> bootstrap = running.isEmpty() ? List.of() : List.of(running.getFirst().node().addresses().getFirst());
        FerryNode node = FerryNode.builder()
                .identity(IdentityKeyPair.generate(RANDOM))
                .dataDirectory(dataDir)
                .listen(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))
                .bootstrap(bootstrap)
                .config(fastConfig())
                .eventLoops(eventLoops)
                .start();
        ApiServer api = null;
        try {
            // the first node joins too: that publishes its prekey bundle
            node.join().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ApiToken token = ApiToken.loadOrCreate(dataDir, RANDOM);
            api = ApiServer.start(node, token, "127.0.0.1", 0);
            Running started = new Running(node, api, token, dataDir);
            running.add(started);
            return started;
        } catch (Exception | Error e) {
            if (api != null) api.close();
            node.close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (Running r : running.reversed()) {
            r.api().close();
            r.node().close();
        }
        running.clear();
        eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(START_TIMEOUT.toMillis());
    }
}
