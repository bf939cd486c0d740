package dev.ferry.overlay.noise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.ChannelBytes;
import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.overlay.noise.NoisePipes.Chunking;
import dev.ferry.overlay.noise.proto.NoiseProto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NoiseHandshakeHandlerTest {
    private static final String HANDLER_NAME = "noise";
    private static final int MIB = 1 << 20;

    private final SecureRandom secureRandom = new SecureRandom();
    private final Random random = new Random(20261122);
    private final IdentityKeyPair dialler = IdentityKeyPair.generate(secureRandom);
    private final IdentityKeyPair listener = IdentityKeyPair.generate(secureRandom);
    private final CompletableFuture<SecureSession> diallerResult = new CompletableFuture<>();
    private final CompletableFuture<SecureSession> listenerResult = new CompletableFuture<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void releaseEverythingLeftInTheChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @ParameterizedTest
    @EnumSource(Chunking.class)
    void shouldAuthenticateBothPeersAndCarryDataOfEverySizeBothWays(Chunking chunking) {
        EmbeddedChannel initiator = channel(dialler, true, listener.peerId(), diallerResult);
        EmbeddedChannel responder = channel(listener, false, null, listenerResult);
        NoisePipes.pumpUntilQuiet(initiator, responder, chunking, random);

        assertThat(diallerResult).isCompletedWithValue(new SecureSession(listener.peerId(), listener.publicKey()));
        assertThat(listenerResult).isCompletedWithValue(new SecureSession(dialler.peerId(), dialler.publicKey()));
        for (EmbeddedChannel channel : new EmbeddedChannel[] {initiator, responder}) {
            assertThat(channel.pipeline().get(HANDLER_NAME)).isInstanceOf(NoiseTransportCodec.class);
            assertThat(channel.pipeline().get(NoiseHandshakeHandler.class)).isNull();
        }

        for (int size : new int[] {0, 1, 65519, 65520, MIB}) {
            assertDelivered(initiator, responder, size, chunking);
            assertDelivered(responder, initiator, size, chunking);
        }
        assertThat(initiator.finishAndReleaseAll()).isFalse();
        assertThat(responder.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Chunking.class)
    void shouldDeliverDataPipelinedBehindTheLastHandshakeMessageToHandlersAddedOnCompletion(Chunking chunking) {
        EmbeddedChannel initiator = channel(dialler, true, listener.peerId(), diallerResult);
        EmbeddedChannel responder = channel(listener, false, null, listenerResult);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        // The dialler writes as soon as it is done; its data follows message 3 in the same flight.
        diallerResult.thenAccept(session -> initiator.writeAndFlush(utf8("early data right behind message 3")));
        listenerResult.thenAccept(session -> responder.pipeline().addLast("app", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.writeBytes(ChannelBytes.take((ByteBuf) msg));
            }
        }));

        NoisePipes.pumpUntilQuiet(initiator, responder, chunking, random);

        assertThat(listenerResult).isCompleted();
        assertThat(received.toString(StandardCharsets.UTF_8)).isEqualTo("early data right behind message 3");
        assertThat(responder.pipeline().names()).containsSubsequence(HANDLER_NAME, "app");
    }

    @Test
    void shouldRefuseAResponderThatIsNotThePeerWeDialled() {
        PeerId expected = IdentityKeyPair.generate(secureRandom).peerId();
        EmbeddedChannel initiator = channel(dialler, true, expected, diallerResult);
        EmbeddedChannel responder = channel(listener, false, null, listenerResult);

        NoisePipes.transfer(initiator, responder, Chunking.AS_WRITTEN, random); // message 1
        NoisePipes.transfer(responder, initiator, Chunking.AS_WRITTEN, random); // message 2

        assertThat(failure(diallerResult))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessage("remote peer is " + listener.peerId() + ", expected " + expected);
        assertThat(initiator.isOpen()).isFalse();
        assertThat(initiator.<Object>readOutbound()).as("message 3 (our identity) is never sent").isNull();
        assertThat(listenerResult).isNotDone();
    }

    @Test
    void shouldRefuseAResponderWhosePayloadIsSignedByAnotherKey() {
        EmbeddedChannel initiator = channel(dialler, true, listener.peerId(), diallerResult);
        // A hand-made responder claims the listener's identity but cannot sign with its key.
        XXHandshake impostor = XXHandshake.responder(X25519.generate(secureRandom), secureRandom);
        impostor.readMessage(readFrame(initiator));
        IdentityKeyPair impostorKey = IdentityKeyPair.generate(secureRandom);
        byte[] payload = NoiseProto.NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(listener.publicKey().marshal()))
                .setIdentitySig(ByteString.copyFrom(impostorKey.sign(concat(
                        NoiseProtocol.STATIC_KEY_SIGNATURE_PREFIX.getBytes(StandardCharsets.US_ASCII),
                        impostor.localStaticKey()))))
                .build()
                .toByteArray();
        initiator.writeInbound(frame(impostor.writeMessage(payload)));

        assertThat(failure(diallerResult))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessage("remote identity signature does not cover its Noise static key");
        assertThat(initiator.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseAnInitiatorWhosePayloadIsSignedByAnotherKey() {
        EmbeddedChannel responder = channel(listener, false, null, listenerResult);
        XXHandshake impostor = XXHandshake.initiator(X25519.generate(secureRandom), secureRandom);
        responder.writeInbound(frame(impostor.writeMessage(new byte[0])));
        impostor.readMessage(readFrame(responder));
        byte[] payload = HandshakePayloads.create(dialler, X25519.generate(secureRandom).publicKey()); // signs another static key
        responder.writeInbound(frame(impostor.writeMessage(payload)));

        assertThat(failure(listenerResult)).isInstanceOf(NoiseHandshakeException.class).hasMessageContaining("signature");
        assertThat(responder.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseAShortFirstMessage() {
        EmbeddedChannel responder = channel(listener, false, null, listenerResult);
        responder.writeInbound(frame(new byte[10]));
        assertThat(failure(listenerResult)).isInstanceOf(NoiseHandshakeException.class).hasMessageContaining("too short");
        assertThat(responder.isOpen()).isFalse();
        assertThat(responder.<Object>readOutbound()).isNull();
    }

    @Test
    void shouldRefuseGarbageAsTheSecondMessage() {
        EmbeddedChannel initiator = channel(dialler, true, null, diallerResult);
        byte[] garbage = new byte[300];
        random.nextBytes(garbage);
        initiator.writeInbound(frame(garbage));
        assertThat(failure(diallerResult)).isInstanceOf(NoiseHandshakeException.class).hasMessageContaining("failed authentication");
        assertThat(initiator.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseATamperedThirdMessage() {
        EmbeddedChannel initiator = channel(dialler, true, listener.peerId(), diallerResult);
        EmbeddedChannel responder = channel(listener, false, null, listenerResult);
        NoisePipes.transfer(initiator, responder, Chunking.AS_WRITTEN, random);
        NoisePipes.transfer(responder, initiator, Chunking.AS_WRITTEN, random);
        byte[] third = readFrame(initiator);
        third[third.length - 1] ^= 1;
        responder.writeInbound(frame(third));
        assertThat(diallerResult).isCompleted();
        assertThat(failure(listenerResult)).isInstanceOf(NoiseHandshakeException.class).hasMessageContaining("message 3");
        assertThat(responder.isOpen()).isFalse();
    }

    @Test
    void shouldFailWhenTheConnectionClosesMidHandshake() {
        EmbeddedChannel initiator = channel(dialler, true, listener.peerId(), diallerResult);
        initiator.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2, 3})); // a partial frame
        initiator.close();
        assertThat(failure(diallerResult))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessage("connection closed during the Noise handshake");
    }

    @Test
    void shouldRefuseWritesBeforeTheHandshakeCompletes() {
        EmbeddedChannel initiator = channel(dialler, true, listener.peerId(), diallerResult);
        ByteBuf early = utf8("too early");
        ChannelFuture write = initiator.writeAndFlush(early);
        assertThat(write.cause()).isInstanceOf(NoiseHandshakeException.class);
        assertThat(early.refCnt()).isZero();
        assertThat(diallerResult).isNotDone();
    }

    @Test
    void shouldStartWhenAddedToAnAlreadyActiveConnection() {
        EmbeddedChannel initiator = new EmbeddedChannel();
        EmbeddedChannel responder = new EmbeddedChannel();
        channels.add(initiator);
        channels.add(responder);
        initiator.pipeline().addLast(HANDLER_NAME, new NoiseHandshakeHandler(dialler, true, listener.peerId(), diallerResult));
        responder.pipeline().addLast(HANDLER_NAME, new NoiseHandshakeHandler(listener, false, null, listenerResult));
        NoisePipes.pumpUntilQuiet(initiator, responder, Chunking.COALESCED, random);
        assertThat(diallerResult).isCompleted();
        assertThat(listenerResult).isCompleted();
    }

    private void assertDelivered(EmbeddedChannel from, EmbeddedChannel to, int size, Chunking chunking) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        ByteBuf buf = size % 2 == 0 ? from.alloc().directBuffer(size) : from.alloc().heapBuffer(size);
        buf.writeBytes(data);
        assertThat(from.writeAndFlush(buf).isSuccess()).isTrue();
        NoisePipes.transfer(from, to, chunking, random);
        assertThat(NoisePipes.readAllInbound(to)).as("%d bytes, %s", size, chunking).isEqualTo(data);
    }

    private EmbeddedChannel channel(IdentityKeyPair identity, boolean initiator, PeerId expected,
            CompletableFuture<SecureSession> result) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        channel.pipeline().addLast(HANDLER_NAME, new NoiseHandshakeHandler(identity, initiator, expected, result));
        return channel;
    }

    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /** The body of the one frame {@code channel} wrote. */
    private static byte[] readFrame(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        int length = buf.readUnsignedShort();
        assertThat(buf.readableBytes()).isEqualTo(length);
        byte[] body = new byte[length];
        buf.readBytes(body);
        buf.release();
        return body;
    }

    private static ByteBuf frame(byte[] body) {
        ByteBuf buf = Unpooled.buffer(2 + body.length);
        buf.writeShort(body.length);
        buf.writeBytes(body);
        return buf;
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
