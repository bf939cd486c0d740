package dev.ferry.messenger.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When to push an envelope again after a failed attempt: exponential backoff from {@code first}
 * up to {@code max}, with +/- {@code jitter} so that many senders that failed together (a holder
 * restarting) do not all come back in the same instant.
 *
 * @param first wait after the first failure
 * @param max longest wait, however many failures
 * @param jitter fraction of the wait, 0..1, added or taken at random
 */
public record RetrySchedule(Duration first, Duration max, double jitter) {
    /**
     * Ferry's default: 2 s, doubling, at most 5 minutes, +/- 20 %. A recipient or holder that is
     * back within seconds gets the envelope at once; a long outage costs one attempt per five
     * minutes per envelope.
     */
    public static final RetrySchedule DEFAULT = new RetrySchedule(Duration.ofSeconds(2), Duration.ofMinutes(5), 0.2);

    /** Checks the durations and the jitter. */
    public RetrySchedule {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero()) throw new IllegalArgumentException("first wait must be positive");
        if (max.compareTo(first) < 0) throw new IllegalArgumentException("max wait must be at least the first");
        if (!(jitter >= 0 && jitter <= 1)) throw new IllegalArgumentException("jitter must be within 0..1, got " + jitter);
    }

    /**
     * The wait after the {@code failures}-th failure in a row (1 for the first).
     *
     * @param random where the jitter comes from
     */
    public Duration delayAfter(int failures, RandomGenerator random) {
        if (failures < 1) throw new IllegalArgumentException("failures must be at least 1, got " + failures);
        long maxMillis = max.toMillis();
        // Doubling past 2^20 of anything overflows long before it matters: clamp the exponent first.
        long base = first.toMillis() << Math.min(failures - 1, 20);
        long wait = base <= 0 || base > maxMillis ? maxMillis : base;
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.max(1, Math.round(wait * factor)));
    }
}
