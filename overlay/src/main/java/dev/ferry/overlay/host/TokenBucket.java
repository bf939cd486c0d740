package dev.ferry.overlay.host;

/**
 * A token bucket: {@code ratePerSecond} tokens a second up to {@code capacity}. Not thread-safe;
 * the caller owns it and passes the time in.
 */
final class TokenBucket {
    private final double ratePerMilli;
    private final double capacity;
    private double tokens;
    private long lastMillis;

    TokenBucket(int ratePerSecond, int capacity, long nowMillis) {
        this.ratePerMilli = ratePerSecond / 1000.0;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastMillis = nowMillis;
    }

    /** Takes one token if there is one. */
    boolean tryTake(long nowMillis) {
        if (nowMillis > lastMillis) {
            tokens = Math.min(capacity, tokens + (nowMillis - lastMillis) * ratePerMilli);
            lastMillis = nowMillis;
        }
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }

    /** True when the bucket is full, i.e. nothing would be lost by forgetting it. */
    boolean isFull(long nowMillis) {
        return tokens + Math.max(0, nowMillis - lastMillis) * ratePerMilli >= capacity;
    }
}
