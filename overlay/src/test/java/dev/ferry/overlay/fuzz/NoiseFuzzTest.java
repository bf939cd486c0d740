package dev.ferry.overlay.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.fuzz.FuzzFixtures;
import dev.ferry.overlay.noise.NoiseHandshakeException;
import dev.ferry.overlay.noise.NoiseHandshakeHandler;
import dev.ferry.overlay.noise.NoiseTransportCodec;
import dev.ferry.overlay.noise.NoiseTransportException;
import dev.ferry.overlay.noise.SecureSession;
import dev.ferry.overlay.noise.XXHandshake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Noise (noise-libp2p XX): the handshake handlers read 2-byte-framed messages whose payload is
 * the remote's identity key and signature, and the transport codec reads encrypted frames. The
 * handshake ends with a {@link SecureSession} or a {@link NoiseHandshakeException} and a closed
 * channel; the transport delivers exactly the plaintext that was sent or fires a
 * {@link NoiseTransportException} and closes; no other exception reaches the pipeline's end.
 * The handlers' randomness is fixed, so a recorded handshake (a seed) completes on every run.
 */
class NoiseFuzzTest {
    static final IdentityKeyPair LOCAL = FuzzFixtures.nodeKey(31);
    static final IdentityKeyPair REMOTE = FuzzFixtures.nodeKey(32);
    static final long LOCAL_RANDOM = 33;
    static final long REMOTE_RANDOM = 34;

    /** We listen: the input (byte 0 picks the read size) is what the dialer sends, messages 1 and 3. */
    @FuzzTest
    void responderHandshake(byte[] input) {
        CompletableFuture<SecureSession> result = new CompletableFuture<>();
        EmbeddedChannel channel = new EmbeddedChannel(
                new NoiseHandshakeHandler(LOCAL, false, null, result, FuzzFixtures.random(LOCAL_RANDOM)));
        handshake(channel, result, input);
    }

    /** We dial REMOTE: the input is what the listener answers, message 2. */
    @FuzzTest
    void initiatorHandshake(byte[] input) {
        CompletableFuture<SecureSession> result = new CompletableFuture<>();
        EmbeddedChannel channel = new EmbeddedChannel(
                new NoiseHandshakeHandler(LOCAL, true, REMOTE.peerId(), result, FuzzFixtures.random(LOCAL_RANDOM)));
        handshake(channel, result, input);
    }

    private static void handshake(EmbeddedChannel channel, CompletableFuture<SecureSession> result, byte[] input) {
        try {
            feed(channel, input); // writeInbound rethrows what reached the pipeline's end
            channel.checkException();
        } catch (NoiseTransportException e) {
            // bytes after a completed handshake went to the transport, which refused them
            if (!result.isDone() || result.isCompletedExceptionally()) throw new AssertionError("transport error without a handshake", e);
        }
        if (result.isDone()) {
            try {
                SecureSession session = result.get();
                if (!session.remotePeer().equals(REMOTE.peerId())) throw new AssertionError("authenticated someone else: " + session);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NoiseHandshakeException)) throw new AssertionError("failed with " + e.getCause(), e.getCause());
                if (channel.isOpen()) throw new AssertionError("a failed handshake left the channel open");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        channel.finishAndReleaseAll();
    }

    /**
     * Transport frames made by the real encoder, then cut into reads and perhaps corrupted. Byte 0
     * picks the read size, byte 1 the corrupted byte (0: none); the rest is plaintext records
     * {@code length(1) bytes}, each written and flushed, length 255 standing for 70000 bytes (two frames).
     */
    @FuzzTest
    void transportFrames(byte[] input) {
        if (input.length < 2) return;
        XXHandshake.TransportCiphers[] ciphers = transportCiphers();
        EmbeddedChannel sender = new EmbeddedChannel(new NoiseTransportCodec(ciphers[0].sender(), ciphers[0].receiver()));
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (int i = 2; i < input.length; ) {
            int length = input[i++] & 0xFF;
            byte[] record;
            if (length == 255) {
                record = new byte[70_000];
                Arrays.fill(record, (byte) i);
            } else {
                record = Arrays.copyOfRange(input, i, Math.min(input.length, i + length));
                i += record.length;
            }
            sent.writeBytes(record);
            sender.writeOutbound(Unpooled.wrappedBuffer(record));
        }
        byte[] wire = drainOutbound(sender);
        sender.finishAndReleaseAll();
        boolean corrupted = input[1] != 0 && wire.length > 0;
        if (corrupted) wire[(input[1] & 0xFF) * 7919 % wire.length] ^= (byte) 0x40;

        EmbeddedChannel receiver = new EmbeddedChannel(new NoiseTransportCodec(ciphers[1].sender(), ciphers[1].receiver()));
        boolean refused = false;
        int chunk = 1 + (input[0] & 0xFF) * 31;
        for (int i = 0; i < wire.length && receiver.isOpen(); i += chunk) {
            try {
                receiver.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, i, Math.min(wire.length, i + chunk))));
            } catch (NoiseTransportException e) {
                refused = true;
            }
        }
        byte[] received = drainInbound(receiver);
        byte[] expected = sent.toByteArray();
        if (!Arrays.equals(received, 0, received.length, expected, 0, Math.min(received.length, expected.length))
                || received.length > expected.length) {
            throw new AssertionError("delivered plaintext that was not sent");
        }
        if (!corrupted && (refused || received.length != expected.length)) throw new AssertionError("intact frames were not all delivered");
        if (refused && receiver.isOpen()) throw new AssertionError("a refused frame left the channel open");
        receiver.finishAndReleaseAll();
    }

    /** Raw bytes on an established transport: NoiseTransportException and a closed channel, or waiting for more. */
    @FuzzTest
    void transportRawBytes(byte[] input) {
        XXHandshake.TransportCiphers[] ciphers = transportCiphers();
        EmbeddedChannel receiver = new EmbeddedChannel(new NoiseTransportCodec(ciphers[1].sender(), ciphers[1].receiver()));
        try {
            feed(receiver, input);
            receiver.checkException();
        } catch (NoiseTransportException e) {
            if (receiver.isOpen()) throw new AssertionError("a refused frame left the channel open");
        }
        receiver.finishAndReleaseAll();
    }

    /** Both ends of a completed handshake between fixed keys: [0] the dialer's, [1] the listener's. */
    static XXHandshake.TransportCiphers[] transportCiphers() {
        XXHandshake initiator = XXHandshake.initiator(X25519.generate(FuzzFixtures.random(41)), FuzzFixtures.random(42));
        XXHandshake responder = XXHandshake.responder(X25519.generate(FuzzFixtures.random(43)), FuzzFixtures.random(44));
        byte[] none = new byte[0];
        responder.readMessage(initiator.writeMessage(none));
        initiator.readMessage(responder.writeMessage(none));
        responder.readMessage(initiator.writeMessage(none));
        return new XXHandshake.TransportCiphers[] {initiator.split(), responder.split()};
    }

    /** Byte 0 picks the read size; the rest goes in. Stops once the channel closes. */
    static void feed(EmbeddedChannel channel, byte[] input) {
        int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0x3F);
        for (int i = 1; i < input.length && channel.isOpen(); i += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, i, Math.min(input.length, i + chunk))));
        }
    }

    static byte[] drainOutbound(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            out.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(buf));
            buf.release();
        }
        return out.toByteArray();
    }

    private static byte[] drainInbound(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ByteBuf buf = (ByteBuf) msg;
            out.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(buf));
            buf.release();
        }
        return out.toByteArray();
    }
}
