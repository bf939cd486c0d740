package dev.ferry.overlay.noise;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the noise-libp2p XX handshake over a connection, as the initiator (dialler) or the
 * responder (listener), with 2-byte length framing over arbitrarily chunked reads.
 *
 * <p>On success, in this order, it (a) replaces itself in the pipeline with a
 * {@link NoiseTransportCodec} under the same name, (b) completes {@code result} with the
 * {@link SecureSession}, whose callbacks, running synchronously, may add handlers after the codec,
 * and (c) feeds the codec any bytes that arrived behind the last handshake message, so pipelined
 * data is not lost. On failure (malformed or tampered message, invalid signature, a remote that is
 * not {@code expectedRemote}, the connection closing) it completes {@code result} exceptionally
 * with a {@link NoiseHandshakeException} and closes the connection. Writes before the handshake
 * completes are refused. There is no timeout here: the host bounds the whole upgrade.
 *
 * <p>A fresh Noise static key is made per connection, as go-libp2p does; it is authenticated by
 * the identity key's signature, so it needs no persistence.
 */
public final class NoiseHandshakeHandler extends ChannelDuplexHandler {
    private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();
    private static final int PREFIX_LENGTH = NoiseProtocol.LENGTH_PREFIX_LENGTH;

    private enum State { NOT_STARTED, HANDSHAKING, COMPLETE, FAILED }

    private final IdentityKeyPair identity;
    private final boolean initiator;
    private final PeerId expectedRemote;
    private final CompletableFuture<SecureSession> result;
    private final SecureRandom random;
    private State state = State.NOT_STARTED;
    private XXHandshake handshake;
    /** Bytes received and not yet consumed: at most one partial frame while handshaking. */
    private ByteBuf cumulation;

    /**
     * @param identity our identity key, which signs our Noise static key
     * @param initiator true on the dialling side, which sends the first message
     * @param expectedRemote the peer we dialled, or null to accept any peer (listening side)
     * @param result completed with the remote's identity, or exceptionally with a
     *     {@link NoiseHandshakeException}
     */
    public NoiseHandshakeHandler(IdentityKeyPair identity, boolean initiator, PeerId expectedRemote,
            CompletableFuture<SecureSession> result) {
        this(identity, initiator, expectedRemote, result, DEFAULT_RANDOM);
    }

    /** As above, with the randomness for the Noise static and ephemeral keys injected. */
    public NoiseHandshakeHandler(IdentityKeyPair identity, boolean initiator, PeerId expectedRemote,
            CompletableFuture<SecureSession> result, SecureRandom random) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.initiator = initiator;
        this.expectedRemote = expectedRemote;
        this.result = Objects.requireNonNull(result, "result");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Usually added to a live connection once multistream-select has chosen /noise.
        if (ctx.channel().isActive()) start(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (state != State.NOT_STARTED) return;
        state = State.HANDSHAKING;
        X25519.KeyPair staticKey = X25519.generate(random);
        handshake = initiator ? XXHandshake.initiator(staticKey, random) : XXHandshake.responder(staticKey, random);
        if (initiator) {
            // libp2p's first message carries no payload: nothing may be revealed before encryption.
            send(ctx, handshake.writeMessage(new byte[0]));
        }
        readIfNeeded(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state != State.HANDSHAKING || !(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            if (state == State.HANDSHAKING) fail(ctx, new NoiseHandshakeException("unexpected " + msg.getClass().getSimpleName() + " during the Noise handshake"));
            return;
        }
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        try {
            while (state == State.HANDSHAKING && cumulation.readableBytes() >= PREFIX_LENGTH) {
                int length = cumulation.getUnsignedShort(cumulation.readerIndex());
                if (cumulation.readableBytes() < PREFIX_LENGTH + length) break;
                cumulation.skipBytes(PREFIX_LENGTH);
                byte[] message = new byte[length];
                cumulation.readBytes(message);
                onMessage(ctx, message);
            }
        } catch (NoiseHandshakeException e) {
            fail(ctx, e);
        } catch (RuntimeException e) {
            fail(ctx, new NoiseHandshakeException("Noise handshake failed: " + e.getMessage(), e));
        } finally {
            if (cumulation != null && !cumulation.isReadable()) {
                cumulation.release();
                cumulation = null;
            }
        }
    }

    private void onMessage(ChannelHandlerContext ctx, byte[] message) {
        byte[] payload = handshake.readMessage(message);
        if (initiator) {
            // Message 2: the responder's identity. Check it before revealing ours in message 3.
            SecureSession session = authenticate(payload);
            send(ctx, handshake.writeMessage(HandshakePayloads.create(identity, handshake.localStaticKey())));
            complete(ctx, session);
        } else if (!handshake.isComplete()) {
            // Message 1: the initiator's ephemeral key; its payload is empty in libp2p and unused.
            send(ctx, handshake.writeMessage(HandshakePayloads.create(identity, handshake.localStaticKey())));
        } else {
            // Message 3: the initiator's identity.
            complete(ctx, authenticate(payload));
        }
    }

    private SecureSession authenticate(byte[] payload) {
        IdentityPublicKey remoteKey = HandshakePayloads.verify(payload, handshake.remoteStaticKey());
        PeerId remotePeer = remoteKey.toPeerId();
        if (expectedRemote != null && !expectedRemote.equals(remotePeer)) {
            throw new NoiseHandshakeException("remote peer is " + remotePeer + ", expected " + expectedRemote);
        }
        return new SecureSession(remotePeer, remoteKey);
    }

    private void complete(ChannelHandlerContext ctx, SecureSession session) {
        state = State.COMPLETE;
        XXHandshake.TransportCiphers ciphers = handshake.split();
        handshake = null;
        ByteBuf pipelined = cumulation;
        cumulation = null;

        // (a) The codec takes our place, so that (b)'s callbacks can add handlers after it.
        NoiseTransportCodec codec = new NoiseTransportCodec(ciphers.sender(), ciphers.receiver());
        ctx.pipeline().replace(this, ctx.name(), codec);
        // (b) Nobody waiting any more (the host gave up on us): the connection is of no use.
        if (!result.complete(session)) ctx.channel().close();
        // (c) Data the remote sent right behind its last handshake message.
        ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
        if (pipelined == null) return;
        if (!pipelined.isReadable() || codecCtx == null || codecCtx.isRemoved()) {
            pipelined.release();
        } else {
            codec.channelRead(codecCtx, pipelined);
        }
    }

    private void send(ChannelHandlerContext ctx, byte[] message) {
        ByteBuf frame = ctx.alloc().buffer(PREFIX_LENGTH + message.length);
        frame.writeShort(message.length);
        frame.writeBytes(message);
        // A failed write closes the connection, which fails the handshake in channelInactive.
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ReferenceCountUtil.release(msg);
        promise.setFailure(new NoiseHandshakeException("cannot write before the Noise handshake completes"));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readIfNeeded(ctx);
        ctx.fireChannelReadComplete();
    }

    private void readIfNeeded(ChannelHandlerContext ctx) {
        if (state == State.HANDSHAKING && !ctx.channel().config().isAutoRead()) ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.HANDSHAKING || state == State.NOT_STARTED) {
            fail(ctx, new NoiseHandshakeException("connection closed during the Noise handshake"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.HANDSHAKING || state == State.NOT_STARTED) {
            fail(ctx, new NoiseHandshakeException("Noise handshake failed: " + cause.getMessage(), cause));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseCumulation();
        if (state == State.HANDSHAKING || state == State.NOT_STARTED) {
            state = State.FAILED;
            result.completeExceptionally(new NoiseHandshakeException("Noise handshake abandoned before it completed"));
        }
    }

    private void fail(ChannelHandlerContext ctx, NoiseHandshakeException e) {
        if (state == State.FAILED || state == State.COMPLETE) return;
        state = State.FAILED;
        handshake = null;
        releaseCumulation();
        result.completeExceptionally(e);
        ctx.close();
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }
}
