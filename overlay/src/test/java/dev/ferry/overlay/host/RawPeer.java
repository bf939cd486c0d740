package dev.ferry.overlay.host;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.multistream.DialerNegotiation;
import dev.ferry.overlay.multistream.MultistreamCodec;
import dev.ferry.overlay.multistream.MultistreamHandler;
import dev.ferry.overlay.noise.NoiseHandshakeHandler;
import dev.ferry.overlay.noise.NoiseProtocol;
import dev.ferry.overlay.noise.SecureSession;
import dev.ferry.overlay.yamux.YamuxProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: a hand-driven TCP peer built from Ferry's own pieces. It goes through as much of
 * the libp2p upgrade as a test asks for, then sends whatever the test writes: raw bytes under the
 * Noise layer, or plaintext (yamux frames) through it. What it receives is counted, its first
 * bytes kept, and once yamux is agreed each frame header is recorded.
 */
final class RawPeer implements AutoCloseable {
    // yamux frame types and flags, as the spec (hashicorp/yamux spec.md) numbers them
    static final int DATA = 0;
    static final int WINDOW_UPDATE = 1;
    static final int PING = 2;
    static final int GO_AWAY = 3;
    static final int SYN = 1;
    static final int ACK = 2;
    static final int FIN = 4;
    static final int RST = 8;
    static final int GO_AWAY_PROTOCOL_ERROR = 1;

    /** One yamux frame header the node sent us. */
    record Frame(int type, int flags, int streamId, long length) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    private static final int KEPT_BYTES = 4096;
    private static final int KEPT_FRAMES = 10_000;
    private static final String SINK = "sink";

    private final Channel channel;
    private final Sink sink;

    private RawPeer(Channel channel, Sink sink) {
        this.channel = channel;
        this.sink = sink;
    }

    /** Connects and sends nothing. */
    static RawPeer connect(EventLoopGroup group, Multiaddr address) {
        Sink sink = new Sink();
        ChannelFuture connecting = bootstrap(group, 0, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(SINK, sink);
            }
        }).connect(address.tcpTarget().toSocketAddress());
        if (!connecting.awaitUninterruptibly(TestNetwork.WAIT.toMillis(), TimeUnit.MILLISECONDS) || !connecting.isSuccess()) {
            connecting.channel().close();
            throw new AssertionError("cannot connect to " + address, connecting.cause());
        }
        return new RawPeer(connecting.channel(), sink);
    }

    /**
     * Connects and upgrades as a dialler would (multistream to /noise, Noise XX as
     * {@code identity}, multistream to yamux); completes once yamux is agreed.
     */
    static CompletableFuture<RawPeer> upgrade(EventLoopGroup group, Multiaddr address, IdentityKeyPair identity,
                                              int receiveBufferBytes) {
        Sink sink = new Sink();
        CompletableFuture<String> security = new CompletableFuture<>();
        CompletableFuture<SecureSession> secured = new CompletableFuture<>();
        CompletableFuture<String> muxer = new CompletableFuture<>();
        ChannelFuture connecting = bootstrap(group, receiveBufferBytes, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(SINK, sink);
                ch.pipeline().addBefore(SINK, "security-select",
                        MultistreamHandler.dialer(new DialerNegotiation(List.of(NoiseProtocol.PROTOCOL_ID)), security));
                // Each step is added when the previous one completes, on the event loop, before
                // the previous handler passes on what the node pipelined behind its answer.
                security.whenComplete((p, e) -> {
                    if (e != null) muxer.completeExceptionally(e);
                    else ch.pipeline().addBefore(SINK, "noise",
                            new NoiseHandshakeHandler(identity, true, address.peerId().orElse(null), secured));
                });
                secured.whenComplete((s, e) -> {
                    if (e != null) muxer.completeExceptionally(e);
                    else ch.pipeline().addBefore(SINK, "muxer-select",
                            MultistreamHandler.dialer(new DialerNegotiation(List.of(YamuxProtocol.PROTOCOL_ID)), muxer));
                });
                muxer.whenComplete((p, e) -> sink.parseYamux = e == null);
            }
        }).connect(address.tcpTarget().toSocketAddress());
        connecting.addListener(f -> {
            if (!f.isSuccess()) muxer.completeExceptionally(f.cause());
        });
        connecting.channel().closeFuture().addListener(f ->
                muxer.completeExceptionally(new AssertionError("the node closed the connection during the upgrade")));
        return muxer.thenApply(p -> new RawPeer(connecting.channel(), sink));
    }

    private static Bootstrap bootstrap(EventLoopGroup group, int receiveBufferBytes, ChannelInitializer<Channel> init) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                // Unpooled, so that what a raw peer sent leaves no pooled memory behind to blur
                // the node's heap measurements.
                .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TestNetwork.WAIT.toMillis())
                .handler(init);
        if (receiveBufferBytes > 0) b.option(ChannelOption.SO_RCVBUF, receiveBufferBytes);
        return b;
    }

    // ------------------------------------------------------------------ sending

    /** Writes {@code bytes} to the socket as they are, under any Noise encryption. */
    void sendRaw(byte[] bytes) {
        sendRaw(Unpooled.wrappedBuffer(bytes));
    }

    void sendRaw(ByteBuf bytes) {
        channel.eventLoop().execute(() -> channel.pipeline().firstContext().writeAndFlush(bytes));
    }

    /** Writes plaintext through the Noise transport (after {@link #upgrade}). */
    void sendEncrypted(ByteBuf plaintext) {
        channel.writeAndFlush(plaintext);
    }

    /** Sends one yamux frame through the Noise transport; {@code length} is what the header claims. */
    void sendFrame(int type, int flags, int streamId, long length, byte[] payload) {
        sendFrame(0, type, flags, streamId, length, payload);
    }

    void sendFrame(int version, int type, int flags, int streamId, long length, byte[] payload) {
        sendEncrypted(frame(version, type, flags, streamId, length, payload));
    }

    static ByteBuf frame(int version, int type, int flags, int streamId, long length, byte[] payload) {
        ByteBuf frame = Unpooled.buffer(12 + payload.length);
        frame.writeByte(version).writeByte(type).writeShort(flags).writeInt(streamId).writeInt((int) length);
        frame.writeBytes(payload);
        return frame;
    }

    /** Multistream-select messages, as a dialler pipelines them. */
    static byte[] multistream(String... messages) {
        ByteBuf encoded = MultistreamCodec.encode(ByteBufAllocator.DEFAULT, messages);
        try {
            byte[] bytes = new byte[encoded.readableBytes()];
            encoded.readBytes(bytes);
            return bytes;
        } finally {
            encoded.release();
        }
    }

    /** Stops reading the socket, so that what the node sends piles up in the TCP buffers. */
    void stopReading() {
        channel.eventLoop().submit(() -> channel.config().setAutoRead(false))
                .awaitUninterruptibly(TestNetwork.WAIT.toMillis());
    }

    // ------------------------------------------------------------------ observing

    boolean isOpen() {
        return channel.isActive();
    }

    /** Completes when the connection is closed, by either side. */
    CompletableFuture<Void> closed() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.closeFuture().addListener(f -> closed.complete(null));
        return closed;
    }

    long receivedBytes() {
        return sink.received;
    }

    /** The first few KiB received (before the yamux frame parser took over, if it did). */
    byte[] firstBytes() {
        synchronized (sink.kept) {
            return sink.kept.toByteArray();
        }
    }

    /** The yamux frame headers received so far, in order. */
    List<Frame> frames() {
        synchronized (sink.frames) {
            return List.copyOf(sink.frames);
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(TestNetwork.WAIT.toMillis());
    }

    /** Last handler: counts and drops what arrives, parsing yamux frame headers once agreed. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        final List<Frame> frames = new ArrayList<>();
        volatile long received;
        volatile boolean parseYamux;
        private final byte[] header = new byte[12];
        private int headerFill;
        private long skip;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf in)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            try {
                received += in.readableBytes();
                if (!parseYamux) {
                    synchronized (kept) {
                        int n = Math.min(in.readableBytes(), KEPT_BYTES - kept.size());
                        byte[] bytes = new byte[n];
                        in.getBytes(in.readerIndex(), bytes);
                        kept.writeBytes(bytes);
                    }
                    return;
                }
                while (in.isReadable()) {
                    if (skip > 0) {
                        int n = (int) Math.min(skip, in.readableBytes());
                        in.skipBytes(n);
                        skip -= n;
                        continue;
                    }
                    int n = Math.min(header.length - headerFill, in.readableBytes());
                    in.readBytes(header, headerFill, n);
                    headerFill += n;
                    if (headerFill == header.length) {
                        headerFill = 0;
                        Frame frame = parse();
                        if (frame.type() == DATA) skip = frame.length();
                        synchronized (frames) {
                            if (frames.size() < KEPT_FRAMES) frames.add(frame);
                        }
                    }
                }
            } finally {
                in.release();
            }
        }

        private Frame parse() {
            int type = header[1];
            int flags = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            int streamId = intAt(4);
            long length = intAt(8) & 0xFFFFFFFFL;
            return new Frame(type, flags, streamId, length);
        }

        private int intAt(int offset) {
            return ((header[offset] & 0xFF) << 24) | ((header[offset + 1] & 0xFF) << 16)
                    | ((header[offset + 2] & 0xFF) << 8) | (header[offset + 3] & 0xFF);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // e.g. the node reset the connection: that is what the tests look for
        }
    }
}
