package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.store.FerryStore;
import dev.ferry.store.ShardStore;
import java.time.Duration;
import java.util.Objects;

/**
 * What an operator may tune about the mailbox protocol; {@link #DEFAULTS} are documented on each
 * constant. Byte limits of what is stored are the store's ({@link dev.ferry.store.StoreLimits}).
 *
 * @param maxTtl the longest this holder keeps an envelope: a STORE whose expiry is later than now
 *     plus this is refused ({@link MailboxStatus#TTL_TOO_LONG})
 * @param maxCreationSkew how far in this holder's future an envelope's creation time may be
 * @param authorisationSkew how far from this holder's clock a FETCH or WATCH signature's time may be
 * @param fetchPageShards shards in one FETCH page at most (a client may ask for fewer)
 * @param fetchPageBytes shard and header bytes in one FETCH page at most (one shard always fits)
 * @param maxWatchersPerMailbox watchers of one mailbox at once
 * @param maxWatchersPerPeer watches one peer holds open here at once
 * @param maxWatchers watches open here in total
 * @param watchBacklog notices written to a watcher and not yet taken by it; one more drops it
 * @param maxPendingRequests requests accepted and not yet answered, all streams together; more are
 *     answered {@link MailboxStatus#BUSY}
 * @param heldBundleLifetime how long after its prekey's creation a held prekey bundle is kept
 * @param sweepInterval how often expired shards, tombstones and bundles are swept
 * @param sweepBatch entries deleted per sweep write
 * @param requestTimeout how long a client waits for an answer, and how long a holder waits for a
 *     dropped or refused watcher to take its last answer before it resets the stream
 * @param maxEnvelopeBytes the largest envelope (its ciphertext, as the header states it) this holder
 *     keeps a shard of; a larger one is refused ({@link MailboxStatus#TOO_LARGE})
 */
public record MailboxConfig(Duration maxTtl, Duration maxCreationSkew, Duration authorisationSkew, int fetchPageShards,
        int fetchPageBytes, int maxWatchersPerMailbox, int maxWatchersPerPeer, int maxWatchers, int watchBacklog,
        int maxPendingRequests, Duration heldBundleLifetime, Duration sweepInterval, int sweepBatch,
        Duration requestTimeout, int maxEnvelopeBytes) {
    /** 7 days: the design's default maximum TTL. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(7);

    /** 10 minutes: the envelope layer's own bound on a creation time ahead of the reader's clock. */
    public static final Duration DEFAULT_MAX_CREATION_SKEW = EnvelopeLimits.MAX_CLOCK_SKEW;

    /**
     * 5 minutes: covers ordinary clock differences between a phone and a relay, while a captured
     * signature stops working soon after (and at any other holder at once).
     */
    public static final Duration DEFAULT_AUTHORISATION_SKEW = Duration.ofMinutes(5);

    /** 256 shards: 64 envelopes of 4 + 2 per page, few round trips for a returning recipient. */
    public static final int DEFAULT_FETCH_PAGE_SHARDS = 256;

    /** 1 MiB: a page is buffered whole on both sides; well under the message limit. */
    public static final int DEFAULT_FETCH_PAGE_BYTES = 1 << 20;

    /** 4: a user's few devices may watch one mailbox; a stranger cannot hold many (it needs the key). */
    public static final int DEFAULT_MAX_WATCHERS_PER_MAILBOX = 4;

    /** 16: a peer watching its own mailbox and a handful of group mailboxes. */
    public static final int DEFAULT_MAX_WATCHERS_PER_PEER = 16;

    /** 4096: open watch streams cost a little memory each; a relay serves many recipients. */
    public static final int DEFAULT_MAX_WATCHERS = 4096;

    /** 64 notices (each a header of at most 2 KiB): a burst of 16 envelopes, no more queued. */
    public static final int DEFAULT_WATCH_BACKLOG = 64;

    /** 1024 requests waiting for the store: at a few hundred microseconds each, well under a second of work. */
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;

    /** 21 days: the prekey policy's oldest usable bundle (a week's rotation and two weeks' grace). */
    public static final Duration DEFAULT_HELD_BUNDLE_LIFETIME = PrekeyPolicy.DEFAULT.maxBundleAge();

    /** 1 minute: expired data leaves within a minute of its time, and a sweep finds little each time. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** 1000 entries: one short write, so requests are not held up behind a sweep. */
    public static final int DEFAULT_SWEEP_BATCH = 1000;

    /** 10 seconds: a store write and a round trip over a slow link, with margin. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** The defaults above. */
    public static final MailboxConfig DEFAULTS = new MailboxConfig(DEFAULT_MAX_TTL, DEFAULT_MAX_CREATION_SKEW,
            DEFAULT_AUTHORISATION_SKEW, DEFAULT_FETCH_PAGE_SHARDS, DEFAULT_FETCH_PAGE_BYTES,
            DEFAULT_MAX_WATCHERS_PER_MAILBOX, DEFAULT_MAX_WATCHERS_PER_PEER, DEFAULT_MAX_WATCHERS,
            DEFAULT_WATCH_BACKLOG, DEFAULT_MAX_PENDING_REQUESTS, DEFAULT_HELD_BUNDLE_LIFETIME, DEFAULT_SWEEP_INTERVAL,
            DEFAULT_SWEEP_BATCH, DEFAULT_REQUEST_TIMEOUT, EnvelopeLimits.MAX_CIPHERTEXT_LENGTH);

    /** Checks every value. */
    public MailboxConfig {
        positive("maxTtl", maxTtl);
        if (maxTtl.compareTo(EnvelopeLimits.MAX_TTL) > 0) {
            throw new IllegalArgumentException("maxTtl is over the envelope layer's ceiling of " + EnvelopeLimits.MAX_TTL);
        }
        positive("maxCreationSkew", maxCreationSkew);
        positive("authorisationSkew", authorisationSkew);
        positive("heldBundleLifetime", heldBundleLifetime);
        positive("sweepInterval", sweepInterval);
        positive("requestTimeout", requestTimeout);
        range("fetchPageShards", fetchPageShards, ShardStore.MAX_LIST);
        range("fetchPageBytes", fetchPageBytes, MailboxLimits.MAX_MESSAGE_BYTES - MailboxLimits.MESSAGE_OVERHEAD_BYTES);
        range("maxWatchersPerMailbox", maxWatchersPerMailbox, Integer.MAX_VALUE);
        range("maxWatchersPerPeer", maxWatchersPerPeer, Integer.MAX_VALUE);
        range("maxWatchers", maxWatchers, Integer.MAX_VALUE);
        range("watchBacklog", watchBacklog, Integer.MAX_VALUE);
        range("maxPendingRequests", maxPendingRequests, Integer.MAX_VALUE);
        range("sweepBatch", sweepBatch, FerryStore.MAX_SWEEP_BATCH);
        range("maxEnvelopeBytes", maxEnvelopeBytes, EnvelopeLimits.MAX_CIPHERTEXT_LENGTH);
    }

    /** These settings with another largest envelope. */
    public MailboxConfig withMaxEnvelopeBytes(int value) {
        return new MailboxConfig(maxTtl, maxCreationSkew, authorisationSkew, fetchPageShards, fetchPageBytes,
                maxWatchersPerMailbox, maxWatchersPerPeer, maxWatchers, watchBacklog, maxPendingRequests,
                heldBundleLifetime, sweepInterval, sweepBatch, requestTimeout, value);
    }

    /** These settings with another maximum TTL. */
    public MailboxConfig withMaxTtl(Duration value) {
        return new MailboxConfig(value, maxCreationSkew, authorisationSkew, fetchPageShards, fetchPageBytes,
                maxWatchersPerMailbox, maxWatchersPerPeer, maxWatchers, watchBacklog, maxPendingRequests,
                heldBundleLifetime, sweepInterval, sweepBatch, requestTimeout, maxEnvelopeBytes);
    }

    /** These settings with other watcher bounds. */
    public MailboxConfig withWatchers(int perMailbox, int perPeer, int total, int backlog) {
        return new MailboxConfig(maxTtl, maxCreationSkew, authorisationSkew, fetchPageShards, fetchPageBytes,
                perMailbox, perPeer, total, backlog, maxPendingRequests, heldBundleLifetime, sweepInterval, sweepBatch,
                requestTimeout, maxEnvelopeBytes);
    }

    /** These settings with other FETCH page bounds. */
    public MailboxConfig withFetchPage(int shards, int bytes) {
        return new MailboxConfig(maxTtl, maxCreationSkew, authorisationSkew, shards, bytes, maxWatchersPerMailbox,
                maxWatchersPerPeer, maxWatchers, watchBacklog, maxPendingRequests, heldBundleLifetime, sweepInterval,
                sweepBatch, requestTimeout, maxEnvelopeBytes);
    }

    /** These settings with another sweep interval and batch. */
    public MailboxConfig withSweep(Duration interval, int batch) {
        return new MailboxConfig(maxTtl, maxCreationSkew, authorisationSkew, fetchPageShards, fetchPageBytes,
                maxWatchersPerMailbox, maxWatchersPerPeer, maxWatchers, watchBacklog, maxPendingRequests,
                heldBundleLifetime, interval, batch, requestTimeout, maxEnvelopeBytes);
    }

    /** These settings with another client request timeout. */
    public MailboxConfig withRequestTimeout(Duration value) {
        return new MailboxConfig(maxTtl, maxCreationSkew, authorisationSkew, fetchPageShards, fetchPageBytes,
                maxWatchersPerMailbox, maxWatchersPerPeer, maxWatchers, watchBacklog, maxPendingRequests,
                heldBundleLifetime, sweepInterval, sweepBatch, value, maxEnvelopeBytes);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void range(String name, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(name + " must be 1.." + max + ", got " + value);
        }
    }
}
