package dev.ferry.overlay.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.overlay.yamux.InboundBudget;
import dev.ferry.overlay.yamux.YamuxConfig;
import dev.ferry.overlay.yamux.YamuxProtocol;
import dev.ferry.overlay.yamux.YamuxSession;
import dev.ferry.overlay.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Yamux frames from the remote end of a secured connection (the listener's session). Contract:
 * the session either carries on or hangs up with a violation reason; no exception reaches the
 * pipeline's end; a frame header claiming up to 4 GiB allocates nothing (data is passed on as it
 * arrives, checked against the window first); what streams hold for paused readers stays within
 * their windows; and once the connection closes, the shared budget is back to zero.
 */
class YamuxFuzzTest {
    /** Small limits, so that short inputs reach them; timers off, so that nothing runs by itself. */
    static final YamuxConfig CONFIG = new YamuxConfig(4, YamuxProtocol.INITIAL_WINDOW, YamuxProtocol.INITIAL_WINDOW,
            1024, 1024, Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO);

    /** Byte 0 picks the read size; the rest is what the dialer sends. Streams with odd ids pause their reader. */
    @FuzzTest
    void frames(byte[] input) {
        InboundBudget budget = new InboundBudget(CONFIG.maxBufferedBytes());
        List<String> violations = new ArrayList<>();
        YamuxSession session = new YamuxSession(CONFIG, budget, false, new YamuxSession.Events() {
            @Override
            public boolean allowInboundStream() {
                return true;
            }

            @Override
            public void inboundStream(YamuxStream stream) {
                if ((stream.id() & 2) != 0) stream.pauseReading();
                stream.setReceiver(new StreamReceiver() {
                    @Override
                    public void onData(Stream s, ByteBuf data) {
                        // consumed; the stream releases the buffer
                    }
                });
            }

            @Override
            public void violation(String reason) {
                violations.add(reason);
            }
        });
        EmbeddedChannel channel = new EmbeddedChannel(session);
        int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0x3F);
        for (int i = 1; i < input.length && channel.isOpen(); i += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, i, Math.min(input.length, i + chunk))));
            channel.checkException();
            if (session.streamCount() > CONFIG.maxStreams()) throw new AssertionError(session.streamCount() + " streams open");
            if (budget.used() > (long) CONFIG.maxStreams() * CONFIG.maxStreamWindow()) {
                throw new AssertionError("holding " + budget.used() + " bytes, more than the streams' windows");
            }
        }
        if (!channel.isOpen() && violations.isEmpty()) throw new AssertionError("closed without a reason");
        for (String reason : violations) {
            if (reason == null || reason.isBlank()) throw new AssertionError("violation without a reason");
        }
        channel.finishAndReleaseAll();
        if (budget.used() != 0) throw new AssertionError(budget.used() + " bytes still counted after the close");
    }
}
