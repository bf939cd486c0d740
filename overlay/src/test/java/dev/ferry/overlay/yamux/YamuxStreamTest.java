package dev.ferry.overlay.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.Direction;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Yamux streams end to end between two sessions: opening, exact data both ways, half-close, reset. */
class YamuxStreamTest {
    /** The spec's window and nothing more, small frames: every transfer needs many window updates. */
    static final YamuxConfig SMALL_WINDOW = new YamuxConfig(16, YamuxProtocol.INITIAL_WINDOW, 1024 * 1024,
            64 * 1024, 16 * 1024, Duration.ofSeconds(30));

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    private YamuxPair pair;

    @AfterEach
    void closePair() {
        if (pair != null) pair.close();
    }

    @Test
    void shouldOpenOddStreamsFromTheClientAndEvenStreamsFromTheServer() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        List<YamuxStream> fromClient = List.of(pair.client.open(), pair.client.open(), pair.client.open());
        List<YamuxStream> fromServer = List.of(pair.server.open(), pair.server.open());
        pair.pump();

        assertThat(fromClient).extracting(YamuxStream::id).containsExactly(1, 3, 5);
        assertThat(fromServer).extracting(YamuxStream::id).containsExactly(2, 4);
        assertThat(fromClient).extracting(YamuxStream::direction).containsOnly(Direction.OUTBOUND);
        assertThat(pair.server.inbound).extracting(YamuxStream::id).containsExactly(1, 3, 5);
        assertThat(pair.client.inbound).extracting(YamuxStream::id).containsExactly(2, 4);
        assertThat(pair.server.inbound).extracting(YamuxStream::direction).containsOnly(Direction.INBOUND);
        assertThat(pair.client.session.streamCount()).isEqualTo(5);
        assertThat(pair.server.session.streamCount()).isEqualTo(5);
        assertThat(pair.client.violations).isEmpty();
        assertThat(pair.server.violations).isEmpty();
    }

    @Test
    void shouldAnnounceANewStreamBeforeAnyDataIsWritten() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream stream = pair.client.open();
        pair.pump();

        assertThat(pair.server.inbound).hasSize(1);
        YamuxFrame syn = pair.client.written.getFirst();
        assertThat(syn.has(YamuxFrame.SYN)).isTrue();
        assertThat(syn.streamId()).isEqualTo(stream.id());
        YamuxFrame ack = pair.server.written.getFirst();
        assertThat(ack.has(YamuxFrame.ACK)).isTrue();
        assertThat(ack.streamId()).isEqualTo(stream.id());
    }

    static Stream<Arguments> sizesAndWindows() {
        List<Arguments> cases = new ArrayList<>();
        for (int size : new int[] {0, 1, 256 * KIB, 20 * MIB}) {
            cases.add(Arguments.of(size, "default window", YamuxConfig.DEFAULTS));
            cases.add(Arguments.of(size, "spec's initial window", SMALL_WINDOW));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} bytes each way, {1}")
    @MethodSource("sizesAndWindows")
    void shouldCarryExactBytesBothWaysAtOnce(int size, String label, YamuxConfig config) {
        pair = new YamuxPair(config, YamuxPair.Chunking.RANDOM);
        YamuxStream clientSide = pair.client.open();
        RecordingReceiver atClient = RecordingReceiver.on(clientSide);
        pair.pump();
        YamuxStream serverSide = pair.server.inbound.getFirst();
        RecordingReceiver atServer = RecordingReceiver.on(serverSide);
        byte[] up = randomBytes(pair.random(), size);
        byte[] down = randomBytes(pair.random(), size);

        // a well-behaved writer: one piece at a time, the next once the previous completed
        int piece = 64 * KIB;
        if (size == 0) {
            assertCompletesAfterPump(clientSide.write(Unpooled.buffer(0)));
            assertCompletesAfterPump(serverSide.write(Unpooled.buffer(0)));
        }
        for (int offset = 0; offset < size; offset += piece) {
            int n = Math.min(piece, size - offset);
            CompletableFuture<Void> upWrite = clientSide.write(Unpooled.wrappedBuffer(up, offset, n));
            CompletableFuture<Void> downWrite = serverSide.write(Unpooled.wrappedBuffer(down, offset, n));
            pair.pump();
            assertThat(upWrite).as("write at " + offset + " from the client").isCompleted();
            assertThat(downWrite).as("write at " + offset + " from the server").isCompleted();
        }
        clientSide.closeWrite();
        serverSide.closeWrite();
        pair.pump();

        assertSameBytes(atServer.bytes(), up);
        assertSameBytes(atClient.bytes(), down);
        assertThat(atServer.remoteClosed()).isTrue();
        assertThat(atClient.remoteClosed()).isTrue();
        assertThat(clientSide.closeFuture()).isCompleted();
        assertThat(serverSide.closeFuture()).isCompleted();
        if (size > config.maxStreamWindow()) {
            assertThat(pair.server.framesWritten(YamuxFrame.WINDOW_UPDATE)).as("window updates from the server").hasSizeGreaterThan(1);
        }
        assertThat(pair.client.violations).isEmpty();
        assertThat(pair.server.violations).isEmpty();
    }

    @Test
    void shouldCarryFramesWhoseHeadersArriveOneByteAtATime() {
        pair = new YamuxPair(SMALL_WINDOW, YamuxPair.Chunking.ONE_BYTE);
        YamuxStream clientSide = pair.client.open();
        RecordingReceiver atClient = RecordingReceiver.on(clientSide);
        pair.pump();
        YamuxStream serverSide = pair.server.inbound.getFirst();
        RecordingReceiver atServer = RecordingReceiver.on(serverSide);
        byte[] up = randomBytes(pair.random(), 40 * KIB);
        byte[] down = randomBytes(pair.random(), 3);

        clientSide.write(Unpooled.wrappedBuffer(up));
        serverSide.write(Unpooled.wrappedBuffer(down));
        clientSide.closeWrite();
        pair.pump();

        assertSameBytes(atServer.bytes(), up);
        assertSameBytes(atClient.bytes(), down);
        assertThat(atServer.remoteClosed()).isTrue();
        assertThat(pair.server.violations).isEmpty();
    }

    @Test
    void shouldTellAReceiverAttachedAfterAResetHowTheStreamEnded() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream stream = pair.client.open();
        pair.pump();
        pair.server.inbound.getFirst().reset();
        pair.pump();
        assertThat(stream.closeFuture()).isCompletedExceptionally();

        RecordingReceiver late = RecordingReceiver.on(stream);
        pair.client.channel.runPendingTasks();

        assertThat(late.closedCalls()).isEqualTo(1);
        assertThat(late.closeCause()).hasMessageContaining("reset by the remote");
    }

    @Test
    void shouldLetTheOtherSideKeepWritingAfterAHalfClose() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream clientSide = pair.client.open();
        RecordingReceiver atClient = RecordingReceiver.on(clientSide);
        pair.pump();
        YamuxStream serverSide = pair.server.inbound.getFirst();
        RecordingReceiver atServer = RecordingReceiver.on(serverSide);

        clientSide.write(Unpooled.wrappedBuffer(bytes("request")));
        CompletableFuture<Void> clientClosed = clientSide.closeWrite();
        pair.pump();

        assertThat(clientClosed).isCompleted();
        assertThat(atServer.bytes()).isEqualTo(bytes("request"));
        assertThat(atServer.remoteClosed()).isTrue();
        assertThat(serverSide.closeFuture()).isNotDone();
        assertThat(clientSide.closeFuture()).isNotDone();
        assertThat(clientSide.write(Unpooled.wrappedBuffer(bytes("more")))).as("write after closeWrite")
                .isCompletedExceptionally();

        CompletableFuture<Void> reply = serverSide.write(Unpooled.wrappedBuffer(bytes("response")));
        pair.pump();
        assertThat(reply).isCompleted();
        assertThat(atClient.bytes()).isEqualTo(bytes("response"));
        assertThat(atClient.remoteClosed()).isFalse();
        assertThat(pair.client.session.streamCount()).isEqualTo(1);

        serverSide.closeWrite();
        pair.pump();
        assertThat(atClient.remoteClosed()).isTrue();
        assertThat(clientSide.closeFuture()).isCompleted();
        assertThat(serverSide.closeFuture()).isCompleted();
        assertThat(atClient.closedCalls()).isEqualTo(1);
        assertThat(atClient.closeCause()).isNull();
        assertThat(atServer.closedCalls()).isEqualTo(1);
        assertThat(atServer.closeCause()).isNull();
        assertThat(atServer.remoteClosedCalls()).isEqualTo(1);
        assertThat(pair.client.session.streamCount()).isZero();
        assertThat(pair.server.session.streamCount()).isZero();
    }

    @Test
    void shouldDeliverTheRemoteCloseOnlyAfterBufferedData() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream clientSide = pair.client.open();
        clientSide.write(Unpooled.wrappedBuffer(bytes("early")));
        clientSide.closeWrite();
        pair.pump();
        YamuxStream serverSide = pair.server.inbound.getFirst();

        RecordingReceiver atServer = RecordingReceiver.on(serverSide);

        assertThat(atServer.bytes()).isEqualTo(bytes("early"));
        assertThat(atServer.remoteClosed()).isTrue();
    }

    @Test
    void shouldPropagateAResetAndFailPendingWrites() {
        pair = new YamuxPair(SMALL_WINDOW);
        YamuxStream clientSide = pair.client.open();
        RecordingReceiver atClient = RecordingReceiver.on(clientSide);
        pair.pump();
        YamuxStream serverSide = pair.server.inbound.getFirst();
        RecordingReceiver atServer = RecordingReceiver.on(serverSide);
        serverSide.pauseReading();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 12; i++) writes.add(clientSide.write(Unpooled.wrappedBuffer(new byte[32 * KIB])));
        pair.pump();
        assertThat(writes).filteredOn(f -> !f.isDone()).as("writes waiting for window").isNotEmpty();

        serverSide.reset();
        pair.pump();

        assertThat(writes).filteredOn(f -> !f.isDone()).as("writes still pending").isEmpty();
        assertThat(writes.getLast()).isCompletedExceptionally();
        assertThat(clientSide.closeFuture()).isCompletedExceptionally();
        assertThat(serverSide.closeFuture()).isCompletedExceptionally();
        assertThat(atClient.closeCause()).hasMessageContaining("reset by the remote");
        assertThat(atServer.closeCause()).hasMessageContaining("reset locally");
        assertThat(atClient.closedCalls()).isEqualTo(1);
        assertThat(atServer.closedCalls()).isEqualTo(1);
        assertThat(clientSide.write(Unpooled.wrappedBuffer(bytes("late")))).isCompletedExceptionally();
        assertThat(pair.client.session.streamCount()).isZero();
        assertThat(pair.server.session.streamCount()).isZero();
        assertThat(pair.client.violations).isEmpty();
        assertThat(pair.server.violations).isEmpty();
    }

    @Test
    void shouldDiscardDataThatCrossesAReset() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream clientSide = pair.client.open();
        pair.pump();
        YamuxStream serverSide = pair.server.inbound.getFirst();
        RecordingReceiver atServer = RecordingReceiver.on(serverSide);

        serverSide.reset();
        clientSide.write(Unpooled.wrappedBuffer(bytes("in flight")));
        pair.pump();

        assertThat(atServer.size()).isZero();
        assertThat(clientSide.closeFuture()).isCompletedExceptionally();
        assertThat(pair.server.channel.isActive()).isTrue();
        assertThat(pair.server.violations).isEmpty();
        assertThat(pair.client.violations).isEmpty();
    }

    @Test
    void shouldResetOnlyTheStreamWhoseReceiverThrows() {
        pair = new YamuxPair(YamuxConfig.DEFAULTS);
        YamuxStream broken = pair.client.open();
        YamuxStream healthy = pair.client.open();
        pair.pump();
        pair.server.inbound.get(0).setReceiver((stream, data) -> {
            throw new IllegalStateException("handler bug");
        });
        RecordingReceiver atServer = RecordingReceiver.on(pair.server.inbound.get(1));

        broken.write(Unpooled.wrappedBuffer(bytes("boom")));
        healthy.write(Unpooled.wrappedBuffer(bytes("fine")));
        pair.pump();

        assertThat(broken.closeFuture()).isCompletedExceptionally();
        assertThat(atServer.bytes()).isEqualTo(bytes("fine"));
        assertThat(pair.server.channel.isActive()).isTrue();
        assertThat(pair.server.session.streamCount()).isEqualTo(1);
    }

    @Test
    void shouldFailPendingWritesAndCloseStreamsWhenTheConnectionCloses() {
        pair = new YamuxPair(SMALL_WINDOW);
        YamuxStream clientSide = pair.client.open();
        RecordingReceiver atClient = RecordingReceiver.on(clientSide);
        pair.pump();
        pair.server.inbound.getFirst().pauseReading();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) writes.add(clientSide.write(Unpooled.wrappedBuffer(new byte[32 * KIB])));
        pair.pump();

        pair.client.channel.close();

        assertThat(writes.getLast()).isCompletedExceptionally();
        assertThat(atClient.closeCause()).hasMessageContaining("connection closed");
        assertThat(pair.client.session.streamCount()).isZero();
        assertThat(pair.client.session.openStream()).isCompletedExceptionally();
    }

    /**
     * Many streams from both sides, random sizes, random write pieces and random read boundaries,
     * written and pumped in a random interleaving: every byte arrives exactly once, in order.
     */
    @Test
    void shouldCarryManyStreamsExactlyUnderRandomInterleaving() {
        for (int run = 0; run < 8; run++) {
            try (YamuxPair p = new YamuxPair(SMALL_WINDOW, YamuxPair.Chunking.RANDOM)) {
                carryRandomStreams(p);
            }
        }
    }

    private static void carryRandomStreams(YamuxPair pair) {
        Random random = pair.random();
        List<RecordingReceiver> inboundAtClient = new ArrayList<>();
        List<RecordingReceiver> inboundAtServer = new ArrayList<>();
        pair.client.onInbound = s -> inboundAtClient.add(RecordingReceiver.on(s));
        pair.server.onInbound = s -> inboundAtServer.add(RecordingReceiver.on(s));
        int streamCount = 1 + random.nextInt(6);
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < streamCount; i++) {
            boolean fromClient = random.nextBoolean();
            YamuxStream stream = (fromClient ? pair.client : pair.server).open();
            RecordingReceiver local = RecordingReceiver.on(stream);
            writers.add(new Writer(stream, fromClient, local, randomBytes(random, random.nextInt(600 * KIB))));
        }
        pair.pump();
        int[] opened = new int[2]; // by the client, by the server
        for (Writer w : writers) {
            // each side delivers inbound streams in the order the other side opened them
            int index = opened[w.fromClient ? 0 : 1]++;
            w.remote = (w.fromClient ? inboundAtServer : inboundAtClient).get(index);
            w.remoteStream = (w.fromClient ? pair.server.inbound : pair.client.inbound).get(index);
            w.reply = randomBytes(random, random.nextInt(300 * KIB));
        }
        List<Writer> busy = new ArrayList<>(writers);
        for (int steps = 0; !busy.isEmpty(); steps++) {
            assertThat(steps).as("seed " + pair.seed() + ": writers made no progress").isLessThan(1_000_000);
            Writer w = busy.get(random.nextInt(busy.size()));
            if (!w.step(random)) busy.remove(w);
            if (random.nextInt(3) == 0) pair.pump();
        }
        pair.pump();

        String seed = "seed " + pair.seed();
        for (Writer w : writers) {
            assertThat(Arrays.mismatch(w.remote.bytes(), w.data)).as(seed + ": first wrong byte at the remote of " + w.stream).isEqualTo(-1);
            assertThat(Arrays.mismatch(w.local.bytes(), w.reply)).as(seed + ": first wrong byte of the reply on " + w.stream).isEqualTo(-1);
            assertThat(w.stream.closeFuture()).as(seed + ": " + w.stream + " closed").isCompleted();
            assertThat(w.remoteStream.closeFuture()).as(seed + ": remote of " + w.stream + " closed").isCompleted();
        }
        assertThat(pair.client.session.streamCount()).as(seed).isZero();
        assertThat(pair.server.session.streamCount()).as(seed).isZero();
        assertThat(pair.client.violations).as(seed).isEmpty();
        assertThat(pair.server.violations).as(seed).isEmpty();
    }

    /** Writes one stream's data and the remote's reply in random pieces, one outstanding write per side. */
    private static final class Writer {
        final YamuxStream stream;
        final boolean fromClient;
        final RecordingReceiver local;
        final byte[] data;
        RecordingReceiver remote;
        YamuxStream remoteStream;
        byte[] reply;
        int sent;
        int replied;
        CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> lastReply = CompletableFuture.completedFuture(null);
        boolean closed;
        boolean replyClosed;

        Writer(YamuxStream stream, boolean fromClient, RecordingReceiver local, byte[] data) {
            this.stream = stream;
            this.fromClient = fromClient;
            this.local = local;
            this.data = data;
        }

        /** Does one thing if it can; returns false when both directions are closed. */
        boolean step(Random random) {
            if (lastWrite.isDone() && !closed) {
                if (sent == data.length) {
                    stream.closeWrite();
                    closed = true;
                } else {
                    int n = Math.min(data.length - sent, 1 + random.nextInt(48 * KIB));
                    lastWrite = stream.write(Unpooled.wrappedBuffer(data, sent, n));
                    sent += n;
                }
            } else if (lastReply.isDone() && !replyClosed) {
                if (replied == reply.length) {
                    remoteStream.closeWrite();
                    replyClosed = true;
                } else {
                    int n = Math.min(reply.length - replied, 1 + random.nextInt(48 * KIB));
                    lastReply = remoteStream.write(Unpooled.wrappedBuffer(reply, replied, n));
                    replied += n;
                }
            }
            return !(closed && replyClosed);
        }
    }

    private void assertCompletesAfterPump(CompletableFuture<Void> write) {
        pair.pump();
        assertThat(write).isCompleted();
    }

    static void assertSameBytes(byte[] actual, byte[] expected) {
        assertThat(actual.length).as("bytes received").isEqualTo(expected.length);
        assertThat(Arrays.mismatch(actual, expected)).as("index of the first wrong byte").isEqualTo(-1);
    }

    static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
