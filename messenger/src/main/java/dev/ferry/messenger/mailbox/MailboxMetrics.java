package dev.ferry.messenger.mailbox;

import dev.ferry.monitoring.Metrics;
import dev.ferry.store.StoreUsage;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a {@link MailboxServer} counts, registered under {@code ferry_mailbox_}; the getters read
 * the same figures, for tests and status pages. Safe from any thread. Labels are enums, so their
 * number is bounded.
 */
public final class MailboxMetrics {
    private final Map<RequestType, Map<MailboxStatus, CounterDataPoint>> requests = new EnumMap<>(RequestType.class);
    private final Map<MailboxStatus, CounterDataPoint> refused = new EnumMap<>(MailboxStatus.class);
    private final CounterDataPoint stored;
    private final CounterDataPoint handedOver;
    private final CounterDataPoint acknowledged;
    private final CounterDataPoint expired;
    private final CounterDataPoint tombstonesExpired;
    private final CounterDataPoint bundlesExpired;
    private final CounterDataPoint malformed;
    private final CounterDataPoint watchersDropped;

    // Read from the store at each scrape: the holder, the sweep and the upkeep (drops, handovers)
    // all change what is held, and a figure pushed by each of them was one forgotten push from wrong.
    private final Supplier<StoreUsage> usage;
    // Written by the server's thread, read by scrapes.
    private volatile int watchers;

    /**
     * Registers the metrics; {@code maxStoredBytes} is the store's limit on all shards together,
     * exported beside their size, and {@code usage} reads what the shards take now (one counter read).
     */
    MailboxMetrics(Metrics metrics, long maxStoredBytes, Supplier<StoreUsage> usage) {
        this.usage = usage;
        var registry = metrics.registry();
        Counter requestCounter = Counter.builder().name("ferry_mailbox_requests_total")
                .help("Requests answered by this holder, by type and status.")
                .labelNames("type", "status").register(registry);
        for (RequestType type : RequestType.values()) {
            Map<MailboxStatus, CounterDataPoint> byStatus = new EnumMap<>(MailboxStatus.class);
            for (MailboxStatus status : MailboxStatus.values()) {
                byStatus.put(status, requestCounter.labelValues(type.label(), status.label()));
            }
            requests.put(type, byStatus);
        }
        Counter refusedCounter = Counter.builder().name("ferry_mailbox_shards_refused_total")
                .help("Shards offered by STORE or HANDOVER and refused, by reason.")
                .labelNames("reason").register(registry);
        for (MailboxStatus status : MailboxStatus.values()) {
            refused.put(status, refusedCounter.labelValues(status.label()));
        }
        stored = metrics.counter("ferry_mailbox_shards_stored_total",
                "Shards newly stored (by STORE or HANDOVER; a repeated STORE of a held shard is not counted).");
        handedOver = metrics.counter("ferry_mailbox_shards_handed_over_total",
                "Shards newly stored that another holder handed over.");
        acknowledged = metrics.counter("ferry_mailbox_shards_acknowledged_total",
                "Shards deleted because their envelope was acknowledged with its secret.");
        expired = metrics.counter("ferry_mailbox_shards_expired_total", "Shards deleted by the expiry sweep.");
        tombstonesExpired = metrics.counter("ferry_mailbox_tombstones_expired_total",
                "ACK tombstones deleted by the expiry sweep.");
        bundlesExpired = metrics.counter("ferry_mailbox_prekey_bundles_expired_total",
                "Prekey bundles held for others deleted by the expiry sweep.");
        malformed = metrics.counter("ferry_mailbox_malformed_total",
                "Inbound streams reset for a message that did not decode, overran the size limit or broke the protocol.");
        watchersDropped = metrics.counter("ferry_mailbox_watchers_dropped_total",
                "Watchers closed because they did not take their notices fast enough.");
        metrics.gauge("ferry_mailbox_stored_bytes", "Shard and header bytes held for mailboxes.", () -> usageNow().bytes());
        // A constant, but exported so that "how full is the store" is one PromQL division on any node.
        metrics.gauge("ferry_mailbox_max_stored_bytes",
                "The most shard and header bytes this node holds for mailboxes in all; past it new shards are refused (total_full).",
                () -> maxStoredBytes);
        metrics.gauge("ferry_mailbox_stored_shards", "Shards held for mailboxes.", () -> usageNow().shards());
        metrics.gauge("ferry_mailbox_watchers", "Watch streams open.", () -> watchers);
    }


    // ---------------------------------------------------------------- recording (package)

    void answered(RequestType type, MailboxStatus status) {
        requests.get(type).get(status).inc();
    }

    void shardStored(boolean handover) {
        stored.inc();
        if (handover) handedOver.inc();
    }

    void shardRefused(MailboxStatus reason) {
        refused.get(reason).inc();
    }

    void acknowledged(int shards) {
        acknowledged.inc(shards);
    }

    void swept(int shards, int tombstones, int bundles) {
        expired.inc(shards);
        tombstonesExpired.inc(tombstones);
        bundlesExpired.inc(bundles);
    }

    void malformed() {
        malformed.inc();
    }

    void watcherDropped() {
        watchersDropped.inc();
    }

    /** What the shards take; nothing once the store is closed (a scrape racing the node's shutdown). */
    private StoreUsage usageNow() {
        try {
            return usage.get();
        } catch (RuntimeException closed) {
            return StoreUsage.NONE;
        }
    }

    void watchers(int open) {
        watchers = open;
    }

    // ---------------------------------------------------------------- reading

    /** Requests of {@code type} answered with {@code status}. */
    public long requests(RequestType type, MailboxStatus status) {
        return requests.get(type).get(status).getLongValue();
    }

    /** Shards newly stored. */
    public long shardsStored() {
        return stored.getLongValue();
    }

    /** Shards newly stored from a HANDOVER. */
    public long shardsHandedOver() {
        return handedOver.getLongValue();
    }

    /** Shards refused for {@code reason}. */
    public long shardsRefused(MailboxStatus reason) {
        return refused.get(reason).getLongValue();
    }

    /** Shards deleted by an ACK. */
    public long shardsAcknowledged() {
        return acknowledged.getLongValue();
    }

    /** Shards deleted by the sweep. */
    public long shardsExpired() {
        return expired.getLongValue();
    }

    /** Tombstones deleted by the sweep. */
    public long tombstonesExpired() {
        return tombstonesExpired.getLongValue();
    }

    /** Streams reset for bad input. */
    public long malformedStreams() {
        return malformed.getLongValue();
    }

    /** Watchers dropped for being slow. */
    public long watchersDropped() {
        return watchersDropped.getLongValue();
    }

    /** Shard bytes held, as of the last write. */
    public long storedBytes() {
        return usageNow().bytes();
    }

    /** Watch streams open. */
    public int watchers() {
        return watchers;
    }
}
