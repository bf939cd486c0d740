package dev.ferry.overlay.host;

import static dev.ferry.overlay.host.TestNetwork.eventually;
import static dev.ferry.overlay.host.TestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.yamux.YamuxConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connections without streams close after the idle timeout, and the next stream dials afresh. */
class IdleConnectionTest {
    private static final Duration IDLE = Duration.ofMillis(300);

    private final TestNetwork net = new TestNetwork();

    @AfterEach
    void stop() {
        net.close();
    }

    private OverlayNode idleNode() {
        return net.node(b -> b.yamux(YamuxConfig.DEFAULTS.withIdleTimeout(IDLE)));
    }

    @Test
    void shouldCloseAConnectionThatHasHadNoStreamForTheIdleTimeout() {
        OverlayNode a = idleNode();
        OverlayNode b = net.node();
        Connection connection = TestNetwork.connect(a, b);
        byte[] echoed = join(EchoProtocol.roundTrip(connection, "ping".getBytes(StandardCharsets.UTF_8)));
        assertThat(echoed).asString(StandardCharsets.UTF_8).isEqualTo("ping");

        join(connection.closeFuture());

        eventually().until(() -> b.host().connections(a.host().peerId()).isEmpty());
    }

    @Test
    void shouldKeepAConnectionOpenWhileAStreamIsOpen() throws Exception {
        OverlayNode a = idleNode();
        OverlayNode b = net.node();
        Connection connection = TestNetwork.connect(a, b);
        Stream held = join(connection.newStream(EchoProtocol.ID));

        Thread.sleep(IDLE.multipliedBy(3).toMillis());

        assertThat(connection.isOpen()).isTrue();
        held.reset();
        eventually().until(() -> !connection.isOpen());
    }

    @Test
    void shouldCloseAConnectionWhoseOpenStreamsDoNotKeepItOpen() throws Exception {
        OverlayNode a = idleNode();
        OverlayNode b = net.node();
        Connection connection = TestNetwork.connect(a, b);
        Stream background = join(connection.newStream(EchoProtocol.ID));
        background.keepConnectionOpen(false);
        Stream held = join(connection.newStream(EchoProtocol.ID));

        Thread.sleep(IDLE.multipliedBy(3).toMillis());
        assertThat(connection.isOpen()).as("a stream that keeps it open is still there").isTrue();

        held.keepConnectionOpen(false);
        join(connection.closeFuture());
        // The streams close with the connection (their futures fail: "connection closed"), just after its own.
        join(background.closeFuture().handle((v, e) -> null));
        join(held.closeFuture().handle((v, e) -> null));
    }

    @Test
    void shouldDialAgainForAStreamAfterTheIdleConnectionClosed() {
        OverlayNode a = idleNode();
        OverlayNode b = net.node();
        Connection first = TestNetwork.connect(a, b);
        join(first.closeFuture());

        Stream stream = join(a.host().newStream(b.host().peerId(), EchoProtocol.ID));
        byte[] echoed = join(EchoProtocol.roundTrip(stream, "again".getBytes(StandardCharsets.UTF_8)));

        assertThat(echoed).asString(StandardCharsets.UTF_8).isEqualTo("again");
        assertThat(stream.connection()).isNotSameAs(first);
    }

    @Test
    void shouldNeverCloseIdleConnectionsWhenTheTimeoutIsZero() throws Exception {
        OverlayNode a = net.node(b -> b.yamux(YamuxConfig.DEFAULTS.withIdleTimeout(Duration.ZERO)));
        OverlayNode b = net.node(c -> c.yamux(YamuxConfig.DEFAULTS.withIdleTimeout(Duration.ZERO)));
        Connection connection = TestNetwork.connect(a, b);

        Thread.sleep(IDLE.multipliedBy(3).toMillis());

        assertThat(connection.isOpen()).isTrue();
    }
}
