package dev.ferry.overlay.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long START = 1_000_000;

    @Test
    void shouldStartFullAndRefuseOnceEmpty() {
        TokenBucket bucket = new TokenBucket(10, 5, START);

        for (int i = 0; i < 5; i++) assertThat(bucket.tryTake(START)).as("token %d", i).isTrue();

        assertThat(bucket.tryTake(START)).isFalse();
        assertThat(bucket.tryTake(START)).isFalse();
    }

    @Test
    void shouldRefillAtTheRateEvenInFractions() {
        TokenBucket bucket = new TokenBucket(10, 5, START);
        drain(bucket, START);

        assertThat(bucket.tryTake(START + 50)).as("half a token").isFalse();
        assertThat(bucket.tryTake(START + 100)).as("one token after 100 ms").isTrue();
        assertThat(bucket.tryTake(START + 100)).isFalse();
        assertThat(bucket.tryTake(START + 300)).isTrue();
        assertThat(bucket.tryTake(START + 300)).isTrue();
        assertThat(bucket.tryTake(START + 300)).isFalse();
    }

    @Test
    void shouldNeverHoldMoreThanItsCapacity() {
        TokenBucket bucket = new TokenBucket(10, 5, START);
        drain(bucket, START);

        long anHourLater = START + 3_600_000;

        assertThat(drain(bucket, anHourLater)).isEqualTo(5);
    }

    @Test
    void shouldIgnoreAClockThatGoesBack() {
        TokenBucket bucket = new TokenBucket(10, 5, START);
        drain(bucket, START);

        assertThat(bucket.tryTake(START - 10_000)).isFalse();
        assertThat(bucket.tryTake(START + 100)).isTrue();
    }

    @Test
    void shouldSayWhenItIsFull() {
        TokenBucket bucket = new TokenBucket(10, 5, START);
        assertThat(bucket.isFull(START)).isTrue();

        bucket.tryTake(START);

        assertThat(bucket.isFull(START)).isFalse();
        assertThat(bucket.isFull(START + 99)).isFalse();
        assertThat(bucket.isFull(START + 100)).isTrue();
    }

    /** Takes every token there is at {@code now}; returns how many. */
    private static int drain(TokenBucket bucket, long now) {
        int taken = 0;
        while (bucket.tryTake(now)) taken++;
        return taken;
    }
}
