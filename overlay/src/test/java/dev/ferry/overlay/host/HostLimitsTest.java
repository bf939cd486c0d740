package dev.ferry.overlay.host;

import static dev.ferry.overlay.host.TestNetwork.RANDOM;
import static dev.ferry.overlay.host.TestNetwork.addressOf;
import static dev.ferry.overlay.host.TestNetwork.connect;
import static dev.ferry.overlay.host.TestNetwork.eventually;
import static dev.ferry.overlay.host.TestNetwork.failureOf;
import static dev.ferry.overlay.host.TestNetwork.fullAddressOf;
import static dev.ferry.overlay.host.TestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.identify.IdentifyProtocol;
import dev.ferry.overlay.identify.proto.IdentifyProto;
import dev.ferry.overlay.framing.LengthPrefixed;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostLimitsTest {
    private final TestNetwork network = new TestNetwork();

    @AfterEach
    void closeTheNetwork() {
        network.close();
    }

    // ------------------------------------------------------------------ connections

    @Test
    void shouldCloseAnInboundConnectionPastMaxConnectionsAndAcceptOneWhenASlotFrees() {
        OverlayNode node = network.node(b -> b.maxConnections(2));
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        OverlayNode carol = network.node();
        Connection aliceToNode = connect(alice, node);
        connect(bob, node);

        Throwable refused = failureOf(carol.host().dial(fullAddressOf(node)));

        assertThat(refused.getMessage()).contains(fullAddressOf(node).toString()).doesNotContain("\n");
        assertThat(node.host().connections()).hasSize(2);
        assertThat(carol.host().connections()).isEmpty();

        join(aliceToNode.close());
        eventually().until(() -> node.host().connections().size() == 1);

        assertThat(connect(carol, node).isOpen()).isTrue();
    }

    @Test
    void shouldFailADialPastMaxConnectionsWithAClearMessage() {
        OverlayNode node = network.node(b -> b.maxConnections(1));
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        connect(alice, node);
        eventually().until(() -> node.host().connections().size() == 1);

        Throwable refused = failureOf(node.host().dial(fullAddressOf(bob)));

        assertThat(refused).hasMessageContaining("connection limit of 1 reached");
        assertThat(bob.host().connections()).isEmpty();
    }

    @Test
    void shouldReleaseTheConnectionSlotOfEveryFailedDial() throws Exception {
        OverlayNode node = network.node(b -> b.maxConnections(1));
        OverlayNode alice = network.node();

        for (int i = 0; i < 5; i++) {
            assertThat(failureOf(node.host().dial(HostBehaviourTest.closedPortAddress()))).hasMessageContaining("refused");
        }
        failureOf(node.host().dial(addressOf(alice).withPeerId(IdentityKeyPair.generate(RANDOM).peerId())));

        assertThat(connect(node, alice).isOpen()).isTrue();
    }

    @Test
    void shouldRefuseAConnectionPastMaxConnectionsPerPeerAndKeepTheFirst() {
        OverlayNode node = network.node(b -> b.maxConnectionsPerPeer(1));
        OverlayNode alice = network.node();
        Connection first = connect(alice, node);
        eventually().until(() -> node.host().connections(alice.host().peerId()).size() == 1);

        // Without /p2p/ the dialler does not know it is connected already, so it tries again.
        failureOf(alice.host().dial(addressOf(node)));

        assertThat(node.host().connections(alice.host().peerId())).hasSize(1);
        assertThat(first.isOpen()).isTrue();
        assertThat(join(alice.ping().ping(first, 1))).hasSize(1);
    }

    @Test
    void shouldDisconnectAClientThatSendsNothingWhenTheHandshakeTimesOut() {
        Duration timeout = Duration.ofMillis(300);
        OverlayNode node = network.node(b -> b.handshakeTimeout(timeout));
        long start = System.nanoTime();

        RawPeer silent = network.raw(node);

        join(silent.closed());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(timeout);
        assertThat(silent.receivedBytes()).isZero();
        assertThat(node.host().connections()).isEmpty();
    }

    @Test
    void shouldCloseInboundConnectionsPastThePendingHandshakesOfOneAddress() {
        OverlayNode node = network.node(b -> b.maxPendingHandshakesPerIp(2).handshakeTimeout(Duration.ofSeconds(30)));
        RawPeer first = network.raw(node);
        RawPeer second = network.raw(node);
        // the client side connects before the node has counted the connection
        eventually().until(() -> TestNetwork.hostOf(node).pendingHandshakeCount() == 2);

        RawPeer third = network.raw(node);

        join(third.closed());
        assertThat(third.receivedBytes()).isZero();
        assertThat(first.isOpen()).as("handshakes already under way are kept").isTrue();
        assertThat(second.isOpen()).isTrue();
    }

    @Test
    void shouldAcceptAHandshakeAgainOnceAPendingOneEnded() {
        OverlayNode node = network.node(b -> b.maxPendingHandshakes(1).handshakeTimeout(Duration.ofSeconds(30)));
        RawPeer silent = network.raw(node);
        eventually().until(() -> TestNetwork.hostOf(node).pendingHandshakeCount() == 1);
        OverlayNode alice = network.node();
        assertThat(failureOf(alice.host().dial(fullAddressOf(node)))).as("the only place is taken").isNotNull();

        silent.close();
        join(silent.closed());

        eventually().untilAsserted(() -> assertThat(alice.host().dial(fullAddressOf(node)))
                .succeedsWithin(TestNetwork.WAIT));
    }

    @Test
    void shouldNotCountCompletedHandshakesAsPending() {
        OverlayNode node = network.node(b -> b.maxPendingHandshakes(1));
        for (int i = 0; i < 3; i++) {
            OverlayNode peer = network.node();
            assertThat(connect(peer, node).isOpen()).isTrue();
        }
        // the dialer is done when it reads the node's last answer, a moment before the node registers
        eventually().untilAsserted(() -> assertThat(node.host().connections()).hasSize(3));
    }

    // ------------------------------------------------------------------ streams

    @Test
    void shouldRefuseInboundStreamsBeyondTheBurstButKeepTheConnection() {
        ManualClock clock = new ManualClock();
        int burst = 5;
        OverlayNode node = network.node(b -> b.inboundStreamBurst(burst).inboundStreamsPerSecond(2).clock(clock));
        OverlayNode alice = network.node();
        Connection connection = connect(alice, node);
        // identify took one token: Alice's question to the node is an inbound stream there
        join(alice.identify().identify(connection));

        List<CompletableFuture<Stream>> burstOfStreams = new ArrayList<>();
        for (int i = 0; i < 2 * burst; i++) burstOfStreams.add(connection.newStream(EchoProtocol.ID));

        long opened = burstOfStreams.stream().filter(f -> succeeded(f)).count();
        assertThat(opened).isEqualTo(burst - 1);
        assertThat(connection.isOpen()).isTrue();

        clock.advance(Duration.ofSeconds(1)); // two tokens back
        assertThat(join(EchoProtocol.roundTrip(connection, new byte[] {42}))).containsExactly(42);
        assertThat(join(alice.ping().ping(connection, 3))).hasSize(3);
        assertThat(failureOf(connection.newStream(EchoProtocol.ID))).hasMessageContaining("reset");
        assertThat(connection.isOpen()).isTrue();
    }

    // ------------------------------------------------------------------ messages

    @Test
    void shouldCloseTheConnectionOfAPeerWhoseIdentifyPushExceedsMaxMessageSize() {
        OverlayNode node = network.node(b -> b.maxMessageSize(4 * 1024));
        OverlayNode alice = network.node();
        Connection connection = connect(alice, node);

        Stream push = join(connection.newStream(IdentifyProtocol.PUSH_PROTOCOL_ID));
        push.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, identify("x".repeat(5 * 1024))));

        join(connection.closeFuture());
        eventually().until(() -> node.host().connections().isEmpty());
    }

    @Test
    void shouldAcceptAnIdentifyPushWithinMaxMessageSize() {
        OverlayNode node = network.node(b -> b.maxMessageSize(4 * 1024));
        OverlayNode alice = network.node();
        Connection connection = connect(alice, node);

        Stream push = join(connection.newStream(IdentifyProtocol.PUSH_PROTOCOL_ID));
        push.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, identify("pushed/1.0")));
        push.closeWrite();

        eventually().until(() -> node.host().peerStore().info(alice.host().peerId())
                .map(i -> i.agentVersion().equals("pushed/1.0")).orElse(false));
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void shouldCloseTheConnectionOfAPeerWhoseIdentifyAnswerExceedsTheIdentifyLimit() {
        OverlayNode node = network.node();
        OverlayNode braggart = network.node();
        // Answers identify with a length beyond what any node accepts, and nothing behind it.
        braggart.host().setProtocolHandler(IdentifyProtocol.PROTOCOL_ID, stream -> {
            io.netty.buffer.ByteBuf prefix = Unpooled.buffer(5);
            writeVarint(prefix, IdentifyProtocol.MAX_MESSAGE_SIZE + 1);
            stream.write(prefix);
        });

        Connection connection = connect(node, braggart);

        assertThat(failureOf(node.identify().identify(connection))).hasMessageContaining("exceeds the limit");
        join(connection.closeFuture());
    }

    // ------------------------------------------------------------------ deny list and bans

    @Test
    void shouldRefuseADeniedPeerInBothDirections() {
        IdentityKeyPair mallory = IdentityKeyPair.generate(RANDOM);
        OverlayNode node = network.node(b -> b.deniedPeers(Set.of(mallory.peerId())));
        OverlayNode malloryNode = network.node(mallory, b -> b, false);

        failureOf(malloryNode.host().dial(fullAddressOf(node)));
        assertThat(failureOf(node.host().dial(fullAddressOf(malloryNode)))).hasMessageContaining("deny list");
        assertThat(failureOf(node.host().dial(addressOf(malloryNode)))).hasMessageContaining("deny list");

        assertThat(node.host().connections()).isEmpty();
        assertThat(connect(network.node(), node).isOpen()).isTrue();
    }

    @Test
    void shouldBanAPeerThatBreaksTheProtocolTwiceUntilTheBanExpires() {
        ManualClock clock = new ManualClock();
        Duration banDuration = Duration.ofMinutes(10);
        OverlayNode node = network.node(b -> b.strikesBeforeBan(2).banDuration(banDuration).clock(clock));
        OverlayNode mallory = network.node();

        breakIdentifyPush(mallory, node);
        assertThat(connect(mallory, node).isOpen()).isTrue(); // one strike is not a ban
        breakIdentifyPush(mallory, node);

        Throwable refused = failureOf(mallory.host().dial(fullAddressOf(node)));
        assertThat(refused.getMessage()).doesNotContain("\n");
        assertThat(failureOf(node.host().dial(fullAddressOf(mallory)))).hasMessageContaining("banned until");
        node.host().peerStore().addAddresses(mallory.host().peerId(), List.of(addressOf(mallory)));
        assertThat(failureOf(node.host().dial(mallory.host().peerId()))).hasMessageContaining("banned until");
        assertThat(node.host().connections()).isEmpty();

        clock.advance(banDuration.minusSeconds(1));
        failureOf(mallory.host().dial(fullAddressOf(node)));

        clock.advance(Duration.ofSeconds(2));
        assertThat(connect(mallory, node).isOpen()).isTrue();
        assertThat(connect(node, mallory).remotePeer()).isEqualTo(mallory.host().peerId());
    }

    @Test
    void shouldForgetAStrikeOnceTheBanWindowHasPassed() {
        ManualClock clock = new ManualClock();
        Duration banDuration = Duration.ofMinutes(10);
        OverlayNode node = network.node(b -> b.strikesBeforeBan(2).banDuration(banDuration).clock(clock));
        OverlayNode mallory = network.node();

        breakIdentifyPush(mallory, node);
        clock.advance(banDuration.plusSeconds(1));
        breakIdentifyPush(mallory, node);

        assertThat(connect(mallory, node).isOpen()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    /** Connects and sends an identify push longer than identify allows; waits until the node hangs up. */
    private static void breakIdentifyPush(OverlayNode from, OverlayNode to) {
        Connection connection = connect(from, to);
        Stream push = join(connection.newStream(IdentifyProtocol.PUSH_PROTOCOL_ID));
        io.netty.buffer.ByteBuf prefix = Unpooled.buffer(5);
        writeVarint(prefix, IdentifyProtocol.MAX_MESSAGE_SIZE + 1);
        push.write(prefix);
        join(connection.closeFuture());
        eventually().until(() -> to.host().connections(from.host().peerId()).isEmpty());
    }

    private static byte[] identify(String agentVersion) {
        return IdentifyProto.Identify.newBuilder()
                .setAgentVersion(agentVersion)
                .setProtocolVersion("ferry/1.0.0")
                .addProtocols(EchoProtocol.ID)
                .build().toByteArray();
    }

    private static void writeVarint(io.netty.buffer.ByteBuf out, int value) {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    private static boolean succeeded(CompletableFuture<?> future) {
        try {
            join(future);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }
}
