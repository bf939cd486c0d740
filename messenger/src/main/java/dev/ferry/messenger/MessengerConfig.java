package dev.ferry.messenger;

import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.messenger.delivery.RetrySchedule;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.erasure.ErasureParameters;
import java.time.Duration;
import java.util.Objects;

/**
 * How one node delivers, holds and fetches messages. Every field has a default chosen for a
 * personal node or a small relay on an ordinary connection; {@link #defaults()} gives them all.
 *
 * @param maxTtl longest an envelope may live, as sender and as holder; holders refuse a longer one
 * @param ttl how long this node's own envelopes live
 * @param erasure k data + m parity shards per stored envelope
 * @param directTimeout how long a send waits for the recipient to answer directly before the
 *     envelope goes to the mailbox holders
 * @param retry when the outbox pushes a failed envelope again
 * @param fetchInterval how often a node fetches its mailbox even without a WATCH push (pushes
 *     are lost when a holder restarts)
 * @param acknowledgementCheck how often the sender asks a holder whether a stored envelope was acknowledged
 * @param repairInterval how often a holder checks each mailbox it serves for handover and repair
 * @param sweepInterval how often expired shards, tombstones and outbox entries are deleted
 * @param storeLimits what this node holds for others
 * @param prekeys signed prekey rotation and grace
 * @param maxEnvelopeBytes the largest envelope (sealed ciphertext) this node sends or holds a shard of
 *     for others; at most {@link EnvelopeLimits#MAX_CIPHERTEXT_LENGTH}, the default (the envelope
 *     layer's own ceiling, which bounds what the node takes for itself)
 */
public record MessengerConfig(
        Duration maxTtl,
        Duration ttl,
        ErasureParameters erasure,
        Duration directTimeout,
        RetrySchedule retry,
        Duration fetchInterval,
        Duration acknowledgementCheck,
        Duration repairInterval,
        Duration sweepInterval,
        StoreLimits storeLimits,
        PrekeyPolicy prekeys,
        int maxEnvelopeBytes) {
    /** Seven days: a week away from the network is the longest absence Ferry is built for. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(7);
    /**
     * Two seconds: an online recipient answers within a round trip or two; waiting longer only
     * delays the store-and-forward path for one who is not there.
     */
    public static final Duration DEFAULT_DIRECT_TIMEOUT = Duration.ofSeconds(2);
    /** A minute: WATCH pushes do the fast path; the poll only covers pushes lost to restarts. */
    public static final Duration DEFAULT_FETCH_INTERVAL = Duration.ofMinutes(1);
    /** Thirty seconds: the sender's "delivered" shows up within that of the recipient's ACK. */
    public static final Duration DEFAULT_ACKNOWLEDGEMENT_CHECK = Duration.ofSeconds(30);
    /** Ten minutes: routing changes slowly, and a repair costs k shard transfers. */
    public static final Duration DEFAULT_REPAIR_INTERVAL = Duration.ofMinutes(10);
    /** A minute: expired data goes within a minute of its expiry. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** Checks every field. */
    public MessengerConfig {
        positive(maxTtl, "maxTtl");
        positive(ttl, "ttl");
        if (ttl.compareTo(maxTtl) > 0) throw new IllegalArgumentException("ttl " + ttl + " is longer than maxTtl " + maxTtl);
        Objects.requireNonNull(erasure, "erasure");
        positive(directTimeout, "directTimeout");
        Objects.requireNonNull(retry, "retry");
        positive(fetchInterval, "fetchInterval");
        positive(acknowledgementCheck, "acknowledgementCheck");
        positive(repairInterval, "repairInterval");
        positive(sweepInterval, "sweepInterval");
        Objects.requireNonNull(storeLimits, "storeLimits");
        Objects.requireNonNull(prekeys, "prekeys");
        if (maxEnvelopeBytes < 1 || maxEnvelopeBytes > EnvelopeLimits.MAX_CIPHERTEXT_LENGTH) {
            throw new IllegalArgumentException("maxEnvelopeBytes must be in 1.." + EnvelopeLimits.MAX_CIPHERTEXT_LENGTH + ", got "
                    + maxEnvelopeBytes);
        }
    }

    /** Every default. */
    public static MessengerConfig defaults() {
        return new MessengerConfig(DEFAULT_MAX_TTL, DEFAULT_MAX_TTL, ErasureParameters.DEFAULT, DEFAULT_DIRECT_TIMEOUT,
                RetrySchedule.DEFAULT, DEFAULT_FETCH_INTERVAL, DEFAULT_ACKNOWLEDGEMENT_CHECK, DEFAULT_REPAIR_INTERVAL,
                DEFAULT_SWEEP_INTERVAL, StoreLimits.DEFAULTS, PrekeyPolicy.DEFAULT, EnvelopeLimits.MAX_CIPHERTEXT_LENGTH);
    }

    /** This configuration with envelopes living {@code newTtl} (and at most that long on this node as a holder). */
    public MessengerConfig withTtl(Duration newTtl) {
        return new MessengerConfig(newTtl.compareTo(maxTtl) > 0 ? newTtl : maxTtl, newTtl, erasure, directTimeout, retry,
                fetchInterval, acknowledgementCheck, repairInterval, sweepInterval, storeLimits, prekeys, maxEnvelopeBytes);
    }

    /** This configuration with other store limits. */
    public MessengerConfig withStoreLimits(StoreLimits limits) {
        return new MessengerConfig(maxTtl, ttl, erasure, directTimeout, retry, fetchInterval, acknowledgementCheck,
                repairInterval, sweepInterval, limits, prekeys, maxEnvelopeBytes);
    }

    /** This configuration with other intervals, for tests and demos that cannot wait minutes. */
    public MessengerConfig withIntervals(Duration fetch, Duration acknowledgement, Duration repair, Duration sweep) {
        return new MessengerConfig(maxTtl, ttl, erasure, directTimeout, retry, fetch, acknowledgement, repair, sweep,
                storeLimits, prekeys, maxEnvelopeBytes);
    }

    /** This configuration with another retry schedule and direct timeout. */
    public MessengerConfig withRetry(RetrySchedule schedule, Duration direct) {
        return new MessengerConfig(maxTtl, ttl, erasure, direct == null ? directTimeout : direct, schedule, fetchInterval,
                acknowledgementCheck, repairInterval, sweepInterval, storeLimits, prekeys, maxEnvelopeBytes);
    }

    /** This configuration with another largest envelope, sent or held. */
    public MessengerConfig withMaxEnvelopeBytes(int value) {
        return new MessengerConfig(maxTtl, ttl, erasure, directTimeout, retry, fetchInterval, acknowledgementCheck,
                repairInterval, sweepInterval, storeLimits, prekeys, value);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
}
