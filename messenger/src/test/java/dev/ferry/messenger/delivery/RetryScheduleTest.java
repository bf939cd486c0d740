package dev.ferry.messenger.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void waitsDoubleFromTheFirstUpToTheMaximum() {
        RetrySchedule exact = new RetrySchedule(Duration.ofSeconds(2), Duration.ofSeconds(30), 0);
        assertThat(exact.delayAfter(1, random)).isEqualTo(Duration.ofSeconds(2));
        assertThat(exact.delayAfter(2, random)).isEqualTo(Duration.ofSeconds(4));
        assertThat(exact.delayAfter(4, random)).isEqualTo(Duration.ofSeconds(16));
        assertThat(exact.delayAfter(5, random)).isEqualTo(Duration.ofSeconds(30));
        assertThat(exact.delayAfter(1_000_000, random)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitterStaysWithinItsFractionAndSpreadsTheWaits() {
        RetrySchedule schedule = RetrySchedule.DEFAULT;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long wait = schedule.delayAfter(3, random).toMillis();
            min = Math.min(min, wait);
            max = Math.max(max, wait);
        }
        assertThat(min).isGreaterThanOrEqualTo(6400);
        assertThat(max).isLessThanOrEqualTo(9600);
        assertThat(max - min).isGreaterThan(2000);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new RetrySchedule(Duration.ZERO, Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofSeconds(2), Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetrySchedule.DEFAULT.delayAfter(0, random)).isInstanceOf(IllegalArgumentException.class);
    }
}
