package dev.ferry.overlay.yamux;

import static dev.ferry.overlay.yamux.YamuxStreamTest.assertSameBytes;
import static dev.ferry.overlay.yamux.YamuxStreamTest.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-stream flow control: a slow reader holds the writer back, and the send queue is bounded. */
class YamuxFlowControlTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    private static final int WINDOW = YamuxProtocol.INITIAL_WINDOW;
    private static final int SEND_QUEUE = 256 * KIB;
    /** A window of the spec's initial size and a send queue as large again. */
    private static final YamuxConfig CONFIG = new YamuxConfig(16, WINDOW, MIB, SEND_QUEUE, 16 * KIB, Duration.ofSeconds(30));

    private YamuxPair pair;
    private YamuxStream writer;
    private YamuxStream reader;

    @AfterEach
    void closePair() {
        if (pair != null) pair.close();
    }

    private void openStream(YamuxConfig config) {
        pair = new YamuxPair(config, YamuxPair.Chunking.RANDOM);
        writer = pair.client.open();
        pair.pump();
        reader = pair.server.inbound.getFirst();
    }

    @Test
    void shouldStopTheWriterWhileTheReaderIsPausedAndResumeWhenItReads() {
        openStream(CONFIG);
        RecordingReceiver received = RecordingReceiver.on(reader);
        reader.pauseReading();
        byte[] data = randomBytes(pair.random(), WINDOW + SEND_QUEUE);
        int piece = 32 * KIB;
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int offset = 0; offset < data.length; offset += piece) {
            writes.add(writer.write(Unpooled.wrappedBuffer(data, offset, piece)));
        }
        pair.pump();

        long completedBytes = writes.stream().filter(CompletableFuture::isDone).count() * piece;
        assertThat(completedBytes).as("bytes of completed writes").isEqualTo(WINDOW);
        assertThat(writes).filteredOn(CompletableFuture::isCompletedExceptionally).isEmpty();
        assertThat(received.size()).as("bytes delivered while paused").isZero();
        long heldByReader = pair.client.dataBytesWritten(writer.id()) - received.size();
        assertThat(heldByReader).as("bytes the paused side buffers").isLessThanOrEqualTo(WINDOW);
        pair.pump();
        assertThat(writes).filteredOn(CompletableFuture::isDone).as("completed writes after more pumping").hasSize(WINDOW / piece);

        reader.resumeReading();
        pair.pump();

        assertThat(writes).allMatch(f -> f.isDone() && !f.isCompletedExceptionally(), "completed normally");
        assertSameBytes(received.bytes(), data);
    }

    @Test
    void shouldDeliverDataThatArrivedBeforeTheReceiverWasSetAndThenKeepFlowing() {
        openStream(CONFIG);
        byte[] data = randomBytes(pair.random(), WINDOW + SEND_QUEUE);
        writer.write(Unpooled.wrappedBuffer(data, 0, WINDOW));
        CompletableFuture<Void> write = writer.write(Unpooled.wrappedBuffer(data, WINDOW, SEND_QUEUE));
        pair.pump();
        assertThat(write).as("write beyond the window, with no receiver yet").isNotDone();

        RecordingReceiver received = RecordingReceiver.on(reader);
        pair.pump();

        assertThat(write).isCompleted();
        assertSameBytes(received.bytes(), data);
    }

    @Test
    void shouldGrantWindowOnlyForBytesTheReceiverConsumed() {
        openStream(CONFIG);
        RecordingReceiver received = RecordingReceiver.on(reader);
        reader.pauseReading();
        writer.write(Unpooled.wrappedBuffer(new byte[WINDOW]));
        writer.write(Unpooled.wrappedBuffer(new byte[WINDOW]));
        pair.pump();

        assertThat(pair.server.written).filteredOn(f -> f.type() == YamuxFrame.WINDOW_UPDATE && f.length() > 0)
                .as("window granted by a paused reader").isEmpty();
        assertThat(received.size()).isZero();
    }

    @Test
    void shouldFailWritesPastTheSendQueueLimitWithAClearMessage() {
        YamuxConfig config = new YamuxConfig(16, WINDOW, MIB, 64 * KIB, 16 * KIB, Duration.ofSeconds(30));
        openStream(config);
        RecordingReceiver received = RecordingReceiver.on(reader);
        reader.pauseReading();
        CompletableFuture<Void> fillsWindow = writer.write(Unpooled.wrappedBuffer(new byte[WINDOW]));
        pair.pump();
        CompletableFuture<Void> queued = writer.write(Unpooled.wrappedBuffer(new byte[64 * KIB]));

        CompletableFuture<Void> overflow = writer.write(Unpooled.wrappedBuffer(new byte[1]));
        pair.pump();

        assertThat(fillsWindow).isCompleted();
        assertThat(queued).isNotDone();
        assertThat(overflow).isCompletedExceptionally();
        assertThat(overflow.handle((v, e) -> e).join())
                .isInstanceOf(YamuxException.class)
                .hasMessageContaining("send queue is full")
                .hasMessageContaining(String.valueOf(64 * KIB));

        reader.resumeReading();
        pair.pump();
        assertThat(queued).isCompleted();
        assertThat(received.size()).isEqualTo(WINDOW + 64 * KIB);
        assertThat(writer.write(Unpooled.wrappedBuffer(new byte[1]))).as("a write once the queue drained").isCompleted();
    }

    @Test
    void shouldRefuseASingleWriteLargerThanWindowAndQueueTogether() {
        openStream(CONFIG);
        RecordingReceiver.on(reader);

        CompletableFuture<Void> tooLarge = writer.write(Unpooled.wrappedBuffer(new byte[WINDOW + SEND_QUEUE + 1]));

        assertThat(tooLarge).isCompletedExceptionally();
        assertThat(pair.client.session.streamCount()).as("the stream survives a refused write").isEqualTo(1);
    }

    /** The queue limit bounds bytes beyond the remote's window, as YamuxConfig documents. */
    @Test
    void shouldAcceptOneWriteLargerThanTheQueueLimitWhenTheWindowCoversTheRest() {
        openStream(YamuxConfig.DEFAULTS);
        RecordingReceiver received = RecordingReceiver.on(reader);
        byte[] data = randomBytes(pair.random(), 20 * MIB);

        CompletableFuture<Void> write = writer.write(Unpooled.wrappedBuffer(data));
        pair.pump();

        assertThat(write).isCompleted();
        assertSameBytes(received.bytes(), data);
    }
}
