package dev.ferry.messenger.delivery;

import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;

/** What the recipient's side counts under {@code ferry_messenger_}: envelopes received by result, messages delivered. */
public final class IntakeMetrics {
    private final CounterDataPoint delivered;
    private final CounterDataPoint duplicates;
    private final CounterDataPoint refused;
    private final CounterDataPoint messages;
    private final CounterDataPoint listenerFailures;

    /** Registers the metrics in {@code metrics}. */
    public IntakeMetrics(Metrics metrics) {
        Counter received = Counter.builder().name("ferry_messenger_envelopes_received_total")
                .help("Envelopes for this node, by result: delivered, duplicate (delivered before), refused (did not open or was a replay).")
                .labelNames("result").register(metrics.registry());
        delivered = received.labelValues("delivered");
        duplicates = received.labelValues("duplicate");
        refused = received.labelValues("refused");
        messages = metrics.counter("ferry_messenger_messages_delivered_total", "Messages handed to the application, each once.");
        listenerFailures = metrics.counter("ferry_messenger_message_listener_failures_total",
                "Message listeners that threw (a bug in the embedding application).");
    }

    void delivered(int messageCount) {
        delivered.inc();
        messages.inc(messageCount);
    }

    void duplicate() { duplicates.inc(); }
    void refused() { refused.inc(); }
    void listenerFailed() { listenerFailures.inc(); }

    /** Messages handed to the application. */
    public long messagesDelivered() { return messages.getLongValue(); }
    /** Envelopes refused. */
    public long envelopesRefused() { return refused.getLongValue(); }
    /** Copies of delivered envelopes. */
    public long duplicates() { return duplicates.getLongValue(); }
}
