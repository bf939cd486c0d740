package dev.ferry.messenger.repair;

import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

/** What a holder's mailbox upkeep counts, under {@code ferry_messenger_}. Safe from any thread. */
public final class UpkeepMetrics {
    private final CounterDataPoint rounds;
    private final CounterDataPoint roundsSkipped;
    private final CounterDataPoint handedOver;
    private final CounterDataPoint repaired;
    private final CounterDataPoint repairsFailed;
    private final CounterDataPoint unrecoverable;
    private final CounterDataPoint acknowledged;
    private final CounterDataPoint surplusDropped;

    /** Registers the metrics in {@code metrics}. */
    public UpkeepMetrics(Metrics metrics) {
        rounds = metrics.counter("ferry_messenger_upkeep_rounds_total", "Upkeep rounds run over the mailboxes this node holds.");
        roundsSkipped = metrics.counter("ferry_messenger_upkeep_rounds_skipped_total",
                "Upkeep ticks that found the previous round still running and started none.");
        handedOver = metrics.counter("ferry_messenger_shards_handed_over_total",
                "Shards this node handed to a peer now closer to their mailbox.");
        repaired = metrics.counter("ferry_messenger_shards_repaired_total",
                "Missing shards this node rebuilt from k others and stored on a new holder.");
        repairsFailed = metrics.counter("ferry_messenger_repairs_failed_total",
                "Missing shards this node, as leader, could not rebuild or place.");
        unrecoverable = metrics.counter("ferry_messenger_envelopes_unrecoverable_total",
                "Checks that found fewer than k shards of an envelope among its mailbox's closest peers.");
        acknowledged = metrics.counter("ferry_messenger_upkeep_acks_applied_total",
                "Envelopes dropped (with a tombstone) because another holder had seen their ACK.");
        surplusDropped = metrics.counter("ferry_messenger_upkeep_surplus_dropped_total",
                "Envelopes whose shards this node dropped because the closest peers held them all.");
    }

    void round() { rounds.inc(); }
    void roundSkipped() { roundsSkipped.inc(); }
    void handedOver(int shards) { handedOver.inc(shards); }
    void repaired(int shards) { repaired.inc(shards); }
    void repairsFailed(int shards) { repairsFailed.inc(shards); }
    void unrecoverable() { unrecoverable.inc(); }
    void acknowledged() { acknowledged.inc(); }
    void surplusDropped() { surplusDropped.inc(); }

    /** Rounds run. */
    public long roundsCount() { return rounds.getLongValue(); }
    /** Ticks skipped because a round was running. */
    public long roundsSkippedCount() { return roundsSkipped.getLongValue(); }
    /** Shards handed over. */
    public long handedOverCount() { return handedOver.getLongValue(); }
    /** Shards repaired. */
    public long repairedCount() { return repaired.getLongValue(); }
    /** Repairs failed. */
    public long repairsFailedCount() { return repairsFailed.getLongValue(); }
    /** Unrecoverable envelopes seen. */
    public long unrecoverableCount() { return unrecoverable.getLongValue(); }
    /** Envelopes dropped after an ACK seen elsewhere. */
    public long acknowledgedCount() { return acknowledged.getLongValue(); }
    /** Envelopes dropped as surplus. */
    public long surplusDroppedCount() { return surplusDropped.getLongValue(); }
}
