package dev.ferry.dht.service;

import dev.ferry.dht.message.MessageType;
import dev.ferry.monitoring.Metrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@link DhtService} counts, registered in the node's {@link Metrics} under
 * {@code ferry_dht_}; the getters read the same counters, for tests and status pages. Safe from
 * any thread. Labels are bounded: message types, outcomes and results are enums.
 */
public final class DhtMetrics {
    private final Map<MessageType, CounterDataPoint> served = new EnumMap<>(MessageType.class);
    private final Map<MessageType, CounterDataPoint> refused = new EnumMap<>(MessageType.class);
    private final Map<MessageType, CounterDataPoint> sent = new EnumMap<>(MessageType.class);
    private final Map<MessageType, CounterDataPoint> failed = new EnumMap<>(MessageType.class);
    private final Map<LookupOutcome, CounterDataPoint> lookups = new EnumMap<>(LookupOutcome.class);
    private final CounterDataPoint malformed;
    private final CounterDataPoint peersRefused;
    private final CounterDataPoint answerPeersDropped;
    private final CounterDataPoint answersRefused;
    private final CounterDataPoint invalidRecordsReceived;
    private final CounterDataPoint recordCorrections;
    private final CounterDataPoint recordsRepublished;
    private final CounterDataPoint providersRepublished;
    private final CounterDataPoint evictions;
    private final CounterDataPoint probesSent;
    private final CounterDataPoint probesFinished;
    private final CounterDataPoint livenessChecks;
    private final CounterDataPoint refreshLookups;
    private final Histogram lookupSeconds;
    private final Histogram lookupHops;

    // Sizes, written by the service thread, read by scrapes.
    private volatile int routingTablePeers;
    private volatile int recordsStored;
    private volatile int providerRecordsStored;

    DhtMetrics(Metrics metrics) {
        var registry = metrics.registry();
        Counter inbound = Counter.builder().name("ferry_dht_inbound_requests_total")
                .help("Requests received, by message type and whether they were served or refused (stream reset).")
                .labelNames("type", "result").register(registry);
        Counter outbound = Counter.builder().name("ferry_dht_outbound_requests_total")
                .help("Requests sent, by message type and whether an answer came.")
                .labelNames("type", "result").register(registry);
        for (MessageType type : MessageType.values()) {
            String t = type.name().toLowerCase(Locale.ROOT);
            served.put(type, inbound.labelValues(t, "served"));
            refused.put(type, inbound.labelValues(t, "refused"));
            sent.put(type, outbound.labelValues(t, "answered"));
            failed.put(type, outbound.labelValues(t, "failed"));
        }
        Counter lookupCounter = Counter.builder().name("ferry_dht_lookups_total")
                .help("Lookups finished, by outcome.").labelNames("outcome").register(registry);
        for (LookupOutcome o : LookupOutcome.values()) lookups.put(o, lookupCounter.labelValues(o.label()));
        malformed = metrics.counter("ferry_dht_inbound_malformed_total",
                "Inbound messages that did not decode or broke the framing or a size limit; each reset its stream.");
        peersRefused = metrics.counter("ferry_dht_response_peers_refused_total",
                "Peers in answers that a lookup did not follow: past the per-answer limit, the responder or us, repeats.");
        answerPeersDropped = metrics.counter("ferry_dht_answer_peers_dropped_total",
                "Peers left out of answers while decoding: past the per-message limit, invalid PeerIds, repeats.");
        answersRefused = metrics.counter("ferry_dht_answers_refused_total",
                "Answers that did not decode, broke the framing or a size limit, or did not match the request.");
        invalidRecordsReceived = metrics.counter("ferry_dht_invalid_records_received_total",
                "Records in GET_VALUE answers that failed their namespace's validator.");
        recordCorrections = metrics.counter("ferry_dht_record_corrections_total",
                "PUT_VALUEs sent after a GET_VALUE to peers that held an older record.");
        recordsRepublished = metrics.counter("ferry_dht_records_republished_total",
                "Republishes of records this node owns.");
        providersRepublished = metrics.counter("ferry_dht_provider_records_republished_total",
                "Republishes of provider records for keys this node provides.");
        evictions = metrics.counter("ferry_dht_routing_table_evictions_total",
                "Peers removed from the routing table because a request to them failed or a liveness check found them dead.");
        probesSent = metrics.counter("ferry_dht_probes_sent_total",
                "FIND_NODEs sent to peers that asked us something, to learn whether they serve the DHT.");
        probesFinished = metrics.counter("ferry_dht_probes_finished_total", "Probes answered, failed or timed out.");
        livenessChecks = metrics.counter("ferry_dht_liveness_checks_total",
                "Requests sent to check that a peer is alive: the least recently seen of a full bucket, or one silent for a refresh interval.");
        refreshLookups = metrics.counter("ferry_dht_refresh_lookups_total",
                "Lookups started by the routing table refresh (self-lookups and random keys in stale buckets).");
        lookupSeconds = Histogram.builder().name("ferry_dht_lookup_duration_seconds")
                .help("Time from the start of a lookup to its end, any outcome but failed.")
                .classicOnly().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .register(registry);
        lookupHops = Histogram.builder().name("ferry_dht_lookup_hops")
                .help("Rounds of requests a lookup took to reach the closest peers it returned.")
                .classicOnly().classicUpperBounds(1, 2, 3, 4, 5, 6, 8, 10, 15, 20).register(registry);
        metrics.gauge("ferry_dht_routing_table_peers", "Peers in the routing table.", () -> routingTablePeers);
        metrics.gauge("ferry_dht_records_stored", "Records held for other peers (and our own).", () -> recordsStored);
        metrics.gauge("ferry_dht_provider_records_stored", "Provider records held.", () -> providerRecordsStored);
    }

    // ---------------------------------------------------------------- recording (package)

    void served(MessageType type) { served.get(type).inc(); }

    void refused(MessageType type) { refused.get(type).inc(); }

    void malformed() { malformed.inc(); }

    void requestFinished(MessageType type, boolean answered) {
        (answered ? sent : failed).get(type).inc();
    }

    void lookupFinished(LookupOutcome outcome, double seconds, int hops, int peersRefusedInLookup) {
        lookups.get(outcome).inc();
        peersRefused.inc(peersRefusedInLookup);
        if (outcome == LookupOutcome.FAILED) return;
        lookupSeconds.observe(seconds);
        lookupHops.observe(hops);
    }

    void invalidRecordReceived() { invalidRecordsReceived.inc(); }

    void answerPeersDropped(int count) {
        if (count > 0) answerPeersDropped.inc(count);
    }

    void answerRefused() { answersRefused.inc(); }

    void recordCorrected() { recordCorrections.inc(); }

    void recordRepublished() { recordsRepublished.inc(); }

    void providerRepublished() { providersRepublished.inc(); }

    void evicted() { evictions.inc(); }

    void probeSent() { probesSent.inc(); }

    void probeFinished() { probesFinished.inc(); }

    void livenessCheck() { livenessChecks.inc(); }

    void refreshLookup() { refreshLookups.inc(); }

    void sizes(int tablePeers, int records, int providerRecords) {
        routingTablePeers = tablePeers;
        recordsStored = records;
        providerRecordsStored = providerRecords;
    }

    // ---------------------------------------------------------------- reading

    /** Requests answered (or, for ADD_PROVIDER, taken), all types. */
    public long requestsServed() { return sum(served); }

    /** Requests of {@code type} answered. */
    public long requestsServed(MessageType type) { return served.get(type).getLongValue(); }

    /** Well-formed requests refused (an invalid record, a full queue); each reset its stream. */
    public long refusedRequests() { return sum(refused); }

    /** Requests that did not decode or overran the framing; each reset its stream. */
    public long malformedRequests() { return malformed.getLongValue(); }

    /** Requests sent, answered or not. */
    public long requestsSent() { return sum(sent) + sum(failed); }

    /** Requests sent that failed: no stream, a reset, a bad answer, a timeout. */
    public long requestsFailed() { return sum(failed); }

    /** Lookups that ended with {@code outcome}. */
    public long lookups(LookupOutcome outcome) { return lookups.get(outcome).getLongValue(); }

    /** Peers named in answers that lookups refused to follow. */
    public long peersRefused() { return peersRefused.getLongValue(); }

    /** Peers left out of answers by the decoder's limits and checks. */
    public long answerPeersDropped() { return answerPeersDropped.getLongValue(); }

    /** Answers refused as a whole: malformed, oversized, or not an answer to the request. */
    public long answersRefused() { return answersRefused.getLongValue(); }

    /** Invalid records seen in GET_VALUE answers. */
    public long invalidRecordsReceived() { return invalidRecordsReceived.getLongValue(); }

    /** Peers sent the best record after they answered a GET_VALUE with an older one. */
    public long recordCorrections() { return recordCorrections.getLongValue(); }

    public long recordsRepublished() { return recordsRepublished.getLongValue(); }

    public long providersRepublished() { return providersRepublished.getLongValue(); }

    /** Peers removed from the routing table as dead. */
    public long evictions() { return evictions.getLongValue(); }

    /** Requests sent to peers that asked us something, to learn whether they serve the DHT. */
    public long probesSent() { return probesSent.getLongValue(); }

    /** Probes answered, failed or timed out. */
    public long probesFinished() { return probesFinished.getLongValue(); }

    /** Requests sent to check that a table peer is alive. */
    public long livenessChecks() { return livenessChecks.getLongValue(); }

    /** Lookups started by the refresh. */
    public long refreshLookups() { return refreshLookups.getLongValue(); }

    private static <K> long sum(Map<K, CounterDataPoint> points) {
        long total = 0;
        for (CounterDataPoint p : points.values()) total += p.getLongValue();
        return total;
    }
}
