package dev.ferry.overlay.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class YamuxKeepAliveAndBudgetTest {
    private static final YamuxConfig PING_EVERY_SECOND = YamuxConfig.DEFAULTS.withKeepAliveInterval(Duration.ofSeconds(1));
    private static final int KIB = 1024;
    /** Small caps: 256 KiB per connection, so that two connections can exceed a 384 KiB host budget. */
    private static final YamuxConfig SMALL_BUFFERS = new YamuxConfig(16, YamuxProtocol.INITIAL_WINDOW, 256 * KIB,
            256 * KIB, 16 * KIB, Duration.ofSeconds(30));

    private final List<YamuxPair> pairs = new ArrayList<>();

    @AfterEach
    void close() {
        pairs.forEach(YamuxPair::close);
    }

    private YamuxPair pair(YamuxPair p) {
        pairs.add(p);
        return p;
    }

    @Test
    void shouldKeepAConnectionWhosePeerAnswersItsKeepAlivePings() {
        YamuxPair pair = pair(new YamuxPair(PING_EVERY_SECOND));
        pair.client.channel.freezeTime();

        for (int i = 0; i < 3; i++) {
            pair.client.channel.advanceTimeBy(1, TimeUnit.SECONDS);
            pair.client.channel.runScheduledPendingTasks();
            pair.pump();
        }

        assertThat(pair.client.channel.isActive()).isTrue();
        assertThat(pair.client.framesWritten(YamuxFrame.PING)).hasSize(3)
                .allMatch(f -> f.flags() == YamuxFrame.SYN);
    }

    @Test
    void shouldCloseAConnectionWhosePeerLeavesAKeepAlivePingUnanswered() {
        YamuxPair pair = pair(new YamuxPair(PING_EVERY_SECOND));
        pair.client.channel.freezeTime();
        pair.client.channel.advanceTimeBy(1, TimeUnit.SECONDS);
        pair.client.channel.runScheduledPendingTasks();
        assertThat(pair.client.takeFrames()).singleElement().extracting(YamuxFrame::type).isEqualTo(YamuxFrame.PING);

        // the ping is lost: the server never sees it
        pair.client.channel.advanceTimeBy(1, TimeUnit.SECONDS);
        pair.client.channel.runScheduledPendingTasks();

        assertThat(pair.client.channel.isActive()).isFalse();
        assertThat(pair.client.violations).as("a silent path is not the peer's misbehaviour").isEmpty();
    }

    @Test
    void shouldNotSendKeepAlivesWhenTurnedOff() {
        YamuxPair pair = pair(new YamuxPair(PING_EVERY_SECOND.withKeepAliveInterval(Duration.ZERO).withIdleTimeout(Duration.ZERO)));
        pair.client.channel.freezeTime();
        pair.client.channel.advanceTimeBy(1, TimeUnit.HOURS);
        pair.client.channel.runScheduledPendingTasks();

        assertThat(pair.client.takeFrames()).isEmpty();
        assertThat(pair.client.channel.isActive()).isTrue();
    }

    @Test
    void shouldStopReadingWhenConnectionsTogetherHoldMoreThanTheHostBudget() {
        InboundBudget host = new InboundBudget(384 * KIB);
        YamuxPair first = pair(new YamuxPair(SMALL_BUFFERS, SMALL_BUFFERS, host, YamuxPair.Chunking.AS_WRITTEN));
        YamuxPair second = pair(new YamuxPair(SMALL_BUFFERS, SMALL_BUFFERS, host, YamuxPair.Chunking.AS_WRITTEN));

        // 200 KiB on each connection for streams without a receiver: under each connection's cap
        YamuxStream a = first.client.open();
        a.write(Unpooled.wrappedBuffer(new byte[200 * KIB]));
        first.pump();
        assertThat(first.server.channel.config().isAutoRead()).isTrue();
        YamuxStream b = second.client.open();
        b.write(Unpooled.wrappedBuffer(new byte[200 * KIB]));
        second.pump();

        assertThat(host.used()).isEqualTo(400 * KIB);
        assertThat(second.server.channel.config().isAutoRead()).as("over the host budget").isFalse();

        // a reader on the first connection drains it; the second may read again
        first.server.inbound.getFirst().setReceiver((stream, data) -> { });
        first.server.channel.runPendingTasks();
        second.server.channel.runPendingTasks();

        assertThat(host.used()).isEqualTo(200 * KIB);
        assertThat(second.server.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void shouldGiveTheBudgetBackWhenAConnectionCloses() {
        InboundBudget host = new InboundBudget(1024 * KIB);
        YamuxPair pair = pair(new YamuxPair(SMALL_BUFFERS, SMALL_BUFFERS, host, YamuxPair.Chunking.AS_WRITTEN));
        pair.client.open().write(Unpooled.wrappedBuffer(new byte[100 * KIB]));
        pair.pump();
        assertThat(host.used()).isEqualTo(100 * KIB);

        pair.server.channel.close();

        assertThat(host.used()).isZero();
    }
}
