package dev.ferry.messenger.repair;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how much a holder's {@link MailboxUpkeep} works. Every round is bounded three
 * ways (mailboxes, envelopes, requests), so that a holder serving many mailboxes spreads its
 * upkeep over several rounds instead of flooding its neighbours once an interval.
 *
 * @param interval time between the end of one round and the start of the next
 * @param mailboxesPerRound mailboxes walked per round (each costs one closest-peers lookup)
 * @param envelopesPerRound envelopes checked per round (each costs up to 2n HAS requests)
 * @param requestsPerRound mailbox requests sent per round (HAS, shard fetches, STOREs, HANDOVERs)
 * @param recheckAfter how long an envelope found complete (or unrecoverable) is not asked about again, as long as
 *     its mailbox's closest peers stay the same
 * @param rememberedEnvelopes how many such envelopes are remembered; the oldest are forgotten first
 */
public record UpkeepConfig(Duration interval, int mailboxesPerRound, int envelopesPerRound, int requestsPerRound,
        Duration recheckAfter, int rememberedEnvelopes) {
    /** Ten minutes: a holder that left is noticed well within an envelope's days-long life, at little cost. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    /** A lookup each: 64 lookups per ten minutes is light next to the DHT's own refresh. */
    public static final int DEFAULT_MAILBOXES_PER_ROUND = 64;
    /** 256 envelopes: with 4 + 2 shards, about 1,300 HAS requests in the worst case. */
    public static final int DEFAULT_ENVELOPES_PER_ROUND = 256;
    /** 2,048 requests: at most a few per second over a ten-minute interval. */
    public static final int DEFAULT_REQUESTS_PER_ROUND = 2048;
    /** An hour: a complete envelope rarely breaks sooner, and six rounds go by without asking. */
    public static final Duration DEFAULT_RECHECK_AFTER = Duration.ofHours(1);
    /** 100,000 ids at roughly 100 bytes each: about 10 MB at most. */
    public static final int DEFAULT_REMEMBERED_ENVELOPES = 100_000;

    /** The defaults above. */
    public static final UpkeepConfig DEFAULTS = new UpkeepConfig(DEFAULT_INTERVAL, DEFAULT_MAILBOXES_PER_ROUND,
            DEFAULT_ENVELOPES_PER_ROUND, DEFAULT_REQUESTS_PER_ROUND, DEFAULT_RECHECK_AFTER, DEFAULT_REMEMBERED_ENVELOPES);

    /** Checks the values. */
    public UpkeepConfig {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(recheckAfter, "recheckAfter");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        if (recheckAfter.isNegative()) throw new IllegalArgumentException("recheckAfter must not be negative");
        if (mailboxesPerRound < 1 || mailboxesPerRound > dev.ferry.store.ShardStore.MAX_LIST) {
            throw new IllegalArgumentException("mailboxesPerRound must be 1.." + dev.ferry.store.ShardStore.MAX_LIST);
        }
        if (envelopesPerRound < 1) throw new IllegalArgumentException("envelopesPerRound must be positive");
        if (requestsPerRound < 1) throw new IllegalArgumentException("requestsPerRound must be positive");
        if (rememberedEnvelopes < 0) throw new IllegalArgumentException("rememberedEnvelopes must not be negative");
    }

    public UpkeepConfig withInterval(Duration value) {
        return new UpkeepConfig(value, mailboxesPerRound, envelopesPerRound, requestsPerRound, recheckAfter, rememberedEnvelopes);
    }

    public UpkeepConfig withRoundLimits(int mailboxes, int envelopes, int requests) {
        return new UpkeepConfig(interval, mailboxes, envelopes, requests, recheckAfter, rememberedEnvelopes);
    }

    public UpkeepConfig withRecheckAfter(Duration value) {
        return new UpkeepConfig(interval, mailboxesPerRound, envelopesPerRound, requestsPerRound, value, rememberedEnvelopes);
    }
}
