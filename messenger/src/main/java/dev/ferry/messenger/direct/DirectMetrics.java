package dev.ferry.messenger.direct;

import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What direct delivery counts, registered once per node under {@code ferry_direct_} and shared by
 * its {@link DirectServer} and {@link DirectClient}; the getters read the same counters. Labels
 * are bounded: statuses and results are enums.
 */
public final class DirectMetrics {
    /** How a delivery we made ended. */
    enum Outcome { DELIVERED, BAD_ACK, REFUSED, UNREACHABLE }

    private final Map<DirectStatus, CounterDataPoint> answered = new EnumMap<>(DirectStatus.class);
    private final Map<Outcome, CounterDataPoint> deliveries = new EnumMap<>(Outcome.class);
    private final CounterDataPoint inboundMalformed;
    private final CounterDataPoint answersMalformed;

    private DirectMetrics(Metrics metrics) {
        Counter inbound = Counter.builder().name("ferry_direct_inbound_requests_total")
                .help("Direct deliveries received, by the status answered.").labelNames("status").register(metrics.registry());
        for (DirectStatus s : DirectStatus.values()) answered.put(s, inbound.labelValues(s.name().toLowerCase(Locale.ROOT)));
        Counter outbound = Counter.builder().name("ferry_direct_deliveries_total")
                .help("Direct deliveries made, by how they ended.").labelNames("result").register(metrics.registry());
        for (Outcome o : Outcome.values()) deliveries.put(o, outbound.labelValues(o.name().toLowerCase(Locale.ROOT)));
        inboundMalformed = metrics.counter("ferry_direct_inbound_malformed_total",
                "Inbound direct streams reset: a frame over the size limit, bytes that are not a request, or a second request.");
        answersMalformed = metrics.counter("ferry_direct_answers_malformed_total",
                "Answers to our deliveries that broke the framing, did not decode or named another request.");
    }

    /** Registers the direct-delivery metrics in {@code metrics}; once per registry. */
    public static DirectMetrics register(Metrics metrics) {
        return new DirectMetrics(metrics);
    }

    void answered(DirectStatus status) {
        answered.get(status).inc();
    }

    void delivery(Outcome outcome) {
        deliveries.get(outcome).inc();
    }

    void inboundMalformed() {
        inboundMalformed.inc();
    }

    void answerMalformed() {
        answersMalformed.inc();
    }

    /** Inbound requests answered with {@code status}. */
    public long answeredCount(DirectStatus status) {
        return answered.get(status).getLongValue();
    }

    /** Inbound streams reset for bad framing or content. */
    public long inboundMalformedCount() {
        return inboundMalformed.getLongValue();
    }

    /** Answers to our deliveries that were malformed. */
    public long answersMalformedCount() {
        return answersMalformed.getLongValue();
    }

    long deliveryCount(Outcome outcome) {
        return deliveries.get(outcome).getLongValue();
    }
}
