package dev.ferry.pubsub.score;

import java.time.Duration;
import java.util.Objects;

/** The argument checks the parameter records share, each failing with a message naming the field. */
final class ScoreChecks {
    private ScoreChecks() {}

    static void finite(String name, double value) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException(name + " must be finite, got " + value);
    }

    static void atLeastZero(String name, double value) {
        finite(name, value);
        if (value < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }

    static void atMostZero(String name, double value) {
        finite(name, value);
        if (value > 0) throw new IllegalArgumentException(name + " must be <= 0, got " + value);
    }

    static void positive(String name, double value) {
        finite(name, value);
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }

    /** A decay factor: multiplied into a counter every decay interval, so it must shrink it. */
    static void inDecayRange(String name, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1), got " + value);
        }
    }

    static void notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }

    static void atLeast(String name, Duration value, Duration min) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }
}
