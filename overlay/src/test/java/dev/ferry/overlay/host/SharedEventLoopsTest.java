package dev.ferry.overlay.host;

import static dev.ferry.overlay.host.TestNetwork.WAIT;
import static dev.ferry.overlay.host.TestNetwork.connect;
import static dev.ferry.overlay.host.TestNetwork.eventually;
import static dev.ferry.overlay.host.TestNetwork.fullAddressOf;
import static dev.ferry.overlay.host.TestNetwork.hostOf;
import static dev.ferry.overlay.host.TestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.Connection;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many hosts on one event loop group: a whole network in one JVM on a few threads. */
class SharedEventLoopsTest {
    /** Hosts in the large network; the next issue's simulations need this many. */
    private static final int HOSTS = 200;
    /** Distinct random peers each host dials. */
    private static final int DIALS_PER_HOST = 3;
    /** Threads the whole network may add; a group per host would add {@code HOSTS} times two. */
    private static final int MAX_EXTRA_THREADS = 20;

    private final TestNetwork net = new TestNetwork();
    private final List<EventLoopGroup> groups = new ArrayList<>();

    @AfterEach
    void tearDown() {
        try {
            net.close();
        } finally {
            for (EventLoopGroup g : groups) g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
        }
    }

    private EventLoopGroup sharedGroup(EventLoopGroup group) {
        groups.add(group);
        return group;
    }

    @Test
    void shouldRunTwoHundredHostsOnOneGroupOfTwoThreadsAndLeaveItRunningWhenTheyClose() {
        int threadsBefore = Thread.activeCount();
        EventLoopGroup shared = sharedGroup(NettyHost.newEventLoopGroup(2));
        List<OverlayNode> nodes = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) nodes.add(net.node(b -> b.sharedEventLoops(shared)));

        Random random = new Random(42);
        List<int[]> pairs = new ArrayList<>();
        List<CompletableFuture<Connection>> dials = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            List<Integer> others = new ArrayList<>();
            while (others.size() < DIALS_PER_HOST) {
                int j = random.nextInt(HOSTS);
                if (j != i && !others.contains(j)) others.add(j);
            }
            for (int j : others) {
                pairs.add(new int[] {i, j});
                dials.add(nodes.get(i).host().dial(fullAddressOf(nodes.get(j))));
            }
        }
        for (CompletableFuture<Connection> dial : dials) join(dial);
        eventually().untilAsserted(() -> {
            for (int[] p : pairs) {
                OverlayNode a = nodes.get(p[0]);
                OverlayNode b = nodes.get(p[1]);
                assertThat(a.host().connections(b.host().peerId())).as("%d sees %d", p[0], p[1]).isNotEmpty();
                assertThat(b.host().connections(a.host().peerId())).as("%d sees %d", p[1], p[0]).isNotEmpty();
            }
        });
        int threadsDuring = Thread.activeCount();
        System.out.printf("threads: %d before, %d with %d hosts and %d dials on one group%n",
                threadsBefore, threadsDuring, HOSTS, dials.size());
        assertThat(threadsDuring - threadsBefore).isLessThan(MAX_EXTRA_THREADS);

        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (OverlayNode node : nodes) closing.add(node.host().close());
        join(CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)));
        for (OverlayNode node : nodes) assertThat(node.host().connections()).isEmpty();
        assertThat(shared.isShuttingDown()).isFalse();

        OverlayNode late = net.node(b -> b.sharedEventLoops(shared));
        OverlayNode other = net.node(b -> b.sharedEventLoops(shared));
        assertThat(connect(late, other).remotePeer()).isEqualTo(other.host().peerId());
        System.out.printf("threads: %d after closing them%n", Thread.activeCount());
    }

    @Test
    void shouldShutDownItsOwnGroupOnClose() {
        OverlayNode a = net.node();
        OverlayNode b = net.node();
        connect(a, b);
        EventLoopGroup own = hostOf(a).eventLoops();
        assertThat(own.isShuttingDown()).isFalse();

        join(a.host().close());

        eventually().until(own::isTerminated);
    }

    @Test
    void shouldPickNioChannelsForANioGroup() {
        EventLoopGroup nio = sharedGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
        OverlayNode a = net.node(b -> b.sharedEventLoops(nio));
        OverlayNode b = net.node(b2 -> b2.sharedEventLoops(nio));

        assertThat(connect(a, b).remotePeer()).isEqualTo(b.host().peerId());
    }

    @Test
    void shouldRefuseAGroupOfAnotherTransport() {
        EventLoopGroup local = sharedGroup(new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory()));
        HostConfig config = HostConfig.builder(IdentityKeyPair.generate(TestNetwork.RANDOM)).sharedEventLoops(local).build();

        assertThatThrownBy(() -> new NettyHost(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoll or NIO");
    }

    @Test
    void shouldRefuseAGroupThatIsShutDown() {
        EventLoopGroup gone = NettyHost.newEventLoopGroup(1);
        gone.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
        HostConfig config = HostConfig.builder(IdentityKeyPair.generate(TestNetwork.RANDOM)).sharedEventLoops(gone).build();

        assertThatThrownBy(() -> new NettyHost(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shut down");
    }
}
