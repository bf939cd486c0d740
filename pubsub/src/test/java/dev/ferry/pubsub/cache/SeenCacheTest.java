package dev.ferry.pubsub.cache;

import dev.ferry.pubsub.message.MessageId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeenCacheTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static MessageId id(String name) {
        return MessageId.of(name.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRememberAnIdForTwoMinutesByDefault() {
        SeenCache seen = new SeenCache();

        assertThat(seen.add(id("m"), T0)).isTrue();
        assertThat(seen.add(id("m"), T0.plusSeconds(1))).isFalse();
        assertThat(seen.contains(id("m"), T0.plusSeconds(119))).isTrue();
        assertThat(seen.contains(id("m"), T0.plusSeconds(120))).isFalse();
        assertThat(seen.contains(id("other"), T0)).isFalse();
    }

    @Test
    void shouldCountAnIdAsNewAgainOnceItsTtlHasRunOut() {
        SeenCache seen = new SeenCache(Duration.ofSeconds(10), 100);
        seen.add(id("m"), T0);

        assertThat(seen.add(id("m"), T0.plusSeconds(10))).isTrue();
        assertThat(seen.contains(id("m"), T0.plusSeconds(19))).isTrue();
    }

    @Test
    void shouldNotExtendTheTtlWhenAnIdIsSeenAgain() {
        SeenCache seen = new SeenCache(Duration.ofSeconds(10), 100);
        seen.add(id("m"), T0);
        seen.add(id("m"), T0.plusSeconds(9));

        assertThat(seen.contains(id("m"), T0.plusSeconds(10))).isFalse();
    }

    @Test
    void shouldPruneExpiredIds() {
        SeenCache seen = new SeenCache(Duration.ofSeconds(10), 100);
        seen.add(id("a"), T0);
        seen.add(id("b"), T0.plusSeconds(5));

        seen.prune(T0.plusSeconds(12));

        assertThat(seen.size()).isEqualTo(1);
        assertThat(seen.contains(id("b"), T0.plusSeconds(12))).isTrue();
    }

    @Test
    void shouldForgetTheOldestIdEarlyWhenTheBoundIsReached() {
        SeenCache seen = new SeenCache(Duration.ofMinutes(2), 3);
        seen.add(id("a"), T0);
        seen.add(id("b"), T0.plusSeconds(1));
        seen.add(id("c"), T0.plusSeconds(2));

        seen.add(id("d"), T0.plusSeconds(3));

        assertThat(seen.size()).isEqualTo(3);
        assertThat(seen.contains(id("a"), T0.plusSeconds(3))).isFalse();
        assertThat(seen.contains(id("d"), T0.plusSeconds(3))).isTrue();
        assertThat(seen.evictedEarly()).isEqualTo(1);
    }

    @Test
    void shouldStayWithinItsBoundUnderAFlood() {
        SeenCache seen = new SeenCache(Duration.ofMinutes(2), 1000);
        for (int i = 0; i < 50_000; i++) seen.add(id("m" + i), T0.plusMillis(i));

        assertThat(seen.size()).isEqualTo(1000);
        assertThat(seen.contains(id("m49999"), T0.plusSeconds(50))).isTrue();
    }

    @Test
    void shouldRejectAnInvalidTtlOrBound() {
        assertThatThrownBy(() -> new SeenCache(Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SeenCache(Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
