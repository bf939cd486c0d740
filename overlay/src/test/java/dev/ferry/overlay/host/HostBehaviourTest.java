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
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.ConnectionListener;
import dev.ferry.overlay.Direction;
import dev.ferry.overlay.PeerInfo;
import dev.ferry.overlay.ProtocolNotSupportedException;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostBehaviourTest {
    private final TestNetwork network = new TestNetwork();

    @AfterEach
    void closeTheNetwork() {
        network.close();
    }

    // ------------------------------------------------------------------ connecting

    @Test
    void shouldConnectToAPeerNamedByItsFullAddressAndAuthenticateBothSides() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();

        Connection connection = connect(alice, bob);

        assertThat(connection.remotePeer()).isEqualTo(bob.host().peerId());
        assertThat(connection.direction()).isEqualTo(Direction.OUTBOUND);
        assertThat(connection.remoteAddress()).isEqualTo(addressOf(bob));
        assertThat(connection.isOpen()).isTrue();
        eventually().until(() -> bob.host().connections(alice.host().peerId()).size() == 1);
        Connection inbound = bob.host().connections(alice.host().peerId()).getFirst();
        assertThat(inbound.direction()).isEqualTo(Direction.INBOUND);
        assertThat(inbound.remoteAddress()).isEqualTo(connection.localAddress());
    }

    @Test
    void shouldConnectToAnAddressWithoutPeerIdAndLearnWhoAnswered() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();

        Connection connection = join(alice.host().dial(addressOf(bob)));

        assertThat(connection.remotePeer()).isEqualTo(bob.host().peerId());
        assertThat(alice.host().peerStore().addresses(bob.host().peerId())).contains(addressOf(bob));
    }

    @Test
    void shouldTellListenersOnBothSidesWhenAConnectionOpensAndCloses() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        Events aliceEvents = new Events();
        Events bobEvents = new Events();
        alice.host().addConnectionListener(aliceEvents);
        bob.host().addConnectionListener(bobEvents);

        Connection connection = connect(alice, bob);

        eventually().until(() -> aliceEvents.connected.size() == 1 && bobEvents.connected.size() == 1);
        assertThat(aliceEvents.connected.getFirst()).isSameAs(connection);
        assertThat(bobEvents.connected.getFirst().remotePeer()).isEqualTo(alice.host().peerId());
        assertThat(aliceEvents.disconnected).isEmpty();

        join(connection.close());

        eventually().until(() -> aliceEvents.disconnected.size() == 1 && bobEvents.disconnected.size() == 1);
        assertThat(aliceEvents.disconnected.getFirst()).isSameAs(connection);
        assertThat(bobEvents.disconnected.getFirst()).isSameAs(bobEvents.connected.getFirst());
        assertThat(alice.host().connections()).isEmpty();
        eventually().until(() -> bob.host().connections().isEmpty());
    }

    @Test
    void shouldIdentifyEachOtherOnConnecting() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();

        Connection connection = connect(alice, bob);
        PeerInfo bobInfo = join(alice.identify().identify(connection));

        assertThat(bobInfo.protocols()).contains(EchoProtocol.ID, "/ipfs/ping/1.0.0", "/ipfs/id/1.0.0");
        assertThat(bobInfo.listenAddresses()).contains(addressOf(bob));
        assertThat(bobInfo.observedAddress()).contains(connection.localAddress());
        eventually().until(() -> bob.host().peerStore().info(alice.host().peerId()).isPresent());
    }

    // ------------------------------------------------------------------ streams

    @Test
    void shouldEchoTenMebibytesExactlyOverACustomProtocol() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        byte[] payload = new byte[10 * 1024 * 1024];
        RANDOM.nextBytes(payload);

        byte[] echoed = join(EchoProtocol.roundTrip(connect(alice, bob), payload));

        assertThat(echoed).hasSameSizeAs(payload);
        assertThat(echoed).isEqualTo(payload);
    }

    @Test
    void shouldFailANewStreamWithProtocolNotSupportedWhenTheRemoteServesNoneOfTheProposals() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        Connection connection = connect(alice, bob);

        Throwable failure = failureOf(connection.newStream("/ferry/test/nothing/1.0.0", "/ferry/test/nothing/2.0.0"));

        assertThat(failure).isInstanceOf(ProtocolNotSupportedException.class)
                .hasMessageContaining("/ferry/test/nothing/1.0.0")
                .hasMessageContaining("/ferry/test/nothing/2.0.0");
        assertThat(connection.isOpen()).isTrue();
        assertThat(join(EchoProtocol.roundTrip(connection, new byte[] {1, 2, 3}))).containsExactly(1, 2, 3);
    }

    @Test
    void shouldChooseTheFirstProposalTheRemoteSupports() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        EchoProtocol.serve(bob.host(), "/ferry/test/echo/2.0.0");
        Connection connection = connect(alice, bob);

        Stream skipsTheUnsupported = join(connection.newStream("/ferry/test/nothing/1.0.0", EchoProtocol.ID));
        Stream prefersTheFirstSupported = join(connection.newStream("/ferry/test/echo/2.0.0", EchoProtocol.ID));

        assertThat(skipsTheUnsupported.protocol()).isEqualTo(EchoProtocol.ID);
        assertThat(prefersTheFirstSupported.protocol()).isEqualTo("/ferry/test/echo/2.0.0");
        assertThat(join(EchoProtocol.roundTrip(prefersTheFirstSupported, new byte[] {7}))).containsExactly(7);
    }

    @Test
    void shouldNotServeAProtocolWhoseHandlerWasRemoved() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        bob.host().removeProtocolHandler(EchoProtocol.ID);

        Throwable failure = failureOf(connect(alice, bob).newStream(EchoProtocol.ID));

        assertThat(failure).isInstanceOf(ProtocolNotSupportedException.class);
        assertThat(bob.host().protocols()).doesNotContain(EchoProtocol.ID);
    }

    // ------------------------------------------------------------------ dialling by PeerId, reuse

    @Test
    void shouldDialAPeerByPeerIdAtTheAddressesThePeerStoreKnows() throws IOException {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        PeerId bobId = bob.host().peerId();
        alice.host().peerStore().addAddresses(bobId, List.of(addressOf(bob), closedPortAddress()));

        Connection connection = join(alice.host().dial(bobId));

        assertThat(connection.remotePeer()).isEqualTo(bobId);
        assertThat(join(alice.host().newStream(bobId, EchoProtocol.ID)).connection()).isSameAs(connection);
    }

    @Test
    void shouldFailToDialAPeerByPeerIdWhenThePeerStoreKnowsNoAddress() {
        OverlayNode alice = network.node();
        PeerId stranger = IdentityKeyPair.generate(RANDOM).peerId();

        Throwable failure = failureOf(alice.host().dial(stranger));

        assertThat(failure).hasMessageContaining("no known address for " + stranger);
    }

    @Test
    void shouldDialAPeerByPeerIdOnceAnAddressIsKnownEvenAfterAFailedDial() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        PeerId bobId = bob.host().peerId();
        failureOf(alice.host().dial(bobId));

        alice.host().peerStore().addAddresses(bobId, List.of(addressOf(bob)));

        assertThat(join(alice.host().dial(bobId)).remotePeer()).isEqualTo(bobId);
    }

    @Test
    void shouldShareOneDialBetweenConcurrentDialsOfTheSamePeer() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        PeerId bobId = bob.host().peerId();
        alice.host().peerStore().addAddresses(bobId, List.of(addressOf(bob)));

        List<CompletableFuture<Connection>> dials = List.of(
                alice.host().dial(bobId), alice.host().dial(bobId), alice.host().dial(bobId));

        Connection first = join(dials.getFirst());
        for (CompletableFuture<Connection> dial : dials) assertThat(join(dial)).isSameAs(first);
        assertThat(alice.host().connections()).containsExactly(first);
    }

    @Test
    void shouldFailToDialAPeerByPeerIdNamingTheLastErrorWhenNoAddressAnswers() throws IOException {
        OverlayNode alice = network.node();
        PeerId stranger = IdentityKeyPair.generate(RANDOM).peerId();
        alice.host().peerStore().addAddresses(stranger, List.of(closedPortAddress()));

        Throwable failure = failureOf(alice.host().dial(stranger));

        assertThat(failure.getMessage()).contains("cannot reach " + stranger).doesNotContain("\n");
    }

    @Test
    void shouldReuseAnExistingConnectionToTheSamePeer() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        Connection first = connect(alice, bob);

        assertThat(join(alice.host().dial(fullAddressOf(bob)))).isSameAs(first);
        assertThat(join(alice.host().dial(bob.host().peerId()))).isSameAs(first);
        assertThat(join(alice.host().newStream(bob.host().peerId(), EchoProtocol.ID)).connection()).isSameAs(first);
        assertThat(alice.host().connections()).containsExactly(first);
    }

    // ------------------------------------------------------------------ failed dials

    @Test
    void shouldFailADialToTheWrongPeerIdNamingBothPeerIds() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        PeerId expected = IdentityKeyPair.generate(RANDOM).peerId();

        Throwable failure = failureOf(alice.host().dial(addressOf(bob).withPeerId(expected)));

        assertThat(failure.getMessage())
                .contains(expected.toString())
                .contains(bob.host().peerId().toString())
                .doesNotContain("\n");
        assertThat(alice.host().connections()).isEmpty();
    }

    @Test
    void shouldFailADialToAClosedPortWithOneClearLine() throws IOException {
        OverlayNode alice = network.node();
        Multiaddr nobody = closedPortAddress();

        Throwable failure = failureOf(alice.host().dial(nobody));

        assertThat(failure.getMessage())
                .contains(nobody.toString())
                .containsIgnoringCase("refused")
                .doesNotContain("\n");
    }

    @Test
    void shouldRefuseToDialItself() {
        OverlayNode alice = network.node();
        PeerId self = alice.host().peerId();

        assertThat(failureOf(alice.host().dial(fullAddressOf(alice)))).hasMessageContaining("ourselves");
        assertThat(failureOf(alice.host().dial(self))).hasMessageContaining("ourselves");
        assertThat(failureOf(alice.host().dial(addressOf(alice)))).hasMessageContaining("ourselves");
        eventually().until(() -> alice.host().connections().isEmpty());
    }

    // ------------------------------------------------------------------ closing

    @Test
    void shouldCloseEveryConnectionWhenTheHostCloses() {
        OverlayNode alice = network.node();
        OverlayNode bob = network.node();
        OverlayNode carol = network.node();
        Connection toBob = connect(alice, bob);
        Connection toCarol = connect(alice, carol);
        Events bobEvents = new Events();
        bob.host().addConnectionListener(bobEvents);

        join(alice.host().close());

        assertThat(toBob.isOpen()).isFalse();
        assertThat(toCarol.isOpen()).isFalse();
        assertThat(toBob.closeFuture()).isDone();
        eventually().until(() -> bob.host().connections().isEmpty() && carol.host().connections().isEmpty());
        assertThat(bobEvents.disconnected).hasSize(1);
        assertThat(failureOf(alice.host().dial(fullAddressOf(bob)))).hasMessageContaining("closed");
    }

    // ------------------------------------------------------------------ helpers

    /** An address where nothing listens: a port the kernel gave us and we let go of. */
    static Multiaddr closedPortAddress() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        return Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port);
    }

    private static final class Events implements ConnectionListener {
        final List<Connection> connected = new CopyOnWriteArrayList<>();
        final List<Connection> disconnected = new CopyOnWriteArrayList<>();

        @Override
        public void connected(Connection connection) {
            connected.add(connection);
        }

        @Override
        public void disconnected(Connection connection) {
            disconnected.add(connection);
        }
    }

    @Test
    void shouldDialADns4NameByItsIpv4Address() {
        OverlayNode node = network.node();
        OverlayNode alice = network.node();
        int port = addressOf(node).tcpTarget().port();

        Connection c = join(alice.host().dial(Multiaddr.parse("/dns4/localhost/tcp/" + port).withPeerId(node.host().peerId())));

        assertThat(c.remotePeer()).isEqualTo(node.host().peerId());
        assertThat(c.remoteAddress().toString()).startsWith("/ip4/127.0.0.1/");
    }

    @Test
    void shouldFailClearlyWhenANameDoesNotResolve() {
        OverlayNode alice = network.node(b -> b.handshakeTimeout(java.time.Duration.ofSeconds(3)));

        Throwable failure = failureOf(alice.host().dial(Multiaddr.parse("/dns4/no-such-host.invalid/tcp/4001")));

        assertThat(failure).hasMessageContaining("no-such-host.invalid")
                .message().satisfiesAnyOf(m -> assertThat(m).contains("cannot resolve"), m -> assertThat(m).contains("took longer"));
    }
}
