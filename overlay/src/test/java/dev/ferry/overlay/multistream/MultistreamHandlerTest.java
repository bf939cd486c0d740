package dev.ferry.overlay.multistream;

import static dev.ferry.overlay.multistream.MultistreamProtocol.PROTOCOL_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.ChannelBytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connection-upgrade negotiation handler on a dialer and a listener channel joined in memory. */
class MultistreamHandlerTest {
    private static final String NOISE = "/noise";
    private static final String TLS = "/tls/1.0.0";
    private static final String YAMUX = "/yamux/1.0.0";

    private final CompletableFuture<String> dialed = new CompletableFuture<>();
    private final CompletableFuture<String> listened = new CompletableFuture<>();
    private final BytesRecorder afterDialer = new BytesRecorder();
    private final BytesRecorder afterListener = new BytesRecorder();
    private EmbeddedChannel dialer;
    private EmbeddedChannel listener;

    @AfterEach
    void closeChannels() {
        if (dialer != null) dialer.finishAndReleaseAll();
        if (listener != null) listener.finishAndReleaseAll();
    }

    /** The dialer proposes {@code proposals}; each side adds a recorder once its result completes. */
    private void connect(List<String> proposals, String... supported) {
        dialer = new EmbeddedChannel(MultistreamHandler.dialer(new DialerNegotiation(proposals), dialed));
        listener = new EmbeddedChannel(MultistreamHandler.listener(listenerNegotiation(supported), listened));
        dialed.thenRun(() -> dialer.pipeline().addLast(afterDialer));
        listened.thenRun(() -> listener.pipeline().addLast(afterListener));
    }

    private static ListenerNegotiation listenerNegotiation(String... supported) {
        Set<String> set = Set.of(supported);
        return new ListenerNegotiation(set::contains, () -> List.of(supported));
    }

    @Test
    void shouldAgreeAndRemoveItselfFromBothPipelines() {
        connect(List.of(NOISE), NOISE);

        pump(false);

        assertThat(dialed).isCompletedWithValue(NOISE);
        assertThat(listened).isCompletedWithValue(NOISE);
        assertThat(dialer.pipeline().get(MultistreamHandler.class)).isNull();
        assertThat(listener.pipeline().get(MultistreamHandler.class)).isNull();
        assertThat(afterDialer.bytes()).isEmpty();
        assertThat(afterListener.bytes()).isEmpty();
        assertThat(dialer.isActive()).isTrue();
        assertThat(listener.isActive()).isTrue();
    }

    @Test
    void shouldSendTheDialersOpeningExactlyOnce() {
        connect(List.of(NOISE), NOISE);

        assertThat(messages(outbound(dialer))).containsExactly(PROTOCOL_ID, NOISE);
    }

    @Test
    void shouldSendTheOpeningWhenAddedToAnActiveChannel() {
        dialer = new EmbeddedChannel();
        dialer.pipeline().addLast(MultistreamHandler.dialer(new DialerNegotiation(List.of(YAMUX)), dialed));

        assertThat(messages(outbound(dialer))).containsExactly(PROTOCOL_ID, YAMUX);
    }

    @Test
    void shouldNegotiateWhenEveryByteArrivesAlone() {
        connect(List.of(TLS, NOISE), NOISE);

        pump(true);

        assertThat(dialed).isCompletedWithValue(NOISE);
        assertThat(listened).isCompletedWithValue(NOISE);
    }

    @Test
    void shouldAgreeOnTheSecondProposalAfterNa() {
        connect(List.of(TLS, NOISE), NOISE);

        pump(false);

        assertThat(dialed).isCompletedWithValue(NOISE);
        assertThat(listened).isCompletedWithValue(NOISE);
    }

    @Test
    void shouldPassBytesPipelinedBehindTheEchoToTheNextHandler() {
        connect(List.of(NOISE), NOISE);
        // the listener speaks the new protocol at once, in the same flush as its echo reaches the dialer
        listened.thenRun(() -> listener.writeAndFlush(Unpooled.copiedBuffer("noise message 1", StandardCharsets.UTF_8)));

        pump(false);

        assertThat(dialed).isCompletedWithValue(NOISE);
        assertThat(afterDialer.text()).isEqualTo("noise message 1");
    }

    @Test
    void shouldPassDataThatArrivedWithTheHeaderAndProposalInOneBuffer() {
        listener = new EmbeddedChannel(MultistreamHandler.listener(listenerNegotiation(NOISE, YAMUX), listened));
        listened.thenRun(() -> listener.pipeline().addLast(afterListener));
        ByteBuf all = Unpooled.wrappedBuffer(MultistreamCodec.encode(listener.alloc(), PROTOCOL_ID, YAMUX),
                Unpooled.copiedBuffer("first frame", StandardCharsets.UTF_8));

        listener.writeInbound(all);

        assertThat(listened).isCompletedWithValue(YAMUX);
        assertThat(afterListener.text()).isEqualTo("first frame");
        assertThat(messages(outbound(listener))).containsExactly(PROTOCOL_ID, YAMUX);
        assertThat(listener.pipeline().get(MultistreamHandler.class)).isNull();
    }

    @Test
    void shouldFailAndCloseWhenTheListenerSupportsNoProposal() {
        connect(List.of(TLS, NOISE), YAMUX);

        pump(false);

        assertThat(dialed).isCompletedExceptionally();
        assertThat(dialed.handle((p, e) -> e).join()).isInstanceOf(MultistreamException.class).hasMessageContaining(NOISE);
        assertThat(dialer.isOpen()).isFalse();
        assertThat(listened).isNotDone();
    }

    @Test
    void shouldFailAndCloseWhenTheDialerSendsTheWrongHeader() {
        listener = new EmbeddedChannel(MultistreamHandler.listener(listenerNegotiation(NOISE), listened));

        listener.writeInbound(MultistreamCodec.encode(listener.alloc(), "/multistream/0.9.0", NOISE));

        assertThat(listened).isCompletedExceptionally();
        assertThat(listened.handle((p, e) -> e).join()).isInstanceOf(MultistreamException.class).hasMessageContaining(PROTOCOL_ID);
        assertThat(listener.isOpen()).isFalse();
    }

    @Test
    void shouldFailAndCloseOnAMalformedMessage() {
        listener = new EmbeddedChannel(MultistreamHandler.listener(listenerNegotiation(NOISE), listened));

        listener.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x05, 'h', 'e', 'l', 'l', 'o'}));

        assertThat(listened).isCompletedExceptionally();
        assertThat(listener.isOpen()).isFalse();
    }

    @Test
    void shouldFailTheResultWhenTheConnectionClosesDuringNegotiation() {
        connect(List.of(NOISE), NOISE);

        dialer.close();

        assertThat(dialed).isCompletedExceptionally();
        assertThat(dialed.handle((p, e) -> e).join()).hasMessageContaining("connection closed");
    }

    // ---------------------------------------------------------------- plumbing

    /** Moves bytes both ways until quiet, coalesced or one byte per read. */
    private void pump(boolean oneByteAtATime) {
        for (int round = 0; round < 1000; round++) {
            int moved = transfer(dialer, listener, oneByteAtATime) + transfer(listener, dialer, oneByteAtATime);
            if (moved == 0) return;
        }
        throw new AssertionError("the channels never went quiet");
    }

    private static int transfer(EmbeddedChannel from, EmbeddedChannel to, boolean oneByteAtATime) {
        byte[] bytes = outbound(from);
        if (bytes.length == 0) return 0;
        if (!oneByteAtATime) {
            if (to.isOpen()) to.writeInbound(Unpooled.wrappedBuffer(bytes));
        } else {
            for (int i = 0; i < bytes.length && to.isOpen(); i++) to.writeInbound(Unpooled.wrappedBuffer(bytes, i, 1));
        }
        return bytes.length;
    }

    private static byte[] outbound(EmbeddedChannel channel) {
        return ChannelBytes.drainOutbound(channel);
    }

    private static List<String> messages(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        List<String> messages = new ArrayList<>();
        for (String m; (m = MultistreamCodec.read(in)) != null; ) messages.add(m);
        assertThat(in.isReadable()).as("bytes after the last whole message").isFalse();
        return messages;
    }

    /** The next handler after negotiation: keeps the bytes passed on to it. */
    private static final class BytesRecorder extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.writeBytes(ChannelBytes.take((ByteBuf) msg));
        }

        byte[] bytes() {
            return received.toByteArray();
        }

        String text() {
            return received.toString(StandardCharsets.UTF_8);
        }
    }
}
