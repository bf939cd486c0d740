package dev.ferry.pubsub.router;

import dev.ferry.monitoring.Metrics;
import dev.ferry.pubsub.score.RejectReason;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@link GossipSubRouter} counts, registered in the node's {@link Metrics} under
 * {@code ferry_pubsub_}; the getters read the same counters, for tests and status pages. Safe from
 * any thread. Labels are bounded: control types, directions, reasons, score bands and mesh bands
 * are enums. Topics are never label values: a group's topic is a hash that says nothing to an
 * operator, and every new group would add a series.
 */
public final class GossipSubMetrics {

    /** Control messages, by kind. */
    public enum Control { IHAVE, IWANT, GRAFT, PRUNE }

    /** Where a peer's score stands against the thresholds; each peer is in exactly one band. */
    public enum ScoreBand {
        /** Below the graylist threshold: its RPCs are dropped. */
        GRAYLISTED,
        /** Below the publish threshold: we publish nothing to it. */
        BELOW_PUBLISH,
        /** Below the gossip threshold: no gossip either way. */
        BELOW_GOSSIP,
        /** Below 0: out of our meshes. */
        NEGATIVE,
        /** 0 or more. */
        NON_NEGATIVE
    }

    /** Where a joined topic's mesh size stands against D_lo and D_hi; each joined topic is in exactly one band. */
    public enum MeshBand {
        /** No mesh peer: the topic's messages reach us by gossip only, if at all. */
        EMPTY,
        /** Fewer than D_lo: the heartbeat grafts more. */
        BELOW_D_LO,
        /** D_lo to D_hi. */
        WITHIN_BOUNDS,
        /** More than D_hi: the heartbeat prunes. */
        ABOVE_D_HI
    }

    private final CounterDataPoint rpcsReceived;
    private final CounterDataPoint rpcsSent;
    private final CounterDataPoint rpcsGraylisted;
    private final CounterDataPoint rpcsMalformed;
    private final CounterDataPoint rpcsNotQueued;
    private final CounterDataPoint entriesExcess;
    private final CounterDataPoint entriesInvalid;
    private final CounterDataPoint internalErrors;
    private final CounterDataPoint messagesReceived;
    private final CounterDataPoint messagesDelivered;
    private final CounterDataPoint messagesDuplicate;
    private final CounterDataPoint messagesPublished;
    private final CounterDataPoint messagesForwarded;
    private final Map<RejectReason, CounterDataPoint> messagesRejected = new EnumMap<>(RejectReason.class);
    private final CounterDataPoint messagesUnsubscribed;
    private final CounterDataPoint validatorErrors;
    private final Map<Control, CounterDataPoint> controlReceived = new EnumMap<>(Control.class);
    private final Map<Control, CounterDataPoint> controlSent = new EnumMap<>(Control.class);
    private final CounterDataPoint brokenPromises;
    private final CounterDataPoint behaviourPenalties;
    private final Histogram heartbeatSeconds;

    // Sizes, written by the router thread at each heartbeat, read by scrapes.
    private volatile int peers;
    private volatile Map<String, Integer> meshPeers = Map.of();
    private volatile int meshPeersSum;
    private volatile Map<MeshBand, Integer> meshBands = Map.of();
    private volatile Map<ScoreBand, Integer> scoreBands = Map.of();

    GossipSubMetrics(Metrics metrics) {
        var registry = metrics.registry();
        rpcsReceived = metrics.counter("ferry_pubsub_rpcs_received_total", "RPCs received and decoded.");
        rpcsSent = metrics.counter("ferry_pubsub_rpcs_sent_total", "RPCs queued for peers.");
        rpcsGraylisted = metrics.counter("ferry_pubsub_rpcs_graylisted_total",
                "RPCs dropped unread because the sender's score was below the graylist threshold.");
        rpcsMalformed = metrics.counter("ferry_pubsub_rpcs_malformed_total",
                "RPCs that did not decode or broke a limit of the codec or the framing; each was dropped whole.");
        rpcsNotQueued = metrics.counter("ferry_pubsub_rpcs_not_queued_total",
                "RPCs not sent because the peer's queue was full (gossip first) or its stream was gone.");
        Counter dropped = Counter.builder().name("ferry_pubsub_rpc_entries_dropped_total")
                .help("RPC entries skipped while decoding: past a count limit (excess) or wrong or too big themselves (invalid).")
                .labelNames("cause").register(registry);
        entriesExcess = dropped.labelValues("excess");
        entriesInvalid = dropped.labelValues("invalid");
        internalErrors = metrics.counter("ferry_pubsub_internal_errors_total",
                "Router steps that failed on a bug of ours; the router kept running. Should stay 0.");
        messagesReceived = metrics.counter("ferry_pubsub_messages_received_total",
                "Messages received in RPCs, before any check; duplicates included.");
        messagesDelivered = metrics.counter("ferry_pubsub_messages_delivered_total",
                "Messages accepted and handed to the application, each once.");
        messagesDuplicate = metrics.counter("ferry_pubsub_messages_duplicate_total",
                "Messages received again within the seen-cache time; not delivered again.");
        messagesPublished = metrics.counter("ferry_pubsub_messages_published_total", "Messages this node published.");
        messagesForwarded = metrics.counter("ferry_pubsub_messages_forwarded_total",
                "Copies of accepted messages queued for mesh peers.");
        Counter rejected = Counter.builder().name("ferry_pubsub_messages_rejected_total")
                .help("Messages dropped by the signature policy or a validator, or ignored by a validator, by reason.")
                .labelNames("reason").register(registry);
        for (RejectReason reason : RejectReason.values()) {
            messagesRejected.put(reason, rejected.labelValues(reason.name().toLowerCase(Locale.ROOT)));
        }
        messagesUnsubscribed = metrics.counter("ferry_pubsub_messages_unsubscribed_topic_total",
                "Messages for topics this node has not joined; dropped unchecked.");
        validatorErrors = metrics.counter("ferry_pubsub_validator_errors_total",
                "Application validators that threw; the message was ignored.");
        Counter control = Counter.builder().name("ferry_pubsub_control_messages_total")
                .help("Control entries (one per IHAVE topic, IWANT, GRAFT or PRUNE topic), by type and direction.")
                .labelNames("type", "direction").register(registry);
        for (Control type : Control.values()) {
            String t = type.name().toLowerCase(Locale.ROOT);
            controlReceived.put(type, control.labelValues(t, "received"));
            controlSent.put(type, control.labelValues(t, "sent"));
        }
        brokenPromises = metrics.counter("ferry_pubsub_broken_promises_total",
                "Messages peers advertised in IHAVE, were asked for, and did not deliver in time.");
        behaviourPenalties = metrics.counter("ferry_pubsub_behaviour_penalties_total",
                "P7 penalties given: broken promises, GRAFTs during backoff, IHAVE/IWANT floods.");
        heartbeatSeconds = Histogram.builder().name("ferry_pubsub_heartbeat_duration_seconds")
                .help("Time one heartbeat took on the router thread.")
                .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
                .register(registry);
        metrics.gauge("ferry_pubsub_peers", "Peers with a pubsub stream.", () -> peers);
        metrics.gauge("ferry_pubsub_mesh_peers", "Mesh peers summed over the joined topics (a peer in two meshes counts twice).",
                () -> meshPeersSum);
        GaugeWithCallback.builder().name("ferry_pubsub_topics_joined")
                .help("Topics joined, by where their mesh size stands: empty, below_d_lo, within_bounds, above_d_hi.")
                .labelNames("mesh")
                .callback(cb -> meshBands.forEach((band, n) -> cb.call(n, band.name().toLowerCase(Locale.ROOT))))
                .register(registry);
        GaugeWithCallback.builder().name("ferry_pubsub_peers_by_score").help("Peers by where their score stands.")
                .labelNames("band")
                .callback(cb -> scoreBands.forEach((band, n) -> cb.call(n, band.name().toLowerCase(Locale.ROOT))))
                .register(registry);
    }

    // ---------------------------------------------------------------- recording (package)

    void rpcReceived() { rpcsReceived.inc(); }
    void rpcSent() { rpcsSent.inc(); }
    void rpcGraylisted() { rpcsGraylisted.inc(); }
    void rpcMalformed() { rpcsMalformed.inc(); }
    void rpcNotQueued() { rpcsNotQueued.inc(); }
    void entriesDropped(int excess, int invalid) {
        if (excess > 0) entriesExcess.inc(excess);
        if (invalid > 0) entriesInvalid.inc(invalid);
    }
    void internalError() { internalErrors.inc(); }
    void messageReceived() { messagesReceived.inc(); }
    void messageDelivered() { messagesDelivered.inc(); }
    void messageDuplicate() { messagesDuplicate.inc(); }
    void messagePublished() { messagesPublished.inc(); }
    void messagesForwarded(int copies) { if (copies > 0) messagesForwarded.inc(copies); }
    void messageRejected(RejectReason reason) { messagesRejected.get(reason).inc(); }
    void messageUnsubscribedTopic() { messagesUnsubscribed.inc(); }
    void validatorError() { validatorErrors.inc(); }
    void controlReceived(Control type, int count) { if (count > 0) controlReceived.get(type).inc(count); }
    void controlSent(Control type, int count) { if (count > 0) controlSent.get(type).inc(count); }
    void brokenPromises(int count) { if (count > 0) brokenPromises.inc(count); }
    void behaviourPenalties(int count) { if (count > 0) behaviourPenalties.inc(count); }
    void heartbeat(double seconds) { heartbeatSeconds.observe(seconds); }

    /** Sizes after a heartbeat: peers, mesh sizes by topic and by band, score bands. */
    void sizes(int peerCount, Map<String, Integer> meshByTopic, Map<MeshBand, Integer> topicsByMesh, Map<ScoreBand, Integer> bands) {
        peers = peerCount;
        meshPeersSum = meshByTopic.values().stream().mapToInt(Integer::intValue).sum();
        meshBands = Map.copyOf(topicsByMesh);
        scoreBands = Map.copyOf(bands);
        // Last: a test that waits for a mesh size then scrapes sees the whole heartbeat's figures.
        meshPeers = Map.copyOf(meshByTopic);
    }

    // ---------------------------------------------------------------- reading

    public long rpcsReceived() { return rpcsReceived.getLongValue(); }
    public long rpcsSent() { return rpcsSent.getLongValue(); }
    public long rpcsGraylisted() { return rpcsGraylisted.getLongValue(); }
    public long rpcsMalformed() { return rpcsMalformed.getLongValue(); }
    public long rpcsNotQueued() { return rpcsNotQueued.getLongValue(); }
    public long entriesDropped() { return entriesExcess.getLongValue() + entriesInvalid.getLongValue(); }
    public long internalErrors() { return internalErrors.getLongValue(); }
    public long messagesReceived() { return messagesReceived.getLongValue(); }
    public long messagesDelivered() { return messagesDelivered.getLongValue(); }
    public long messagesDuplicate() { return messagesDuplicate.getLongValue(); }
    public long messagesPublished() { return messagesPublished.getLongValue(); }
    public long messagesForwarded() { return messagesForwarded.getLongValue(); }
    public long messagesRejected(RejectReason reason) { return messagesRejected.get(reason).getLongValue(); }
    public long messagesUnsubscribedTopic() { return messagesUnsubscribed.getLongValue(); }
    public long validatorErrors() { return validatorErrors.getLongValue(); }
    public long controlReceived(Control type) { return controlReceived.get(type).getLongValue(); }
    public long controlSent(Control type) { return controlSent.get(type).getLongValue(); }
    public long brokenPromises() { return brokenPromises.getLongValue(); }
    public long behaviourPenalties() { return behaviourPenalties.getLongValue(); }

    /** Messages rejected for any reason. */
    public long messagesRejected() {
        long sum = 0;
        for (CounterDataPoint c : messagesRejected.values()) sum += c.getLongValue();
        return sum;
    }

    /** Peers with a pubsub stream at the last heartbeat. */
    public int peers() { return peers; }

    /** Mesh sizes by topic at the last heartbeat (not exported: topics are no label values). */
    public Map<String, Integer> meshPeers() { return meshPeers; }

    /** Joined topics per mesh band at the last heartbeat. */
    public Map<MeshBand, Integer> meshBands() { return meshBands; }

    /** Peers per score band at the last heartbeat. */
    public Map<ScoreBand, Integer> scoreBands() { return scoreBands; }
}
