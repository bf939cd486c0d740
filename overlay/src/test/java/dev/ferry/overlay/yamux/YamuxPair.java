package dev.ferry.overlay.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.ChannelBytes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Test fixture: a yamux client and server, each a {@link YamuxSession} on its own
 * {@link EmbeddedChannel}, joined by {@link #pump()}, which moves what each side wrote into the
 * other until both are quiet. The bytes can be re-cut into reads of arbitrary size, so the frame
 * parser sees headers and payloads split anywhere. The cuts come from one seed, printed, and
 * {@code -Dferry.seed=<seed>} replays them.
 */
final class YamuxPair implements AutoCloseable {
    /** How written bytes are cut into reads on the other side. */
    enum Chunking {
        /** One read per flushed frame. */
        AS_WRITTEN,
        /** Every byte its own read. */
        ONE_BYTE,
        /** Random cuts across frame boundaries, small and large. */
        RANDOM,
    }

    /** A bound on pump rounds, so a livelock fails the test instead of hanging it. */
    private static final int MAX_PUMP_ROUNDS = 1_000_000;

    final Peer client;
    final Peer server;
    private final Chunking chunking;
    private final long seed;
    private final Random random;

    YamuxPair(YamuxConfig config) {
        this(config, config, Chunking.AS_WRITTEN);
    }

    YamuxPair(YamuxConfig config, Chunking chunking) {
        this(config, config, chunking);
    }

    YamuxPair(YamuxConfig clientConfig, YamuxConfig serverConfig, Chunking chunking) {
        this(clientConfig, serverConfig, new InboundBudget(serverConfig.maxBufferedBytes()), chunking);
    }

    /** With the server's session drawing on {@code serverBudget}, which other sessions may share. */
    YamuxPair(YamuxConfig clientConfig, YamuxConfig serverConfig, InboundBudget serverBudget, Chunking chunking) {
        this.client = new Peer(clientConfig, new InboundBudget(clientConfig.maxBufferedBytes()), true);
        this.server = new Peer(serverConfig, serverBudget, false);
        this.chunking = chunking;
        this.seed = Long.getLong("ferry.seed", ThreadLocalRandom.current().nextLong());
        this.random = new Random(seed);
        System.out.println("YamuxPair chunking=" + chunking + " seed=" + seed + " (replay with -Dferry.seed=" + seed + ")");
    }

    /** The fixture's seeded randomness; tests draw from it too, so one seed replays a whole run. */
    Random random() {
        return random;
    }

    long seed() {
        return seed;
    }

    /** Moves bytes both ways until neither side writes anything more. */
    void pump() {
        for (int round = 0; round < MAX_PUMP_ROUNDS; round++) {
            client.channel.runPendingTasks();
            server.channel.runPendingTasks();
            if (transfer(client, server) + transfer(server, client) == 0) return;
        }
        throw new AssertionError("the sessions never went quiet (seed " + seed + ")");
    }

    /** Moves what {@code from} wrote into {@code to}; returns the number of bytes moved. */
    private int transfer(Peer from, Peer to) {
        byte[] all = from.takeOutbound();
        if (all.length == 0) return 0;
        switch (chunking) {
            case AS_WRITTEN -> deliver(to, all, 0, all.length);
            case ONE_BYTE -> {
                for (int i = 0; i < all.length; i++) deliver(to, all, i, 1);
            }
            case RANDOM -> {
                for (int i = 0; i < all.length; ) {
                    int n = Math.min(all.length - i, 1 + random.nextInt(random.nextBoolean() ? 20 : 70_000));
                    deliver(to, all, i, n);
                    i += n;
                }
            }
        }
        return all.length;
    }

    private static void deliver(Peer to, byte[] bytes, int offset, int length) {
        if (!to.channel.isOpen()) return; // the connection is gone; TCP would drop the bytes too
        ByteBuf buf = to.channel.alloc().buffer(length);
        buf.writeBytes(bytes, offset, length);
        to.channel.writeInbound(buf);
    }

    @Override
    public void close() {
        client.channel.finishAndReleaseAll();
        server.channel.finishAndReleaseAll();
    }

    /** One side: its channel, its session, and what the session told it. */
    static final class Peer implements YamuxSession.Events {
        final EmbeddedChannel channel;
        final YamuxSession session;
        /** Inbound streams in the order they were delivered. */
        final List<YamuxStream> inbound = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        /** Exceptions that reached the end of the pipeline. */
        final List<Throwable> exceptions = new ArrayList<>();
        /** Every frame this side wrote that was taken from its channel, in order. */
        final List<YamuxFrame> written = new ArrayList<>();
        /** Runs for each inbound stream, e.g. to attach a receiver. */
        Consumer<YamuxStream> onInbound = stream -> {};
        boolean allowInbound = true;

        Peer(YamuxConfig config, boolean client) {
            this(config, new InboundBudget(config.maxBufferedBytes()), client);
        }

        Peer(YamuxConfig config, InboundBudget budget, boolean client) {
            this.session = new YamuxSession(config, budget, client, this);
            this.channel = new EmbeddedChannel(session, new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    exceptions.add(cause);
                }
            });
        }

        @Override
        public boolean allowInboundStream() {
            return allowInbound;
        }

        @Override
        public void inboundStream(YamuxStream stream) {
            inbound.add(stream);
            onInbound.accept(stream);
        }

        @Override
        public void violation(String reason) {
            violations.add(reason);
        }

        /** Opens a stream, which on an embedded channel completes at once. */
        YamuxStream open() {
            CompletableFuture<YamuxStream> opened = session.openStream();
            channel.runPendingTasks();
            assertThat(opened).as("stream opened").isCompleted();
            return opened.join();
        }

        /** Hands raw bytes to the session as if the remote had sent them. */
        void receive(ByteBuf... bufs) {
            for (ByteBuf buf : bufs) channel.writeInbound(buf);
        }

        /** Frames this side wrote since the last call, decoded (also appended to {@link #written}). */
        List<YamuxFrame> takeFrames() {
            int from = written.size();
            takeOutbound();
            return List.copyOf(written.subList(from, written.size()));
        }

        /** Everything this side flushed since the last call; records its frames in {@link #written}. */
        byte[] takeOutbound() {
            byte[] all = ChannelBytes.drainOutbound(channel);
            // each write is one whole frame, so a batch of flushed writes holds whole frames only
            written.addAll(YamuxFrame.decodeAll(all));
            return all;
        }

        /** Payload bytes of the data frames this side wrote for {@code streamId}. */
        long dataBytesWritten(int streamId) {
            return written.stream()
                    .filter(f -> f.type() == YamuxFrame.DATA && f.streamId() == streamId)
                    .mapToLong(YamuxFrame::length)
                    .sum();
        }

        List<YamuxFrame> framesWritten(int type) {
            return written.stream().filter(f -> f.type() == type).toList();
        }
    }
}
