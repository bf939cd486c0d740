package dev.ferry.overlay.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Negotiates one connection upgrade step (security, then muxer) on a raw channel. When a protocol
 * is agreed it completes {@code result} first, so the caller can add the next handler at the end
 * of the pipeline, then removes itself and passes on any bytes the remote pipelined after the
 * negotiation. On failure it completes {@code result} exceptionally and closes the channel.
 */
public final class MultistreamHandler extends ChannelInboundHandlerAdapter {
    private final DialerNegotiation dialer;
    private final ListenerNegotiation listener;
    private final CompletableFuture<String> result;
    private ByteBuf pending;
    private boolean started;

    private MultistreamHandler(DialerNegotiation dialer, ListenerNegotiation listener, CompletableFuture<String> result) {
        this.dialer = dialer;
        this.listener = listener;
        this.result = result;
    }

    /** The dialer's handler, proposing {@code negotiation}'s protocols in order. */
    public static MultistreamHandler dialer(DialerNegotiation negotiation, CompletableFuture<String> result) {
        return new MultistreamHandler(negotiation, null, result);
    }

    /** The listener's handler. */
    public static MultistreamHandler listener(ListenerNegotiation negotiation, CompletableFuture<String> result) {
        return new MultistreamHandler(null, negotiation, result);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) start(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    /**
     * Sends the dialer's opening once: a handler added while its channel registers already active
     * (an initializer on an accepted or embedded channel) sees both handlerAdded and channelActive.
     */
    private void start(ChannelHandlerContext ctx) {
        if (dialer == null || started) return;
        started = true;
        send(ctx, dialer.start());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (result.isDone()) { // already failed; drop what the remote still sends
            in.release();
            return;
        }
        pending = pending == null ? in : ctx.alloc().compositeBuffer().addComponents(true, pending, in);
        try {
            Function<String, Negotiation> step = dialer != null ? dialer::onMessage : listener::onMessage;
            String message;
            while ((message = MultistreamCodec.read(pending)) != null) {
                Negotiation next = step.apply(message);
                if (next.isFailed()) {
                    fail(ctx, new MultistreamException(next.failure()));
                    return;
                }
                send(ctx, next);
                if (next.isDone()) {
                    finish(ctx, next.selected());
                    return;
                }
            }
        } catch (MultistreamException e) {
            fail(ctx, e);
        }
    }

    private void finish(ChannelHandlerContext ctx, String protocol) {
        ByteBuf leftover = pending;
        pending = null;
        result.complete(protocol);
        ctx.pipeline().remove(this);
        if (leftover.isReadable()) {
            ctx.fireChannelRead(leftover);
        } else {
            leftover.release();
        }
    }

    private void fail(ChannelHandlerContext ctx, Exception cause) {
        releasePending();
        result.completeExceptionally(cause);
        ctx.close();
    }

    private static void send(ChannelHandlerContext ctx, Negotiation step) {
        if (!step.send().isEmpty()) {
            ctx.writeAndFlush(MultistreamCodec.encode(ctx.alloc(), step.send().toArray(String[]::new)));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePending();
        result.completeExceptionally(new MultistreamException("connection closed during protocol negotiation"));
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePending();
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
