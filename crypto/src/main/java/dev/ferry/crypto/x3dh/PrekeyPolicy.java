package dev.ferry.crypto.x3dh;

import java.time.Duration;

/**
 * When signed prekeys rotate and how long a replaced one still answers.
 *
 * @param rotationInterval how long a signed prekey is the current one. Signal rotates weekly to
 *     bound what a stolen prekey exposes: without one-time prekeys, the signed prekey is the only
 *     ephemeral part on the recipient's side of X3DH.
 * @param gracePeriod how long a replaced prekey is kept after its successor appears, so that
 *     envelopes built on the old bundle still open. It must cover the longest an envelope can
 *     wait in a mailbox (the maximum TTL, 7 days by default) plus the time a sender may keep
 *     using a bundle it fetched before the rotation.
 */
public record PrekeyPolicy(Duration rotationInterval, Duration gracePeriod) {
    /** Weekly rotation, two weeks' grace: a week of maximum TTL plus a week of cached bundles. */
    public static final PrekeyPolicy DEFAULT = new PrekeyPolicy(Duration.ofDays(7), Duration.ofDays(14));

    /**
     * At most this many signed prekeys are kept (the current one and those in their grace
     * period), whatever the policy says, so that a misconfigured policy cannot grow the ring.
     */
    public static final int MAX_KEPT_PREKEYS = 16;

    /** How far in the future a bundle's timestamp may lie (clock skew between nodes). */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofHours(1);

    public PrekeyPolicy {
        if (rotationInterval.isNegative() || rotationInterval.isZero()) {
            throw new IllegalArgumentException("prekey rotation interval must be positive, got " + rotationInterval);
        }
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("prekey grace period must not be negative, got " + gracePeriod);
        }
    }

    /** The oldest a bundle's prekey may be and still be held by its owner. */
    public Duration maxBundleAge() {
        return rotationInterval.plus(gracePeriod);
    }
}
