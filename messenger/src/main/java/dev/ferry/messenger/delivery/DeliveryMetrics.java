package dev.ferry.messenger.delivery;

import dev.ferry.messenger.DeliveryState;
import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * What the sender's side of delivery counts, under {@code ferry_messenger_}: envelopes sent by
 * path, shards placed, retries, deliveries with their latency, expiries, and the outbox by state.
 * Safe from any thread.
 */
public final class DeliveryMetrics {
    private final Metrics metrics;
    private final CounterDataPoint sentDirect;
    private final CounterDataPoint sentStored;
    private final CounterDataPoint shardsPlaced;
    private final Counter shardsNotPlaced;
    private final CounterDataPoint retries;
    private final CounterDataPoint delivered;
    private final CounterDataPoint expired;
    private final CounterDataPoint listenerFailures;
    private final Histogram latency;

    /** Registers the metrics in {@code metrics}. */
    public DeliveryMetrics(Metrics metrics) {
        this.metrics = metrics;
        Counter sent = Counter.builder().name("ferry_messenger_envelopes_sent_total")
                .help("Envelopes that left the outbox, by path: direct to the recipient, or stored on k or more mailbox holders.")
                .labelNames("path").register(metrics.registry());
        sentDirect = sent.labelValues("direct");
        sentStored = sent.labelValues("stored");
        shardsPlaced = metrics.counter("ferry_messenger_shards_placed_total", "Shards of own envelopes a holder confirmed.");
        shardsNotPlaced = Counter.builder().name("ferry_messenger_shards_not_placed_total")
                .help("Shards of own envelopes a holder refused or did not answer for, by reason: the holder's status "
                        + "(peer_quota, mailbox_full, ...) or unreachable.")
                .labelNames("reason").register(metrics.registry());
        retries = metrics.counter("ferry_messenger_push_retries_total", "Push rounds that failed and were scheduled again.");
        delivered = metrics.counter("ferry_messenger_envelopes_delivered_total", "Own envelopes the recipient acknowledged.");
        expired = metrics.counter("ferry_messenger_envelopes_expired_total", "Own envelopes that expired unacknowledged.");
        listenerFailures = metrics.counter("ferry_messenger_listener_failures_total",
                "Delivery listeners that threw (a bug in the embedding application).");
        latency = Histogram.builder().name("ferry_messenger_delivery_latency_seconds")
                .help("From send to the recipient's acknowledgement, as the sender saw it.")
                .classicOnly().classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400)
                .register(metrics.registry());
    }

    void outboxSizes(ToIntFunction<DeliveryState> inState) {
        GaugeWithCallback.builder().name("ferry_messenger_outbox_envelopes")
                .help("Envelopes in the outbox still on their way, by state.")
                .labelNames("state")
                .callback(callback -> {
                    for (DeliveryState state : DeliveryState.values()) {
                        if (!state.isFinal()) callback.call(inState.applyAsInt(state), state.name().toLowerCase(Locale.ROOT));
                    }
                })
                .register(metrics.registry());
    }

    void sentDirect() { sentDirect.inc(); }
    void sentStored() { sentStored.inc(); }
    void shardPlaced() { shardsPlaced.inc(); }
    void shardNotPlaced(String reason) { shardsNotPlaced.labelValues(reason).inc(); }
    void pushRetried() { retries.inc(); }
    void expired() { expired.inc(); }
    void listenerFailed() { listenerFailures.inc(); }

    void delivered(Duration latencyFromSend) {
        delivered.inc();
        latency.observe(Math.max(0, latencyFromSend.toNanos()) / 1e9);
    }

    /** Envelopes sent directly, for tests and status pages. */
    public long sentDirectCount() { return sentDirect.getLongValue(); }
    /** Envelopes sent to mailbox holders. */
    public long sentStoredCount() { return sentStored.getLongValue(); }
    /** Envelopes acknowledged. */
    public long deliveredCount() { return delivered.getLongValue(); }
    /** Envelopes expired. */
    public long expiredCount() { return expired.getLongValue(); }

    /** Shards a holder refused with {@code reason} (a status in lower case, or {@code unreachable}), for tests and status pages. */
    public long shardsNotPlacedCount(String reason) { return shardsNotPlaced.labelValues(reason).getLongValue(); }
}
