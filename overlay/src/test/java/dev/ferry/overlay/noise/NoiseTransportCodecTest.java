package dev.ferry.overlay.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.X25519;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NoiseTransportCodecTest {
    private final SecureRandom random = new SecureRandom();
    /** A connection with the codec; its remote, Bob, exists only as his sending cipher. */
    private EmbeddedChannel alice;
    /** Bob's sending cipher, for hand-made frames to Alice. */
    private CipherState bobSender;
    /** Bob's receiving cipher, to read what Alice sent. */
    private CipherState bobReceiver;

    @BeforeEach
    void connect() {
        XXHandshake initiator = XXHandshake.initiator(X25519.generate(random), random);
        XXHandshake responder = XXHandshake.responder(X25519.generate(random), random);
        responder.readMessage(initiator.writeMessage(new byte[0]));
        initiator.readMessage(responder.writeMessage(new byte[0]));
        responder.readMessage(initiator.writeMessage(new byte[0]));
        XXHandshake.TransportCiphers a = initiator.split();
        XXHandshake.TransportCiphers b = responder.split();
        alice = new EmbeddedChannel(new NoiseTransportCodec(a.sender(), a.receiver()));
        bobSender = b.sender();
        bobReceiver = b.receiver();
    }

    @AfterEach
    void releaseEverythingLeftInTheChannel() {
        alice.finishAndReleaseAll();
    }

    @Test
    void shouldCutLargeWritesIntoMaximalFramesAndCompleteThePromiseAfterTheLast() {
        ByteBuf data = Unpooled.wrappedBuffer(new byte[3 * NoiseTransportCodec.MAX_PLAINTEXT_LENGTH + 5]);
        ChannelFuture write = alice.write(data);
        assertThat(write.isDone()).isFalse();
        alice.flush();
        assertThat(write.isSuccess()).isTrue();
        assertThat(data.refCnt()).isZero();
        List<Integer> frameLengths = new ArrayList<>();
        for (ByteBuf frame; (frame = alice.readOutbound()) != null; frame.release()) {
            assertThat(frame.getUnsignedShort(0)).isEqualTo(frame.readableBytes() - 2);
            frameLengths.add(frame.readableBytes());
        }
        assertThat(frameLengths).containsExactly(65537, 65537, 65537, 2 + 5 + 16);
    }

    @Test
    void shouldGatherTheWritesOfOneFlushIntoOneFrameAndCompleteEachPromise() throws Exception {
        List<ChannelFuture> writes = new ArrayList<>();
        for (String part : List.of("yamux header ", "a window update ", "", "a short message"))
            writes.add(alice.write(Unpooled.copiedBuffer(part, StandardCharsets.UTF_8)));
        assertThat(writes).noneMatch(ChannelFuture::isDone);

        alice.flush();

        assertThat(writes).allMatch(ChannelFuture::isSuccess);
        ByteBuf frame = alice.readOutbound();
        assertThat((Object) alice.readOutbound()).as("a second frame").isNull();
        ByteBuffer plaintext = ByteBuffer.allocate(frame.readableBytes());
        int length = bobReceiver.decrypt(frame.nioBuffer(2, frame.readableBytes() - 2), plaintext);
        frame.release();
        assertThat(new String(plaintext.array(), 0, length, StandardCharsets.UTF_8))
                .isEqualTo("yamux header a window update a short message");
    }

    @Test
    void shouldCutGatheredWritesAtTheFrameLimit() {
        ChannelFuture first = alice.write(Unpooled.wrappedBuffer(new byte[NoiseTransportCodec.MAX_PLAINTEXT_LENGTH - 10]));
        ChannelFuture second = alice.write(Unpooled.wrappedBuffer(new byte[30]));
        assertThat(first.isDone()).isFalse();

        alice.flush();

        List<Integer> frameLengths = new ArrayList<>();
        for (ByteBuf frame; (frame = alice.readOutbound()) != null; frame.release()) frameLengths.add(frame.readableBytes());
        assertThat(frameLengths).containsExactly(65537, 2 + 20 + 16);
        assertThat(first.isSuccess()).isTrue();
        assertThat(second.isSuccess()).isTrue();
    }

    @Test
    void shouldFailWritesThatWereNeverFlushedWhenTheConnectionCloses() {
        ByteBuf data = Unpooled.wrappedBuffer(new byte[100]);
        ChannelFuture write = alice.write(data);

        alice.close();

        assertThat(write.isDone()).isTrue();
        assertThat(write.isSuccess()).isFalse();
        assertThat(data.refCnt()).isZero();
    }

    @Test
    void shouldEncryptWithAVoidPromiseToo() {
        alice.writeAndFlush(Unpooled.wrappedBuffer(new byte[70_000]), alice.voidPromise());
        int frames = 0;
        for (ByteBuf frame; (frame = alice.readOutbound()) != null; frame.release()) frames++;
        assertThat(frames).isEqualTo(2);
    }

    @Test
    void shouldCompleteAnEmptyWriteWithoutSendingAFrame() {
        assertThat(alice.writeAndFlush(Unpooled.EMPTY_BUFFER).isSuccess()).isTrue();
        ByteBuf out = alice.readOutbound();
        assertThat(out == null || !out.isReadable()).isTrue();
    }

    @Test
    void shouldRefuseToWriteAnythingButByteBufs() throws Exception {
        java.io.File file = java.io.File.createTempFile("noise", ".bin");
        file.deleteOnExit();
        DefaultFileRegion region = new DefaultFileRegion(file, 0, 0);
        ChannelFuture write = alice.writeAndFlush(region);
        assertThat(write.cause()).isInstanceOf(NoiseTransportException.class);
        assertThat(region.refCnt()).isZero();
        assertThat(alice.<Object>readOutbound()).isNull();
    }

    @Test
    void shouldReassembleALengthPrefixSplitAcrossReads() {
        ByteBuf frame = frameFromBob("split prefix");
        alice.writeInbound(frame.readRetainedSlice(1));
        alice.writeInbound(frame.readRetainedSlice(1));
        alice.writeInbound(frame.readRetainedSlice(3));
        assertThat(alice.<Object>readInbound()).isNull();
        alice.writeInbound(frame);
        assertThat(NoisePipes.readAllInbound(alice)).isEqualTo(utf8Bytes("split prefix"));
    }

    @Test
    void shouldSkipEmptyMessagesWithoutFiringThem() {
        alice.writeInbound(frameFromBob(""));
        assertThat(alice.<Object>readInbound()).isNull();
        assertThat(alice.isOpen()).isTrue();
        alice.writeInbound(frameFromBob("after empty"));
        assertThat(NoisePipes.readAllInbound(alice)).isEqualTo(utf8Bytes("after empty"));
    }

    @Test
    void shouldCloseTheConnectionOnATamperedFrame() {
        ByteBuf frame = frameFromBob("tamper with me");
        frame.setByte(5, frame.getByte(5) ^ 0x20);
        assertThatThrownBy(() -> alice.writeInbound(frame))
                .isInstanceOf(NoiseTransportException.class)
                .hasMessageContaining("failed authentication");
        assertThat(alice.isOpen()).isFalse();
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void shouldCloseTheConnectionOnAFrameShorterThanItsTag() {
        ByteBuf frame = Unpooled.buffer().writeShort(15).writeBytes(new byte[15]);
        assertThatThrownBy(() -> alice.writeInbound(frame))
                .isInstanceOf(NoiseTransportException.class)
                .hasMessage("Noise transport frame of 15 bytes is shorter than its 16-byte tag");
        assertThat(alice.isOpen()).isFalse();
    }

    @Test
    void shouldCloseTheConnectionOnAReplayedFrame() {
        ByteBuf frame = frameFromBob("once only");
        alice.writeInbound(frame.retainedDuplicate());
        assertThat(NoisePipes.readAllInbound(alice)).isEqualTo(utf8Bytes("once only"));
        assertThatThrownBy(() -> alice.writeInbound(frame)).isInstanceOf(NoiseTransportException.class);
    }

    @Test
    void shouldNotDecryptFramesBehindABadOne() {
        ByteBuf good = frameFromBob("behind a bad frame");
        ByteBuf both = Unpooled.buffer().writeShort(3).writeBytes(new byte[3]).writeBytes(good);
        good.release();
        assertThatThrownBy(() -> alice.writeInbound(both)).isInstanceOf(NoiseTransportException.class);
        assertThat(both.refCnt()).isZero();
        assertThat(alice.<Object>readInbound()).isNull();
    }

    @Test
    void shouldReleaseAPartialFrameWhenTheConnectionCloses() {
        ByteBuf frame = frameFromBob("partial");
        alice.writeInbound(frame.readRetainedSlice(6));
        alice.close();
        frame.release();
        assertThat(alice.finishAndReleaseAll()).isFalse();
    }

    /** A frame Bob's codec would send to Alice, made by hand. */
    private ByteBuf frameFromBob(String text) {
        byte[] plain = utf8Bytes(text);
        ByteBuffer body = ByteBuffer.allocate(plain.length + CipherState.TAG_LENGTH);
        bobSender.encrypt(ByteBuffer.wrap(plain), body);
        return Unpooled.buffer().writeShort(body.capacity()).writeBytes(body.array());
    }

    private static byte[] utf8Bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
