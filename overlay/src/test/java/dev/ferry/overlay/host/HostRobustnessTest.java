package dev.ferry.overlay.host;

import static dev.ferry.overlay.host.RawPeer.ACK;
import static dev.ferry.overlay.host.RawPeer.DATA;
import static dev.ferry.overlay.host.RawPeer.FIN;
import static dev.ferry.overlay.host.RawPeer.GO_AWAY;
import static dev.ferry.overlay.host.RawPeer.GO_AWAY_PROTOCOL_ERROR;
import static dev.ferry.overlay.host.RawPeer.PING;
import static dev.ferry.overlay.host.RawPeer.RST;
import static dev.ferry.overlay.host.RawPeer.SYN;
import static dev.ferry.overlay.host.RawPeer.WINDOW_UPDATE;
import static dev.ferry.overlay.host.RawPeer.multistream;
import static dev.ferry.overlay.host.TestNetwork.RANDOM;
import static dev.ferry.overlay.host.TestNetwork.connect;
import static dev.ferry.overlay.host.TestNetwork.eventually;
import static dev.ferry.overlay.host.TestNetwork.join;
import static dev.ferry.overlay.host.TestNetwork.usedHeapAfterGc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.identify.IdentifyProtocol;
import dev.ferry.overlay.multistream.MultistreamProtocol;
import dev.ferry.overlay.noise.NoiseProtocol;
import dev.ferry.overlay.noise.XXHandshake;
import dev.ferry.overlay.perf.PerfProtocol;
import dev.ferry.overlay.yamux.YamuxConfig;
import dev.ferry.overlay.yamux.YamuxProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A node facing peers that break the protocol at every layer. Each bad connection must end that
 * connection only: a well-behaved peer stays connected and keeps working throughout, and floods
 * of bad connections leave the node's heap where it was.
 */
@Tag("robustness")
class HostRobustnessTest {
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    private static final int MAX_STREAMS = 16;
    private static final int STREAM_WINDOW = YamuxProtocol.INITIAL_WINDOW;
    private static final int MAX_BUFFERED = 1024 * 1024;
    private static final Duration WRITE_STALL_TIMEOUT = Duration.ofMillis(500);
    private static final int MAX_CONNECTIONS = 24;
    /** Bad connections per flood. */
    private static final int FLOOD = 60;
    /**
     * What a bad peer may leave on the node's heap: generous (a clean run leaves well under 1 MiB,
     * the node's buffers being plain heap arrays here), yet a quarter of what one peer pinned with
     * trickled bytes before views of frames were copied.
     */
    private static final long HEAP_GROWTH_BOUND = 32L * 1024 * 1024;
    private static final String SINK_PROTOCOL = "/ferry/test/sink/1.0.0";

    private final TestNetwork network = new TestNetwork();
    private OverlayNode node;
    private OverlayNode goodPeer;
    private Connection goodConnection;

    @BeforeEach
    void startANodeWithAWellBehavedPeer() {
        node = network.measuredNode(b -> b
                .handshakeTimeout(HANDSHAKE_TIMEOUT)
                .maxConnections(MAX_CONNECTIONS)
                .inboundStreamBurst(10_000)
                .yamux(new YamuxConfig(MAX_STREAMS, STREAM_WINDOW, MAX_BUFFERED, 4 * 1024 * 1024, 64 * 1024,
                        WRITE_STALL_TIMEOUT)), true);
        // A receiver that never reads: what its streams receive stays buffered in the session.
        node.host().setProtocolHandler(SINK_PROTOCOL, stream -> {
            stream.pauseReading();
            stream.setReceiver((s, data) -> { });
        });
        goodPeer = network.node();
        goodConnection = connect(goodPeer, node);
        assertTheGoodPeerIsServed();
    }

    @AfterEach
    void closeTheNetwork() {
        network.close();
    }

    // ------------------------------------------------------------------ (1) garbage instead of multistream

    static Stream<Arguments> garbage() {
        byte[] random = new byte[4096];
        RANDOM.nextBytes(random);
        byte[] neverEndingVarint = new byte[10];
        Arrays.fill(neverEndingVarint, (byte) 0xFF);
        return Stream.of(
                Arguments.of("random bytes", random),
                Arguments.of("a length varint that never ends", neverEndingVarint),
                Arguments.of("a message longer than multistream allows", concat(new byte[] {(byte) 0x80, 0x10}, new byte[2048])),
                Arguments.of("a message without its newline", new byte[] {3, 'a', 'b', 'c'}),
                Arguments.of("another protocol's header", multistream("/multistream/2.0.0")),
                Arguments.of("an HTTP request", "GET / HTTP/1.1\r\nHost: ferry\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void shouldHangUpOnAPeerThatSendsGarbageInsteadOfMultistream(String what, byte[] garbage) {
        RawPeer raw = network.raw(node);

        raw.sendRaw(garbage);

        join(raw.closed());
        assertOnlyTheGoodPeerIsConnected();
        assertTheGoodPeerIsServed();
    }

    @Test
    void shouldKeepItsHeapWhenFloodedWithGarbageConnections() {
        long before = usedHeapAfterGc();

        flood(FLOOD, i -> {
            byte[] garbage = new byte[64 * 1024];
            RANDOM.nextBytes(garbage);
            Arrays.fill(garbage, 0, 3, (byte) 0xFF); // a length varint too long: refused at once, not by the timeout
            return rawSending(garbage);
        });

        assertHeapGrewLessThanTheBound(before);
        assertTheGoodPeerIsServed();
    }

    // ------------------------------------------------------------------ (2) truncated handshakes

    static Stream<Arguments> truncatedHandshakes() {
        byte[] header = multistream(MultistreamProtocol.PROTOCOL_ID);
        byte[] upToNoise = multistream(MultistreamProtocol.PROTOCOL_ID, NoiseProtocol.PROTOCOL_ID);
        byte[] message1 = noiseMessage1();
        return Stream.of(
                Arguments.of("the multistream header only", header),
                Arguments.of("/noise and half of Noise message 1", concat(upToNoise, Arrays.copyOf(message1, message1.length / 2))),
                Arguments.of("/noise and Noise message 1, no message 3", concat(upToNoise, message1)),
                Arguments.of("/noise and the start of a 64 KiB Noise message",
                        concat(upToNoise, new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3})));
    }

    @ParameterizedTest(name = "{0}, then silence")
    @MethodSource("truncatedHandshakes")
    void shouldHangUpOnATruncatedHandshakeWhenTheHandshakeTimesOut(String what, byte[] truncated) {
        long start = System.nanoTime(); // before the connection: the node's clock starts later
        RawPeer raw = network.raw(node);

        raw.sendRaw(truncated);

        join(raw.closed());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT);
        assertOnlyTheGoodPeerIsConnected();
        assertTheGoodPeerIsServed();
    }

    @ParameterizedTest(name = "{0}, then close")
    @MethodSource("truncatedHandshakes")
    void shouldFreeTheSlotsOfPeersThatHangUpMidHandshake(String what, byte[] truncated) {
        long before = usedHeapAfterGc();

        // Many more than the connection limit: a leaked slot would lock everyone out.
        for (int round = 0; round < 3; round++) {
            List<RawPeer> peers = new ArrayList<>();
            for (int i = 0; i < MAX_CONNECTIONS - 2; i++) peers.add(network.raw(node));
            for (RawPeer peer : peers) peer.sendRaw(truncated);
            for (RawPeer peer : peers) peer.close();
        }

        assertHeapGrewLessThanTheBound(before);
        OverlayNode newcomer = network.node();
        eventually().until(() -> connectsOnce(newcomer));
        assertTheGoodPeerIsServed();
    }

    // ------------------------------------------------------------------ (3) bad Noise transport frames

    static Stream<Arguments> badNoiseFrames() {
        return Stream.of(
                Arguments.of("a frame shorter than its tag", new byte[] {0, 5, 1, 2, 3, 4, 5}),
                Arguments.of("an empty frame", new byte[] {0, 0}),
                Arguments.of("a largest frame that fails authentication", largestGarbageFrame()));
    }

    /** A frame as long as the 2-byte length allows, of random bytes: it cannot authenticate. */
    private static byte[] largestGarbageFrame() {
        byte[] garbage = new byte[NoiseProtocol.MAX_MESSAGE_LENGTH];
        RANDOM.nextBytes(garbage);
        return concat(new byte[] {(byte) 0xFF, (byte) 0xFF}, garbage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNoiseFrames")
    void shouldHangUpOnANoiseFrameThatFailsAfterAValidHandshake(String what, byte[] frame) {
        RawPeer raw = network.secured(node, IdentityKeyPair.generate(RANDOM));

        raw.sendRaw(frame);

        join(raw.closed());
        assertOnlyTheGoodPeerIsConnected();
        assertTheGoodPeerIsServed();
    }

    @Test
    void shouldKeepItsHeapWhenFloodedWithConnectionsThatSendUndecryptableFrames() {
        byte[] frame = largestGarbageFrame();
        long before = usedHeapAfterGc();

        flood(FLOOD, i -> securedSending(raw -> raw.sendRaw(frame)));

        assertHeapGrewLessThanTheBound(before);
        assertTheGoodPeerIsServed();
    }

    @Test
    void shouldForgetAPartialNoiseFrameWhenThePeerHangsUp() {
        long before = usedHeapAfterGc();

        flood(FLOOD, i -> {
            RawPeer raw = network.secured(node, IdentityKeyPair.generate(RANDOM));
            raw.sendRaw(concat(new byte[] {(byte) 0xFF, (byte) 0xFF}, new byte[1000]));
            raw.close();
            return CompletableFuture.completedFuture(null);
        });

        assertOnlyTheGoodPeerIsConnected();
        assertHeapGrewLessThanTheBound(before);
        assertTheGoodPeerIsServed();
    }

    // ------------------------------------------------------------------ (4) bad yamux frames

    static Stream<Arguments> badYamuxFrames() {
        return Stream.of(
                Arguments.of("a data frame longer than the stream window",
                        RawPeer.frame(0, DATA, SYN, 1, STREAM_WINDOW + 1L, new byte[0])),
                Arguments.of("a data frame for an unknown stream longer than any window",
                        RawPeer.frame(0, DATA, 0, 101, STREAM_WINDOW + 1L, new byte[0])),
                Arguments.of("a window update that overflows the window",
                        RawPeer.frame(0, WINDOW_UPDATE, SYN, 1, 0xFFFFFFFFL, new byte[0])),
                Arguments.of("an unknown frame type", RawPeer.frame(0, 9, 0, 1, 0, new byte[0])),
                Arguments.of("an unknown version", RawPeer.frame(1, DATA, SYN, 1, 0, new byte[0])),
                Arguments.of("a stream with the node's parity", RawPeer.frame(0, WINDOW_UPDATE, SYN, 1000, 0, new byte[0])),
                Arguments.of("a stream frame on stream 0", RawPeer.frame(0, DATA, SYN, 0, 0, new byte[0])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badYamuxFrames")
    void shouldSayGoAwayAndHangUpOnAYamuxProtocolViolation(String what, ByteBuf frame) {
        RawPeer raw = network.secured(node, IdentityKeyPair.generate(RANDOM));

        raw.sendEncrypted(frame);

        join(raw.closed());
        assertThat(raw.frames()).contains(new RawPeer.Frame(GO_AWAY, 0, 0, GO_AWAY_PROTOCOL_ERROR));
        assertOnlyTheGoodPeerIsConnected();
        assertTheGoodPeerIsServed();
    }

    @Test
    void shouldKeepItsHeapWhenFloodedWithOversizedYamuxFrames() {
        long before = usedHeapAfterGc();

        flood(FLOOD, i -> securedSending(raw -> {
            raw.sendFrame(DATA, SYN, 1, 0x7FFFFFFFL, new byte[0]);
            raw.sendEncrypted(Unpooled.wrappedBuffer(new byte[64 * 1024])); // as if the data followed
        }));

        assertHeapGrewLessThanTheBound(before);
        assertTheGoodPeerIsServed();
    }

    // ------------------------------------------------------------------ (5) streams past the limit

    @Test
    void shouldRefuseStreamsPastTheLimitAndKeepAPeerThatOvershootsOnce() {
        RawPeer raw = network.secured(node, IdentityKeyPair.generate(RANDOM));

        for (int i = 0; i < MAX_STREAMS + 2; i++) raw.sendFrame(WINDOW_UPDATE, SYN, 2 * i + 1, 0, new byte[0]);
        raw.sendFrame(PING, SYN, 0, 77, new byte[0]);

        eventually().until(() -> raw.frames().contains(new RawPeer.Frame(PING, ACK, 0, 77)));
        long refused = raw.frames().stream().filter(f -> f.streamId() % 2 == 1 && f.has(RST)).count();
        assertThat(refused).isBetween(2L, (long) MAX_STREAMS);
        assertThat(raw.isOpen()).isTrue();
        assertTheGoodPeerIsServed();
    }

    @Test
    void shouldHangUpOnAPeerThatKeepsOpeningStreamsWhileRefused() {
        RawPeer raw = network.secured(node, IdentityKeyPair.generate(RANDOM));

        for (int i = 0; i < 3 * MAX_STREAMS; i++) raw.sendFrame(WINDOW_UPDATE, SYN, 2 * i + 1, 0, new byte[0]);

        join(raw.closed());
        assertThat(raw.frames()).contains(new RawPeer.Frame(GO_AWAY, 0, 0, GO_AWAY_PROTOCOL_ERROR));
        assertOnlyTheGoodPeerIsConnected();
        assertTheGoodPeerIsServed();
    }

    @Test
    void shouldStopReadingAConnectionWhoseStreamsHoldMoreThanMaxBufferedBytes() {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        RawPeer raw = network.secured(node, identity);
        byte[] open = multistream(MultistreamProtocol.PROTOCOL_ID, SINK_PROTOCOL);
        int streams = 2 * MAX_BUFFERED / STREAM_WINDOW + 2;

        // Each stream fills its window for a reader that never reads; together they pass the limit.
        for (int i = 0; i < streams; i++) {
            int id = 2 * i + 1;
            raw.sendFrame(WINDOW_UPDATE, SYN, id, 0, new byte[0]);
            raw.sendFrame(DATA, 0, id, STREAM_WINDOW, concat(open, new byte[STREAM_WINDOW - open.length]));
        }

        eventually().until(() -> !node.host().connections(identity.peerId()).isEmpty()
                && !channelOf(identity.peerId()).config().isAutoRead());
        assertThat(raw.isOpen()).isTrue();
        assertTheGoodPeerIsServed();
        // Not asserted: that the node notices this peer hang up. It does not read the connection
        // now, so it may learn of the close only when it next writes to it.
    }

    // ------------------------------------------------------------------ bytes that pin whole frames

    /**
     * Each Noise frame carries one byte for the stream under test and pads itself to the largest
     * frame with data for a stream that does not exist, which the node discards. A node that keeps
     * the byte as a view of the decrypted frame keeps the whole frame alive with it.
     */
    static Stream<Arguments> trickledStreams() {
        return Stream.of(
                Arguments.of("an identify push, one byte of a long message at a time", IdentifyProtocol.PUSH_PROTOCOL_ID,
                        new byte[] {(byte) 0xE0, (byte) 0xD4, 0x03}), // a 60 000-byte message follows
                Arguments.of("a stream whose reader is paused", SINK_PROTOCOL, new byte[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trickledStreams")
    void shouldNotLetTrickledBytesPinTheFramesThatCarriedThem(String what, String protocol, byte[] preamble) {
        int frames = 2000; // 128 MiB of frames: pinned, they would break the heap bound twice over
        RawPeer raw = network.secured(node, IdentityKeyPair.generate(RANDOM));
        raw.sendFrame(WINDOW_UPDATE, SYN, 1, 0, new byte[0]);
        byte[] open = concat(multistream(MultistreamProtocol.PROTOCOL_ID, protocol), preamble);
        raw.sendFrame(DATA, 0, 1, open.length, open);
        syncWith(raw, 0);
        long before = usedHeapAfterGc();

        int padding = NoiseProtocol.MAX_PLAINTEXT_LENGTH - 12 - 1 - 12; // two headers and the byte
        for (int i = 1; i <= frames; i++) {
            ByteBuf plaintext = Unpooled.buffer(NoiseProtocol.MAX_PLAINTEXT_LENGTH);
            plaintext.writeBytes(RawPeer.frame(0, DATA, 0, 1, 1, new byte[] {(byte) i}));
            plaintext.writeBytes(RawPeer.frame(0, DATA, 0, 999, padding, new byte[padding]));
            assertThat(plaintext.readableBytes()).isEqualTo(NoiseProtocol.MAX_PLAINTEXT_LENGTH);
            raw.sendEncrypted(plaintext);
            if (i % 100 == 0) syncWith(raw, i); // never more than a few MiB in flight
        }

        assertThat(raw.isOpen()).isTrue();
        assertHeapGrewLessThanTheBound(before);
        assertTheGoodPeerIsServed();
    }

    /** Pings the node over yamux and waits for the answer: everything sent before has been read. */
    private static void syncWith(RawPeer raw, int opaque) {
        raw.sendFrame(PING, SYN, 0, opaque, new byte[0]);
        eventually().until(() -> raw.frames().contains(new RawPeer.Frame(PING, ACK, 0, opaque)));
    }

    // ------------------------------------------------------------------ (6) a peer that never reads

    @Test
    void shouldHangUpOnAPeerThatStopsReadingWhileTheNodeWritesToIt() {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        RawPeer raw = network.secured(node, identity, 16 * 1024);
        long before = usedHeapAfterGc();

        raw.stopReading();
        askForAPerfDownload(raw, 1, 1L << 40);

        eventually().until(() -> node.host().connections(identity.peerId()).isEmpty());
        assertOnlyTheGoodPeerIsConnected();
        assertHeapGrewLessThanTheBound(before);
        assertTheGoodPeerIsServed();
    }

    /**
     * Opens stream {@code id} with a window of 1 GiB, so that only TCP holds the node back, and
     * asks the perf server for {@code bytes}, uploading nothing.
     */
    private static void askForAPerfDownload(RawPeer raw, int id, long bytes) {
        raw.sendFrame(WINDOW_UPDATE, SYN, id, 1L << 30, new byte[0]);
        byte[] request = concat(multistream(MultistreamProtocol.PROTOCOL_ID, PerfProtocol.PROTOCOL_ID),
                ByteBuffer.allocate(8).putLong(bytes).array());
        raw.sendFrame(DATA, FIN, id, request.length, request);
    }

    // ------------------------------------------------------------------ helpers

    private void assertTheGoodPeerIsServed() {
        assertThat(goodConnection.isOpen()).isTrue();
        eventually().until(() -> node.host().connections(goodPeer.host().peerId()).size() == 1);
        assertThat(join(goodPeer.ping().ping(goodConnection, 2))).hasSize(2);
        byte[] payload = new byte[1024 * 1024];
        RANDOM.nextBytes(payload);
        assertThat(join(EchoProtocol.roundTrip(goodConnection, payload))).isEqualTo(payload);
    }

    /** The node forgets a closed connection a moment after the remote sees it closed. */
    private void assertOnlyTheGoodPeerIsConnected() {
        eventually().untilAsserted(() -> assertThat(node.host().connections())
                .extracting(Connection::remotePeer).containsExactly(goodPeer.host().peerId()));
    }

    private io.netty.channel.Channel channelOf(PeerId peer) {
        return ((PeerConnection) node.host().connections(peer).getFirst()).channel();
    }

    /** Runs {@code count} bad connections, each future completing when the node has hung up. */
    private void flood(int count, java.util.function.IntFunction<CompletableFuture<Void>> bad) {
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ended.add(bad.apply(i));
            // Stay below the connection limit, which has a test of its own.
            if (ended.size() % (MAX_CONNECTIONS / 2) == 0) ended.forEach(TestNetwork::join);
        }
        ended.forEach(TestNetwork::join);
    }

    private CompletableFuture<Void> rawSending(byte[] bytes) {
        RawPeer raw = network.raw(node);
        raw.sendRaw(bytes);
        return raw.closed().thenRun(raw::close);
    }

    private CompletableFuture<Void> securedSending(Consumer<RawPeer> abuse) {
        RawPeer raw = network.secured(node, IdentityKeyPair.generate(RANDOM));
        abuse.accept(raw);
        return raw.closed();
    }

    private boolean connectsOnce(OverlayNode newcomer) {
        try {
            return connect(newcomer, node).isOpen();
        } catch (AssertionError e) {
            return false;
        }
    }

    private static void assertHeapGrewLessThanTheBound(long before) {
        long growth = usedHeapAfterGc() - before;
        assertThat(growth).as("heap growth in bytes").isLessThan(HEAP_GROWTH_BOUND);
    }

    /** A well-formed first XX message (an ephemeral key, empty payload), as a dialler sends it. */
    private static byte[] noiseMessage1() {
        byte[] message = XXHandshake.initiator(X25519.generate(RANDOM), RANDOM).writeMessage(new byte[0]);
        return concat(new byte[] {(byte) (message.length >> 8), (byte) message.length}, message);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
