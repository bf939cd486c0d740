package dev.ferry.overlay.yamux;

import static dev.ferry.overlay.yamux.YamuxStreamTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session-level behaviour: ping, GoAway, the stream limit, and how the session treats a remote that
 * breaks the protocol. Raw frames are written by hand to a lone server session where a
 * well-behaved peer could not produce them.
 */
class YamuxSessionTest {
    private static final int WINDOW = YamuxProtocol.INITIAL_WINDOW;
    private static final YamuxConfig TWO_STREAMS = new YamuxConfig(2, WINDOW, 1024 * 1024, 64 * 1024, 16 * 1024,
            Duration.ofSeconds(30));

    private YamuxPair pair;
    private YamuxPair.Peer server;

    @AfterEach
    void close() {
        if (pair != null) pair.close();
        if (server != null) server.channel.finishAndReleaseAll();
    }

    private YamuxPair.Peer loneServer(YamuxConfig config) {
        server = new YamuxPair.Peer(config, false);
        return server;
    }

    // ---------------------------------------------------------------- ping and GoAway

    @Test
    void shouldAnswerAPingWithAnAckCarryingTheSameOpaqueValue() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);

        peer.receive(YamuxFrame.ping(YamuxFrame.SYN, 0xCAFEBABE));

        assertThat(peer.takeFrames()).containsExactly(
                new YamuxFrame(0, YamuxFrame.PING, YamuxFrame.ACK, 0, 0xCAFEBABEL));
    }

    @Test
    void shouldNotAnswerAPingAck() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);

        peer.receive(YamuxFrame.ping(YamuxFrame.ACK, 7));

        assertThat(peer.takeFrames()).isEmpty();
        assertThat(peer.channel.isActive()).isTrue();
    }

    @Test
    void shouldStopOpeningStreamsOnBothSidesAfterGoAway() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream existing = pair.client.open();
        RecordingReceiver atClient = RecordingReceiver.on(existing);
        pair.pump();

        pair.client.session.goAway(YamuxProtocol.GO_AWAY_NORMAL);
        pair.pump();

        assertThat(pair.client.framesWritten(YamuxFrame.GO_AWAY)).singleElement()
                .extracting(YamuxFrame::length).isEqualTo((long) YamuxProtocol.GO_AWAY_NORMAL);
        CompletableFuture<YamuxStream> fromClient = pair.client.session.openStream();
        CompletableFuture<YamuxStream> fromServer = pair.server.session.openStream();
        assertThat(fromClient).isCompletedExceptionally();
        assertThat(fromServer).isCompletedExceptionally();
        assertThat(fromServer.handle((s, e) -> e).join()).hasMessageContaining("closing");

        // streams already open carry on
        YamuxStream serverSide = pair.server.inbound.getFirst();
        serverSide.write(Unpooled.wrappedBuffer(bytes("still here")));
        pair.pump();
        assertThat(atClient.bytes()).isEqualTo(bytes("still here"));
    }

    @Test
    void shouldRefuseInboundStreamsAfterItsOwnGoAway() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);
        peer.session.goAway(YamuxProtocol.GO_AWAY_NORMAL);
        peer.takeFrames();

        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.SYN, 1, 0));

        assertThat(peer.takeFrames()).containsExactly(new YamuxFrame(0, YamuxFrame.WINDOW_UPDATE, YamuxFrame.RST, 1, 0));
        assertThat(peer.inbound).isEmpty();
    }

    // ---------------------------------------------------------------- the stream limit

    @Test
    void shouldRefuseStreamsPastTheLimitWithAReset() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS, TWO_STREAMS, YamuxPair.Chunking.AS_WRITTEN);
        YamuxStream first = pair.client.open();
        YamuxStream second = pair.client.open();
        YamuxStream third = pair.client.open();
        CompletableFuture<Void> writeOnThird = third.write(Unpooled.wrappedBuffer(bytes("hello")));
        pair.pump();

        assertThat(pair.server.inbound).extracting(YamuxStream::id).containsExactly(first.id(), second.id());
        assertThat(pair.server.written).contains(new YamuxFrame(0, YamuxFrame.WINDOW_UPDATE, YamuxFrame.RST, third.id(), 0));
        assertThat(third.closeFuture()).isCompletedExceptionally();
        assertThat(writeOnThird).isCompleted(); // it went out before the RST came back
        assertThat(third.write(Unpooled.wrappedBuffer(bytes("again")))).isCompletedExceptionally();
        assertThat(pair.client.session.streamCount()).isEqualTo(2);
        assertThat(pair.server.channel.isActive()).isTrue();
        assertThat(pair.server.violations).isEmpty();

        // the accepted streams are unaffected
        RecordingReceiver atServer = RecordingReceiver.on(pair.server.inbound.getFirst());
        first.write(Unpooled.wrappedBuffer(bytes("ok")));
        pair.pump();
        assertThat(atServer.bytes()).isEqualTo(bytes("ok"));
    }

    @Test
    void shouldAcceptANewStreamOnceAnOldOneClosed() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS, TWO_STREAMS, YamuxPair.Chunking.AS_WRITTEN);
        YamuxStream first = pair.client.open();
        pair.client.open();
        pair.pump();
        first.reset();
        pair.pump();

        YamuxStream third = pair.client.open();
        pair.pump();

        assertThat(pair.server.inbound).extracting(YamuxStream::id).endsWith(third.id());
        assertThat(third.closeFuture()).isNotDone();
    }

    @Test
    void shouldCloseTheSessionOfAPeerThatKeepsOpeningStreamsPastTheLimit() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS, TWO_STREAMS, YamuxPair.Chunking.AS_WRITTEN);
        pair.client.open();
        pair.client.open();
        pair.pump();

        for (int i = 0; i < TWO_STREAMS.maxStreams(); i++) {
            pair.client.open();
            pair.pump();
        }
        assertThat(pair.server.channel.isActive()).as("open after refusing as many streams as the limit").isTrue();
        pair.client.open();
        pair.pump();

        assertThat(pair.server.channel.isActive()).isFalse();
        assertThat(pair.server.violations).singleElement().asString().contains("past the limit");
        assertThat(pair.server.framesWritten(YamuxFrame.GO_AWAY)).singleElement()
                .extracting(YamuxFrame::length).isEqualTo((long) YamuxProtocol.GO_AWAY_PROTOCOL_ERROR);
    }

    @Test
    void shouldForgiveRefusedStreamsOnceAStreamIsAcceptedAgain() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS, TWO_STREAMS, YamuxPair.Chunking.AS_WRITTEN);
        YamuxStream first = pair.client.open();
        pair.client.open();
        pair.pump();
        for (int i = 0; i < TWO_STREAMS.maxStreams(); i++) {
            pair.client.open();
            pair.pump();
        }
        first.reset();
        pair.pump();
        pair.client.open(); // accepted: the earlier refusals were a burst, not a flood
        pair.pump();

        for (int i = 0; i < TWO_STREAMS.maxStreams(); i++) {
            pair.client.open();
            pair.pump();
        }

        assertThat(pair.server.channel.isActive()).isTrue();
        assertThat(pair.server.violations).isEmpty();
    }

    @Test
    void shouldRefuseInboundStreamsItsOwnerDoesNotAllow() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        pair.server.allowInbound = false;
        YamuxStream stream = pair.client.open();
        pair.pump();

        assertThat(pair.server.inbound).isEmpty();
        assertThat(stream.closeFuture()).isCompletedExceptionally();
        assertThat(pair.server.session.streamCount()).isZero();
    }

    @Test
    void shouldNotOpenMoreOutboundStreamsThanTheLimit() {
        pair = new YamuxPair(TWO_STREAMS, YamuxConfig.DEFAULTS, YamuxPair.Chunking.AS_WRITTEN);
        pair.client.open();
        pair.client.open();

        CompletableFuture<YamuxStream> third = pair.client.session.openStream();

        assertThat(third).isCompletedExceptionally();
        assertThat(third.handle((s, e) -> e).join()).hasMessageContaining("stream limit of 2");
    }

    // ---------------------------------------------------------------- protocol violations

    @Test
    void shouldCloseTheSessionWhenDataExceedsTheStreamWindow() {
        YamuxPair.Peer peer = loneServer(TWO_STREAMS);
        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.SYN, 1, 0));
        peer.receive(YamuxFrame.data(0, 1, new byte[WINDOW])); // exactly the window: allowed, nobody reads it

        assertThat(peer.channel.isActive()).isTrue();
        peer.receive(YamuxFrame.data(0, 1, new byte[1]));

        assertViolation(peer, "exceeds the stream window");
    }

    @Test
    void shouldCloseTheSessionOnDataAfterTheRemoteClosedTheStream() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream stream = pair.client.open();
        stream.closeWrite();
        pair.pump();

        pair.server.receive(YamuxFrame.data(0, stream.id(), new byte[] {1, 2, 3}));

        assertThat(pair.server.channel.isActive()).isFalse();
        assertThat(pair.server.violations).singleElement().asString().contains("after the remote closed it");
    }

    @Test
    void shouldCloseTheSessionOnAnUnknownFrameType() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);

        peer.receive(YamuxFrame.header(0, 4, 0, 0, 0));

        assertViolation(peer, "unknown yamux frame type 4");
    }

    @Test
    void shouldCloseTheSessionOnAnUnsupportedVersion() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);

        peer.receive(YamuxFrame.header(1, YamuxFrame.PING, YamuxFrame.SYN, 0, 1));

        assertViolation(peer, "unsupported yamux version 1");
        assertThat(peer.framesWritten(YamuxFrame.PING)).as("no answer to the bad frame").isEmpty();
    }

    @Test
    void shouldCloseTheSessionOnASynWithOurParity() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);

        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.SYN, 2, 0));

        assertViolation(peer, "parity");
        assertThat(peer.inbound).isEmpty();
    }

    @Test
    void shouldCloseTheSessionOnASynForAnOpenStream() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);
        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.SYN, 1, 0));

        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.SYN, 1, 0));

        assertViolation(peer, "which is open");
        assertThat(peer.inbound).hasSize(1);
    }

    @Test
    void shouldCloseTheSessionOnAStreamFrameForStreamZero() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);

        peer.receive(YamuxFrame.data(0, 0, bytes("x")));

        assertViolation(peer, "stream id 0");
    }

    @Test
    void shouldFailTheStreamsOfASessionClosedForAViolation() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);
        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.SYN, 1, 0));
        YamuxStream stream = peer.inbound.getFirst();
        RecordingReceiver receiver = RecordingReceiver.on(stream);

        peer.receive(YamuxFrame.header(0, 9, 0, 0, 0));

        assertThat(receiver.closeCause()).isNotNull();
        assertThat(stream.closeFuture()).isCompletedExceptionally();
    }

    @Test
    void shouldCloseTheSessionOnAViolationSplitAcrossReads() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);
        byte[] frame = new byte[YamuxProtocol.HEADER_LENGTH];
        YamuxFrame.header(0, 4, 0, 0, 0).readBytes(frame);

        for (byte b : frame) {
            assertThat(peer.channel.isActive()).isTrue();
            peer.receive(Unpooled.wrappedBuffer(new byte[] {b}));
        }

        assertViolation(peer, "unknown yamux frame type");
    }

    // ---------------------------------------------------------------- frames to tolerate

    @Test
    void shouldDiscardDataForAStreamItDoesNotKnow() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);

        peer.receive(YamuxFrame.data(0, 7, bytes("stray bytes")), YamuxFrame.ping(YamuxFrame.SYN, 42));

        assertThat(peer.channel.isActive()).isTrue();
        assertThat(peer.violations).isEmpty();
        assertThat(peer.inbound).isEmpty();
        assertThat(peer.takeFrames()).as("the frame after the discarded one is parsed")
                .containsExactly(new YamuxFrame(0, YamuxFrame.PING, YamuxFrame.ACK, 0, 42));
    }

    @Test
    void shouldDiscardDataForAStreamThatWasClosed() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);
        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.SYN, 1, 0));
        YamuxStream stream = peer.inbound.getFirst();
        RecordingReceiver receiver = RecordingReceiver.on(stream);
        peer.receive(YamuxFrame.windowUpdate(YamuxFrame.RST, 1, 0));
        assertThat(stream.closeFuture()).isCompletedExceptionally();

        peer.receive(YamuxFrame.data(0, 1, bytes("after the reset")), YamuxFrame.windowUpdate(0, 1, 1000));

        assertThat(receiver.size()).isZero();
        assertThat(peer.channel.isActive()).isTrue();
        assertThat(peer.violations).isEmpty();
        assertThat(peer.exceptions).isEmpty();
    }

    @Test
    void shouldAcceptAStreamOpenedByADataFrameWithPayload() {
        YamuxPair.Peer peer = loneServer(YamuxConfig.DEFAULTS);
        RecordingReceiver[] receiver = new RecordingReceiver[1];
        peer.onInbound = stream -> receiver[0] = RecordingReceiver.on(stream);

        peer.receive(YamuxFrame.data(YamuxFrame.SYN, 1, bytes("first request")));

        assertThat(peer.inbound).extracting(YamuxStream::id).containsExactly(1);
        assertThat(receiver[0].bytes()).isEqualTo(bytes("first request"));
        assertThat(peer.takeFrames()).first().satisfies(f -> {
            assertThat(f.has(YamuxFrame.ACK)).isTrue();
            assertThat(f.streamId()).isEqualTo(1);
        });
    }

    private static void assertViolation(YamuxPair.Peer peer, String reason) {
        assertThat(peer.channel.isActive()).as("channel active after the violation").isFalse();
        assertThat(peer.violations).singleElement().asString().contains(reason);
        List<YamuxFrame> goAways = peer.framesWritten(YamuxFrame.GO_AWAY);
        if (goAways.isEmpty()) goAways = peer.takeFrames().stream().filter(f -> f.type() == YamuxFrame.GO_AWAY).toList();
        assertThat(goAways).singleElement().extracting(YamuxFrame::length).isEqualTo((long) YamuxProtocol.GO_AWAY_PROTOCOL_ERROR);
    }
}
