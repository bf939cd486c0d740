package dev.ferry.messenger.group;

import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Groups} counts, registered under {@code ferry_group_}: refusals by reason, events by
 * kind, group messages encrypted and read. Labels are enums, so bounded. Safe from any thread.
 */
public final class GroupMetrics {
    private final Map<GroupRefusal.Reason, CounterDataPoint> refusals = new EnumMap<>(GroupRefusal.Reason.class);
    private final Map<GroupEvent, CounterDataPoint> events = new EnumMap<>(GroupEvent.class);
    private final CounterDataPoint encrypted;
    private final CounterDataPoint decrypted;

    public GroupMetrics(Metrics metrics) {
        Counter refusalCounter = Counter.builder().name("ferry_group_refusals_total")
                .help("Group operations, control messages, group messages and stored states refused, by reason.")
                .labelNames("reason").register(metrics.registry());
        for (GroupRefusal.Reason reason : GroupRefusal.Reason.values()) {
            refusals.put(reason, refusalCounter.labelValues(reason.name().toLowerCase(Locale.ROOT)));
        }
        Counter eventCounter = Counter.builder().name("ferry_group_events_total")
                .help("Group changes made or taken from control messages, by kind.")
                .labelNames("event").register(metrics.registry());
        for (GroupEvent event : GroupEvent.values()) events.put(event, eventCounter.labelValues(event.name().toLowerCase(Locale.ROOT)));
        encrypted = metrics.counter("ferry_group_messages_encrypted_total", "Group messages this node encrypted.");
        decrypted = metrics.counter("ferry_group_messages_decrypted_total", "Group messages this node read.");
    }

    void refused(GroupRefusal.Reason reason) {
        refusals.get(reason).inc();
    }

    void event(GroupEvent event) {
        events.get(event).inc();
    }

    void encrypted() {
        encrypted.inc();
    }

    void decrypted() {
        decrypted.inc();
    }

    /** Refusals counted for {@code reason}. */
    public long refusals(GroupRefusal.Reason reason) {
        return refusals.get(reason).getLongValue();
    }

    /** Events counted of {@code event}. */
    public long events(GroupEvent event) {
        return events.get(event).getLongValue();
    }
}
