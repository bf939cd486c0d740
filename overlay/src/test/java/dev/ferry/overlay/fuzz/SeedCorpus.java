package dev.ferry.overlay.fuzz;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.fuzz.FuzzFixtures;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.identify.proto.IdentifyProto;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.multistream.MultistreamCodec;
import dev.ferry.overlay.noise.NoiseHandshakeHandler;
import dev.ferry.overlay.noise.SecureSession;
import dev.ferry.overlay.noise.SignedPayloads;
import dev.ferry.overlay.noise.XXHandshake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the valid seeds of this module's fuzz targets, made by the project's own encoders and
 * handshakes with the fixed keys of {@link FuzzFixtures}. Run from the module directory after a
 * wire format changes: {@code java -cp <test classpath> dev.ferry.overlay.fuzz.SeedCorpus}.
 * Crash inputs and hand-made edge cases sit next to these seeds and are not written here.
 */
final class SeedCorpus {
    private static final Path ROOT = Path.of("src/test/resources/dev/ferry/overlay/fuzz");
    /** Byte 0 of most targets picks the read size: 0 is the smallest reads, 0x3F the largest. */
    private static final byte SMALL_READS = 0;
    private static final byte LARGE_READS = 0x3F;

    public static void main(String[] args) throws Exception {
        // multistream-select
        write("MultistreamFuzzTest", "codecBytes", "header-and-noise", bytes(MultistreamCodec.encode(ByteBufAllocator.DEFAULT,
                "/multistream/1.0.0", "/noise")));
        write("MultistreamFuzzTest", "listener", "ls-then-yamux", concat(new byte[] {LARGE_READS}, bytes(MultistreamCodec.encode(
                ByteBufAllocator.DEFAULT, "/multistream/1.0.0", "ls", "/mplex/6.7.0", "/yamux/1.0.0"))));
        write("MultistreamFuzzTest", "dialer", "na-then-yamux", concat(new byte[] {SMALL_READS}, bytes(MultistreamCodec.encode(
                ByteBufAllocator.DEFAULT, "/multistream/1.0.0", "na", "/yamux/1.0.0"))));

        // length-prefixed framing (limit 64 in the target)
        write("FramingFuzzTest", "lengthPrefixedMessages", "three-messages", concat(new byte[] {3},
                prefixed("hello".getBytes(StandardCharsets.UTF_8)), prefixed(new byte[0]), prefixed(new byte[64])));
        write("FramingFuzzTest", "lengthPrefixedMessages", "over-the-limit", concat(new byte[] {LARGE_READS},
                prefixed("ok".getBytes(StandardCharsets.UTF_8)), prefixed(new byte[65])));

        // multiaddrs
        Multiaddr withPeer = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + IdentifyFuzzTest.REMOTE.peerId());
        write("MultiaddrBytesFuzzTest", "multiaddrBytes", "ip4-tcp-p2p", withPeer.toBytes());
        write("MultiaddrBytesFuzzTest", "multiaddrBytes", "ip6-tcp", Multiaddr.parse("/ip6/::1/tcp/1").toBytes());
        write("MultiaddrBytesFuzzTest", "multiaddrBytes", "dns4-tcp", Multiaddr.parse("/dns4/example.com/tcp/443").toBytes());
        write("MultiaddrBytesFuzzTest", "multiaddrText", "ip4-tcp-p2p", withPeer.toString().getBytes(StandardCharsets.UTF_8));

        // identify push from IdentifyFuzzTest.REMOTE
        IdentifyProto.Identify identify = IdentifyProto.Identify.newBuilder()
                .setProtocolVersion("ipfs/0.1.0")
                .setAgentVersion("ferry/0.1.0")
                .setPublicKey(ByteString.copyFrom(IdentifyFuzzTest.REMOTE.publicKey().marshal()))
                .addListenAddrs(ByteString.copyFrom(Multiaddr.parse("/ip4/192.0.2.7/tcp/4001").toBytes()))
                .setObservedAddr(ByteString.copyFrom(Multiaddr.parse("/ip4/192.0.2.2/tcp/4001").toBytes()))
                .addProtocols("/ipfs/id/1.0.0")
                .addProtocols("/ipfs/ping/1.0.0")
                .build();
        write("IdentifyFuzzTest", "identifyPush", "push", concat(new byte[] {LARGE_READS}, prefixed(identify.toByteArray())));

        // Noise: the remote's side of complete handshakes with the handlers' fixed randomness
        write("NoiseFuzzTest", "responderHandshake", "complete", responderSeed());
        write("NoiseFuzzTest", "initiatorHandshake", "complete", initiatorSeed());
        write("NoiseFuzzTest", "transportFrames", "small-and-two-frame-records", concat(new byte[] {0, 0},
                record("hello"), new byte[] {0, (byte) 255}, record("bye")));
        write("NoiseFuzzTest", "transportFrames", "corrupted", concat(new byte[] {1, 3}, record("hello"), record("bye")));
        write("NoiseFuzzTest", "transportRawBytes", "claims-65535", new byte[] {LARGE_READS, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});

        // yamux: a stream opened, data, ping, FIN, GoAway; and a header claiming 4 GiB
        write("YamuxFuzzTest", "frames", "stream-lifecycle", concat(new byte[] {SMALL_READS},
                yamux(1, 1, 1, 0), yamux(0, 0, 1, 5), "hello".getBytes(StandardCharsets.UTF_8),
                yamux(2, 1, 0, 7), yamux(0, 1, 3, 3), "abc".getBytes(StandardCharsets.UTF_8),
                yamux(0, 4, 1, 0), yamux(3, 0, 0, 0)));
        write("YamuxFuzzTest", "frames", "claims-4-gib", concat(new byte[] {LARGE_READS}, yamux(0, 1, 1, 0xFFFFFFFFL)));
    }

    /** What the dialer sends to NoiseFuzzTest's responder: messages 1 and 3, framed. */
    private static byte[] responderSeed() {
        CompletableFuture<SecureSession> result = new CompletableFuture<>();
        EmbeddedChannel listener = new EmbeddedChannel(new NoiseHandshakeHandler(NoiseFuzzTest.LOCAL, false, null, result,
                FuzzFixtures.random(NoiseFuzzTest.LOCAL_RANDOM)));
        XXHandshake dialer = XXHandshake.initiator(X25519.generate(FuzzFixtures.random(NoiseFuzzTest.REMOTE_RANDOM)),
                FuzzFixtures.random(NoiseFuzzTest.REMOTE_RANDOM + 1));
        byte[] first = noiseFrame(dialer.writeMessage(new byte[0]));
        listener.writeInbound(Unpooled.wrappedBuffer(first));
        byte[] second = NoiseFuzzTest.drainOutbound(listener);
        dialer.readMessage(Arrays.copyOfRange(second, 2, second.length));
        byte[] third = noiseFrame(dialer.writeMessage(SignedPayloads.of(NoiseFuzzTest.REMOTE, dialer.localStaticKey())));
        listener.writeInbound(Unpooled.wrappedBuffer(third));
        if (!result.isDone() || result.isCompletedExceptionally()) throw new IllegalStateException("seed handshake failed: " + result);
        return concat(new byte[] {SMALL_READS}, first, third);
    }

    /** What the listener answers NoiseFuzzTest's initiator: message 2, framed. */
    private static byte[] initiatorSeed() {
        CompletableFuture<SecureSession> result = new CompletableFuture<>();
        EmbeddedChannel dialer = new EmbeddedChannel(new NoiseHandshakeHandler(NoiseFuzzTest.LOCAL, true,
                NoiseFuzzTest.REMOTE.peerId(), result, FuzzFixtures.random(NoiseFuzzTest.LOCAL_RANDOM)));
        byte[] first = NoiseFuzzTest.drainOutbound(dialer);
        XXHandshake listener = XXHandshake.responder(X25519.generate(FuzzFixtures.random(NoiseFuzzTest.REMOTE_RANDOM)),
                FuzzFixtures.random(NoiseFuzzTest.REMOTE_RANDOM + 1));
        listener.readMessage(Arrays.copyOfRange(first, 2, first.length));
        byte[] second = noiseFrame(listener.writeMessage(SignedPayloads.of(NoiseFuzzTest.REMOTE, listener.localStaticKey())));
        dialer.writeInbound(Unpooled.wrappedBuffer(second));
        if (!result.isDone() || result.isCompletedExceptionally()) throw new IllegalStateException("seed handshake failed: " + result);
        return concat(new byte[] {LARGE_READS}, second);
    }

    private static byte[] noiseFrame(byte[] message) {
        return ByteBuffer.allocate(2 + message.length).putShort((short) message.length).put(message).array();
    }

    private static byte[] record(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) bytes.length}, bytes);
    }

    private static byte[] yamux(int type, int flags, int streamId, long length) {
        return ByteBuffer.allocate(12).put((byte) 0).put((byte) type).putShort((short) flags).putInt(streamId)
                .putInt((int) length).array();
    }

    private static byte[] prefixed(byte[] message) {
        return bytes(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, message));
    }

    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }

    private static void write(String target, String method, String name, byte[] bytes) throws IOException {
        Path dir = ROOT.resolve(target + "Inputs").resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }
}
