package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtService;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * DHT servers on loopback in this JVM, sharing one small event loop group, each bootstrapped
 * from the first: the network the {@code ferry dht} tests run their commands against.
 */
final class DhtServers implements AutoCloseable {
    /** Longest any one set-up step may take on a busy 2-core machine. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final SecureRandom RANDOM = new SecureRandom();

    /** One server: a node with a DHT service in server mode. */
    record Server(OverlayNode overlay, DhtService dht) {
        PeerId peerId() {
            return overlay.host().peerId();
        }

        /** Its listen address with /p2p/, as a --bootstrap argument. */
        Multiaddr address() {
            return overlay.host().listenAddresses().getFirst().withPeerId(peerId());
        }

        List<PeerId> routingTable() {
            return join(dht.routingTablePeers());
        }
    }

    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    final List<Server> servers = new ArrayList<>();

    /** {@code count} servers, each bootstrapped from the first. */
    static DhtServers start(int count) {
        DhtServers network = new DhtServers();
        for (int i = 0; i < count; i++) network.add(IdentityKeyPair.generate(RANDOM));
        return network;
    }

    /** Starts one more server as {@code identity} and bootstraps it from the first. */
    Server add(IdentityKeyPair identity) {
        OverlayNode overlay = OverlayNode.create(HostConfig.builder(identity).sharedEventLoops(group).build(), false);
        join(overlay.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        Server server = new Server(overlay, DhtService.create(overlay.host(), DhtConfig.defaults(), Validators.standard(),
                Clock.systemUTC()));
        if (!servers.isEmpty()) join(server.dht().bootstrap(List.of(servers.getFirst().address())));
        servers.add(server);
        return server;
    }

    Server get(int i) {
        return servers.get(i);
    }

    List<PeerId> peerIds() {
        return servers.stream().map(Server::peerId).toList();
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    @Override
    public void close() {
        for (Server server : servers) {
            try {
                server.dht().close().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // shutting down anyway
            }
            server.overlay().close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
