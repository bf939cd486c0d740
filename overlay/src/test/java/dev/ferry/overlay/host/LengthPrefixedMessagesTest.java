package dev.ferry.overlay.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Direction;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageReceiver}, the framing every length-prefixed protocol reads with. (It lives in
 * {@code framing}; its tests live here, beside the host tests that found what it must not do.)
 */
class LengthPrefixedMessagesTest {
    private static final int LIMIT = 1000;

    private final FakeStream stream = new FakeStream();
    private final Collecting receiver = new Collecting(LIMIT);

    @Test
    void shouldDeliverManyMessagesThatArriveInOneChunk() {
        receiver.onData(stream, encoded("one", "two", "three"));

        assertThat(receiver.messages).containsExactly("one", "two", "three");
        assertThat(receiver.idle()).isTrue();
    }

    @Test
    void shouldDeliverAMessageThatArrivesOneByteAtATime() {
        byte[] bytes = ByteBufUtil.getBytes(encoded("x".repeat(300), "y"));

        for (byte b : bytes) receiver.onData(stream, Unpooled.wrappedBuffer(new byte[] {b}));

        assertThat(receiver.messages).containsExactly("x".repeat(300), "y");
        assertThat(receiver.idle()).isTrue();
    }

    @Test
    void shouldDeliverMessagesCutAcrossChunksAnywhere() {
        byte[] bytes = ByteBufUtil.getBytes(encoded("alpha", "", "gamma".repeat(50), "delta"));
        for (int cut = 0; cut <= bytes.length; cut++) {
            Collecting fresh = new Collecting(LIMIT);
            fresh.onData(stream, Unpooled.wrappedBuffer(bytes, 0, cut));
            fresh.onData(stream, Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            assertThat(fresh.messages).as("cut at %d", cut).containsExactly("alpha", "", "gamma".repeat(50), "delta");
        }
    }

    @Test
    void shouldKeepAPartialMessageAsACopyNotAsAViewOfTheBufferItCameIn() {
        ByteBuf frame = Unpooled.buffer(64 * 1024).writeBytes(new byte[] {10, 'a'}).writeZero(64 * 1024 - 2);
        ByteBuf twoBytes = frame.retainedSlice(0, 2);

        receiver.onData(stream, twoBytes);
        twoBytes.release(); // as the stream does once onData returns

        assertThat(frame.refCnt()).as("nothing holds the frame but its owner").isEqualTo(1);
        assertThat(receiver.idle()).isFalse();
        frame.release();
    }

    @Test
    void shouldResetOnALengthOverTheLimitBeforeBufferingIt() {
        ByteBuf prefix = Unpooled.buffer();
        prefix.writeByte(0xE9).writeByte(0x07); // 1001

        receiver.onData(stream, prefix);

        assertThat(stream.resets).isEqualTo(1);
        assertThat(receiver.malformed).contains("exceeds the limit of " + LIMIT);
        assertThat(receiver.idle()).isTrue();
    }

    @Test
    void shouldAcceptAMessageOfExactlyTheLimit() {
        receiver.onData(stream, encoded("z".repeat(LIMIT)));

        assertThat(receiver.messages).containsExactly("z".repeat(LIMIT));
        assertThat(stream.resets).isZero();
    }

    @Test
    void shouldResetOnALengthPrefixThatNeverEnds() {
        receiver.onData(stream, Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80}));

        assertThat(receiver.malformed).contains("prefix is too long");
    }

    @Test
    void shouldReadNothingMoreOnceMalformed() {
        receiver.onData(stream, Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x7F}));

        receiver.onData(stream, encoded("late"));

        assertThat(receiver.messages).isEmpty();
        assertThat(stream.resets).isEqualTo(1);
    }

    @Test
    void shouldStopAtOnceWhenAMessageClosesTheStream() {
        Collecting closing = new Collecting(LIMIT) {
            @Override
            protected void onMessage(Stream s, ByteBuf message) {
                super.onMessage(s, message);
                onClosed(s, null);
            }
        };

        closing.onData(stream, encoded("first", "second"));

        assertThat(closing.messages).containsExactly("first");
        assertThat(closing.idle()).isTrue();
    }

    @Test
    void shouldForgetAPartialMessageWhenTheStreamCloses() {
        receiver.onData(stream, Unpooled.wrappedBuffer(new byte[] {5, 'a', 'b'}));

        receiver.onClosed(stream, null);

        assertThat(receiver.idle()).isTrue();
    }

    private static ByteBuf encoded(String... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String m : messages) {
            ByteBuf one = LengthPrefixed.encode(ByteBufAllocator.DEFAULT, m.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.writeBytes(ByteBufUtil.getBytes(one));
            one.release();
        }
        return Unpooled.wrappedBuffer(out.toByteArray());
    }

    private static class Collecting extends MessageReceiver {
        final List<String> messages = new ArrayList<>();
        String malformed;

        Collecting(int limit) {
            super(limit);
        }

        @Override
        protected void onMessage(Stream s, ByteBuf message) {
            messages.add(message.toString(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        protected void onMalformed(Stream s, String reason) {
            malformed = reason;
            super.onMalformed(s, reason);
        }

        boolean idle() {
            return isIdle();
        }
    }

    /** Only what a receiver may call: reset. */
    private static final class FakeStream implements Stream {
        int resets;

        @Override public String protocol() { return "/test/1.0.0"; }
        @Override public Connection connection() { throw new AssertionError("a message receiver must not need the connection"); }
        @Override public Direction direction() { return Direction.INBOUND; }
        @Override public void setReceiver(StreamReceiver receiver) { }
        @Override public CompletableFuture<Void> write(ByteBuf data) { data.release(); return CompletableFuture.completedFuture(null); }
        @Override public CompletableFuture<Void> closeWrite() { return CompletableFuture.completedFuture(null); }
        @Override public void reset() { resets++; }
        @Override public void pauseReading() { }
        @Override public void resumeReading() { }
        @Override public void keepConnectionOpen(boolean keep) { }
        @Override public CompletableFuture<Void> closeFuture() { return new CompletableFuture<>(); }
    }
}
