package dev.ferry.pubsub.score;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.score.DeliveryRecords.Record;
import dev.ferry.pubsub.score.DeliveryRecords.Status;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The gossipsub v1.1 peer score ("The Score Function"):
 *
 * <pre>
 * Score(p) = TopicCap(Σ tᵢ·(w₁P₁ + w₂P₂ + w₃P₃ + w₃ᵦP₃ᵦ + w₄P₄)) + w₅P₅ + w₆P₆ + w₇P₇
 * </pre>
 *
 * kept from the events the router reports: peers connecting and leaving, their IP addresses,
 * grafts and prunes, the validation outcome of every message and who sent it, and behaviour
 * penalties. {@link #score} computes the formula at the given instant; {@link #refreshScores}
 * decays the counters and forgets what has expired, and the router calls it every
 * {@linkplain PeerScoreParams#decayInterval() decay interval} (calling it late decays by every
 * whole interval elapsed, calling it early does nothing).
 *
 * <p>As in go-libp2p-pubsub: P1 counts whole {@code timeInMeshQuantum}s since the graft and P3
 * applies once the peer has been in the mesh longer than its activation; both are measured at the
 * {@code now} given to {@link #score}. A near-first delivery (P3) is a duplicate that arrives
 * while the first copy is being validated, or within {@code meshMessageDeliveriesWindow} after it
 * was found valid. A message rejected as invalid costs P4 to the peer that sent it first and to
 * every peer that sent it before or after, since honest peers validate before forwarding.
 *
 * <p>A peer that disconnects leaves every mesh (with the P3b penalty a prune would give), loses
 * its positive counters (P2 and the P3 deliveries), and its penalties (P3b, P4, P7) are kept for
 * {@link PeerScoreParams#retainScore()} without decaying, so that reconnecting does not reset a
 * bad score; a peer with nothing to keep is forgotten at once. P6 counts connected peers only.
 *
 * <p>Pure and <b>not thread-safe</b>: it reads no clock and does no I/O; the router owns it on its
 * one thread. Bounded by {@link Limits}: delivery records by age and count, IPs per peer and
 * retained peers by count; connected peers are bounded by the connection limits of the host, and
 * topics per peer by the configured topics.
 */
public final class PeerScore {

    /**
     * The memory bounds of a {@link PeerScore}.
     *
     * @param deliveryRecordTtl how long the delivery record of a message id is kept
     * @param maxDeliveryRecords delivery records kept at most; the oldest is dropped for a new one
     * @param maxPeersPerDeliveryRecord senders remembered per message; later ones earn no P3 credit
     *     and, until the message is found invalid, no P4
     * @param maxIpsPerPeer IP addresses tracked per peer for P6; further ones are ignored
     * @param maxRetainedPeers disconnected peers whose score is retained; the one that left first
     *     is forgotten first
     */
    public record Limits(Duration deliveryRecordTtl, int maxDeliveryRecords, int maxPeersPerDeliveryRecord,
            int maxIpsPerPeer, int maxRetainedPeers) {
        /**
         * Two minutes, the seen-cache time of go-libp2p-pubsub and js-libp2p-gossipsub: a copy
         * arriving later is not even recognised as a duplicate by the router.
         */
        public static final Duration DEFAULT_DELIVERY_RECORD_TTL = Duration.ofMinutes(2);
        /**
         * 65,536 records, about 500 messages a second for the whole TTL, far above a chat node's
         * rate; at a few hundred bytes each (the sender set is small), a few tens of MB at worst.
         */
        public static final int DEFAULT_MAX_DELIVERY_RECORDS = 65_536;
        /**
         * 32 senders: a mesh of D_hi = 12 plus flood publishers and IWANT replies; a message
         * rarely arrives from more peers than that within its validation.
         */
        public static final int DEFAULT_MAX_PEERS_PER_DELIVERY_RECORD = 32;
        /** 8 addresses: a peer rarely holds more than a couple of connections to us. */
        public static final int DEFAULT_MAX_IPS_PER_PEER = 8;
        /**
         * 10,000 retained peers, a few MB: room for an hour of churn around a busy node, while a
         * flood of throwaway identities cannot grow the table past it.
         */
        public static final int DEFAULT_MAX_RETAINED_PEERS = 10_000;
        /** All the defaults above. */
        public static final Limits DEFAULT = new Limits(DEFAULT_DELIVERY_RECORD_TTL, DEFAULT_MAX_DELIVERY_RECORDS,
                DEFAULT_MAX_PEERS_PER_DELIVERY_RECORD, DEFAULT_MAX_IPS_PER_PEER, DEFAULT_MAX_RETAINED_PEERS);

        public Limits {
            ScoreChecks.notNegative("deliveryRecordTtl", deliveryRecordTtl);
            if (maxDeliveryRecords < 1) throw new IllegalArgumentException("maxDeliveryRecords must be >= 1, got " + maxDeliveryRecords);
            if (maxPeersPerDeliveryRecord < 1) {
                throw new IllegalArgumentException("maxPeersPerDeliveryRecord must be >= 1, got " + maxPeersPerDeliveryRecord);
            }
            if (maxIpsPerPeer < 1) throw new IllegalArgumentException("maxIpsPerPeer must be >= 1, got " + maxIpsPerPeer);
            if (maxRetainedPeers < 0) throw new IllegalArgumentException("maxRetainedPeers must be >= 0, got " + maxRetainedPeers);
        }
    }

    /** IPv6 peers are grouped by /64, the block one host or one customer usually gets. */
    private static final int IPV6_COLOCATION_PREFIX = 64;

    private static final class TopicStats {
        boolean inMesh;
        Instant graftTime;
        double firstMessageDeliveries;
        double meshMessageDeliveries;
        double meshFailurePenalty;
        double invalidMessageDeliveries;
    }

    private static final class PeerStats {
        boolean connected = true;
        /** When a disconnected peer's retained score is forgotten. */
        Instant expires;
        final Map<String, TopicStats> topics = new HashMap<>();
        final Set<InetAddress> ips = new LinkedHashSet<>();
        double behaviourPenalty;
    }

    private final PeerScoreParams params;
    private final Limits limits;
    private final Map<PeerId, PeerStats> peers = new HashMap<>();
    /** Disconnected peers, in the order they left: with one retention time, also expiry order. */
    private final LinkedHashSet<PeerId> retained = new LinkedHashSet<>();
    /** Connected peers by colocation key (IPv4 address, IPv6 /64), whitelisted addresses left out. */
    private final Map<InetAddress, Set<PeerId>> peersByIp = new HashMap<>();
    private final DeliveryRecords deliveries;
    /** The instant the decay schedule counts whole intervals from. */
    private Instant lastDecay;

    /** A score with the default {@link Limits}, its decay schedule starting at {@code now}. */
    public PeerScore(PeerScoreParams params, Instant now) {
        this(params, Limits.DEFAULT, now);
    }

    public PeerScore(PeerScoreParams params, Limits limits, Instant now) {
        this.params = Objects.requireNonNull(params, "params");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.lastDecay = Objects.requireNonNull(now, "now");
        this.deliveries = new DeliveryRecords(limits.deliveryRecordTtl(), limits.maxDeliveryRecords(),
                limits.maxPeersPerDeliveryRecord());
    }

    public PeerScoreParams params() {
        return params;
    }

    // ---- peers and addresses ----

    /**
     * {@code peer} connected. A peer whose score is still retained from an earlier connection
     * takes it up again; a peer already connected is left as it is.
     */
    public void addPeer(PeerId peer) {
        PeerStats stats = peers.get(peer);
        if (stats == null) {
            peers.put(peer, new PeerStats());
        } else if (!stats.connected) {
            stats.connected = true;
            stats.expires = null;
            retained.remove(peer);
        }
    }

    /**
     * {@code peer} disconnected at {@code now}. It leaves every mesh (a deficit in mesh deliveries
     * becomes a P3b penalty, as on prune), its P2 and P3 counters are reset, its addresses are
     * dropped, and its penalties are retained until {@code now + retainScore}, or forgotten at
     * once if there are none or retention is 0.
     */
    public void removePeer(PeerId peer, Instant now) {
        PeerStats stats = peers.get(peer);
        if (stats == null || !stats.connected) return;
        boolean penalised = stats.behaviourPenalty > 0;
        for (Map.Entry<String, TopicStats> e : stats.topics.entrySet()) {
            TopicStats ts = e.getValue();
            if (ts.inMesh) leaveMesh(ts, topicParams(e.getKey()), now);
            // Positive counters go: a peer must earn its place again after reconnecting.
            ts.firstMessageDeliveries = 0;
            ts.meshMessageDeliveries = 0;
            penalised |= ts.meshFailurePenalty > 0 || ts.invalidMessageDeliveries > 0;
        }
        for (InetAddress ip : List.copyOf(stats.ips)) removeIp(peer, ip);
        if (!penalised || params.retainScore().isZero() || limits.maxRetainedPeers() == 0) {
            peers.remove(peer);
            return;
        }
        stats.connected = false;
        stats.expires = now.plus(params.retainScore());
        retained.add(peer);
        if (retained.size() > limits.maxRetainedPeers()) {
            PeerId oldest = retained.removeFirst();
            peers.remove(oldest);
        }
    }

    /**
     * {@code peer} is connected from {@code ip} (P6). Ignored for a peer not connected, for an
     * address already known, and past {@link Limits#maxIpsPerPeer()} addresses.
     */
    public void addIp(PeerId peer, InetAddress ip) {
        PeerStats stats = peers.get(peer);
        if (stats == null || !stats.connected || stats.ips.contains(ip) || stats.ips.size() >= limits.maxIpsPerPeer()) return;
        stats.ips.add(ip);
        if (!whitelisted(ip)) peersByIp.computeIfAbsent(colocationKey(ip), k -> new HashSet<>()).add(peer);
    }

    /** {@code peer} is no longer connected from {@code ip}. */
    public void removeIp(PeerId peer, InetAddress ip) {
        PeerStats stats = peers.get(peer);
        if (stats == null || !stats.ips.remove(ip) || whitelisted(ip)) return;
        InetAddress key = colocationKey(ip);
        for (InetAddress other : stats.ips) {
            if (!whitelisted(other) && colocationKey(other).equals(key)) return; // still there through another address
        }
        Set<PeerId> colocated = peersByIp.get(key);
        if (colocated != null) {
            colocated.remove(peer);
            if (colocated.isEmpty()) peersByIp.remove(key);
        }
    }

    /** {@code peer}'s addresses are now exactly {@code ips} (up to {@link Limits#maxIpsPerPeer()}). */
    public void setIps(PeerId peer, Collection<InetAddress> ips) {
        PeerStats stats = peers.get(peer);
        if (stats == null) return;
        for (InetAddress ip : List.copyOf(stats.ips)) {
            if (!ips.contains(ip)) removeIp(peer, ip);
        }
        for (InetAddress ip : ips) addIp(peer, ip);
    }

    // ---- mesh ----

    /** {@code peer} joined our mesh for {@code topic} at {@code now}: P1 and P3 count from here. */
    public void graft(PeerId peer, String topic, Instant now) {
        TopicStats ts = connectedTopicStats(peer, topic);
        if (ts == null) return;
        ts.inMesh = true;
        ts.graftTime = now;
    }

    /**
     * {@code peer} left our mesh for {@code topic} at {@code now}. If P3 was active and its
     * deliveries were below the threshold, the squared deficit is added to P3b.
     */
    public void prune(PeerId peer, String topic, Instant now) {
        TopicStats ts = connectedTopicStats(peer, topic);
        if (ts == null || !ts.inMesh) return;
        leaveMesh(ts, topicParams(topic), now);
    }

    // ---- messages ----

    /**
     * A message arrived from {@code from} for the first time and its validation starts. Not
     * needed for scoring to work, but it opens the window in which duplicates count as near-first
     * deliveries (P3) and are penalised if the message turns out invalid (P4).
     */
    public void validateMessage(PeerId from, MessageId messageId, Instant now) {
        Record record = deliveries.get(messageId, now);
        if (record.status == Status.UNKNOWN) record.addPeer(from);
    }

    /**
     * The message {@code from} sent first was found valid and delivered at {@code now}: P2 for
     * {@code from}, P3 too if it is in the mesh, and P3 for mesh peers whose duplicates arrived
     * during validation. Repeated calls for one message count once.
     */
    public void deliverMessage(PeerId from, MessageId messageId, String topic, Instant now) {
        Record record = deliveries.get(messageId, now);
        if (record.status != Status.UNKNOWN) return;
        markFirstDelivery(from, topic);
        record.status = Status.VALID;
        record.validated = now;
        for (PeerId early : record.peers) {
            if (!early.equals(from)) markNearFirstDelivery(early, topic);
        }
        record.addPeer(from);
    }

    /**
     * The message {@code from} sent was not delivered, for {@code reason}; see
     * {@link RejectReason.Effect} for what each reason does. A message already found valid,
     * invalid or ignored is not judged again. {@code messageId} is not read for reasons that
     * penalise the sender only (a message too broken to have an id) or do nothing, and may be null.
     */
    public void rejectMessage(PeerId from, MessageId messageId, String topic, RejectReason reason, Instant now) {
        switch (reason.effect()) {
            case PENALISE_SENDER -> {
                markInvalidDelivery(from, topic);
                return;
            }
            case NONE -> {
                return;
            }
            case IGNORE, INVALID -> { }
        }
        Record record = deliveries.get(messageId, now);
        if (record.status != Status.UNKNOWN) return;
        if (reason.effect() == RejectReason.Effect.IGNORE) {
            record.status = Status.IGNORED;
            record.peers.clear();
            return;
        }
        record.status = Status.INVALID;
        markInvalidDelivery(from, topic);
        for (PeerId early : record.peers) {
            if (!early.equals(from)) markInvalidDelivery(early, topic);
        }
        // Later duplicates are penalised on arrival; the sender set is no longer needed.
        record.peers.clear();
    }

    /**
     * {@code from} sent a message we had already seen. During validation it is remembered (and
     * judged with the message); after a valid delivery it earns P3, once, if within the
     * near-first window and in the mesh; after an invalid one it costs P4, every time; after an
     * ignored one, nothing.
     */
    public void duplicateMessage(PeerId from, MessageId messageId, String topic, Instant now) {
        Record record = deliveries.get(messageId, now);
        if (record.peers.contains(from)) return;
        switch (record.status) {
            case UNKNOWN -> record.addPeer(from);
            case VALID -> {
                TopicScoreParams tp = topicParams(topic);
                boolean late = tp == null
                        || Duration.between(record.validated, now).compareTo(tp.meshMessageDeliveriesWindow()) > 0;
                // Added even when late, so that a peer's copies never count twice.
                if (record.addPeer(from) && !late) markNearFirstDelivery(from, topic);
            }
            case INVALID -> markInvalidDelivery(from, topic);
            case IGNORED -> { }
        }
    }

    /**
     * Adds {@code count} to {@code peer}'s behaviour penalty counter (P7): a broken IWANT
     * promise, a GRAFT during backoff, and the like. Applies to a retained peer too.
     */
    public void addPenalty(PeerId peer, int count) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        PeerStats stats = peers.get(peer);
        if (stats != null) stats.behaviourPenalty += count;
    }

    // ---- time ----

    /**
     * Decays every connected peer's counters once per whole decay interval elapsed since the
     * last decay (a counter below {@code decayToZero} becomes 0), forgets retained scores whose
     * time is up, and drops expired delivery records. Retained scores do not decay.
     */
    public void refreshScores(Instant now) {
        Iterator<PeerId> it = retained.iterator();
        while (it.hasNext()) {
            PeerId peer = it.next();
            if (!now.isAfter(peers.get(peer).expires)) break;
            it.remove();
            peers.remove(peer);
        }
        deliveries.expire(now);

        Duration interval = params.decayInterval();
        long steps = now.isAfter(lastDecay) ? Duration.between(lastDecay, now).dividedBy(interval) : 0;
        if (steps == 0) return;
        lastDecay = lastDecay.plus(interval.multipliedBy(steps));
        double behaviourDecay = Math.pow(params.behaviourPenaltyDecay(), steps);
        for (PeerStats stats : peers.values()) {
            if (!stats.connected) continue;
            for (Map.Entry<String, TopicStats> e : stats.topics.entrySet()) {
                TopicScoreParams tp = topicParams(e.getKey());
                TopicStats ts = e.getValue();
                ts.firstMessageDeliveries = decay(ts.firstMessageDeliveries, tp.firstMessageDeliveriesDecay(), steps);
                ts.meshMessageDeliveries = decay(ts.meshMessageDeliveries, tp.meshMessageDeliveriesDecay(), steps);
                ts.meshFailurePenalty = decay(ts.meshFailurePenalty, tp.meshFailurePenaltyDecay(), steps);
                ts.invalidMessageDeliveries = decay(ts.invalidMessageDeliveries, tp.invalidMessageDeliveriesDecay(), steps);
            }
            stats.behaviourPenalty = zeroIfTiny(stats.behaviourPenalty * behaviourDecay);
        }
    }

    // ---- the score ----

    /** {@code peer}'s score at {@code now}; 0 for a peer never seen or forgotten. */
    public double score(PeerId peer, Instant now) {
        PeerStats stats = peers.get(peer);
        if (stats == null) return 0;
        double topics = 0;
        for (Map.Entry<String, TopicStats> e : stats.topics.entrySet()) {
            topics += topicScore(e.getValue(), topicParams(e.getKey()), now);
        }
        if (params.topicScoreCap() > 0 && topics > params.topicScoreCap()) topics = params.topicScoreCap();
        double score = topics;

        double p5 = params.appSpecificScore().applyAsDouble(peer);
        // A buggy application function must not make every comparison with this score false.
        if (Double.isFinite(p5)) score += p5 * params.appSpecificWeight();

        if (params.ipColocationFactorWeight() != 0) {
            Set<InetAddress> counted = new HashSet<>();
            for (InetAddress ip : stats.ips) {
                if (whitelisted(ip)) continue;
                InetAddress key = colocationKey(ip);
                if (!counted.add(key)) continue; // two addresses in one /64 count once
                Set<PeerId> colocated = peersByIp.get(key);
                double surplus = (colocated == null ? 0 : colocated.size()) - params.ipColocationFactorThreshold();
                if (surplus > 0) score += surplus * surplus * params.ipColocationFactorWeight();
            }
        }

        double excess = stats.behaviourPenalty - params.behaviourPenaltyThreshold();
        if (excess > 0) score += excess * excess * params.behaviourPenaltyWeight();
        return score;
    }

    // ---- introspection ----

    /** Whether a score is kept for {@code peer}, connected or retained. */
    public boolean isTracked(PeerId peer) {
        return peers.containsKey(peer);
    }

    /** Disconnected peers whose score is retained. */
    public int retainedPeerCount() {
        return retained.size();
    }

    /** Message ids with a delivery record. */
    public int deliveryRecordCount() {
        return deliveries.size();
    }

    /** The peers connected from the colocation group of {@code ip} (its IPv4 address or IPv6 /64). */
    public List<PeerId> peersColocatedWith(InetAddress ip) {
        Set<PeerId> colocated = peersByIp.get(colocationKey(ip));
        return colocated == null ? List.of() : new ArrayList<>(colocated);
    }

    // ---- internals ----

    /** w₁P₁ + w₂P₂ + w₃P₃ + w₃ᵦP₃ᵦ + w₄P₄, times the topic weight. */
    private static double topicScore(TopicStats ts, TopicScoreParams tp, Instant now) {
        double score = 0;
        if (ts.inMesh) {
            Duration inMesh = timeInMesh(ts, now);
            double p1 = Math.min(inMesh.dividedBy(tp.timeInMeshQuantum()), tp.timeInMeshCap());
            score += p1 * tp.timeInMeshWeight();
        }
        score += Math.min(ts.firstMessageDeliveries, tp.firstMessageDeliveriesCap()) * tp.firstMessageDeliveriesWeight();
        double deficit = meshDeliveryDeficit(ts, tp, now);
        score += deficit * deficit * tp.meshMessageDeliveriesWeight();
        score += ts.meshFailurePenalty * tp.meshFailurePenaltyWeight();
        score += ts.invalidMessageDeliveries * ts.invalidMessageDeliveries * tp.invalidMessageDeliveriesWeight();
        return score * tp.topicWeight();
    }

    private static Duration timeInMesh(TopicStats ts, Instant now) {
        return now.isAfter(ts.graftTime) ? Duration.between(ts.graftTime, now) : Duration.ZERO;
    }

    /** How far P3 deliveries fall short of the threshold, once P3 is active; 0 otherwise. */
    private static double meshDeliveryDeficit(TopicStats ts, TopicScoreParams tp, Instant now) {
        if (!ts.inMesh || timeInMesh(ts, now).compareTo(tp.meshMessageDeliveriesActivation()) <= 0) return 0;
        return Math.max(0, tp.meshMessageDeliveriesThreshold() - ts.meshMessageDeliveries);
    }

    private static void leaveMesh(TopicStats ts, TopicScoreParams tp, Instant now) {
        double deficit = meshDeliveryDeficit(ts, tp, now);
        ts.meshFailurePenalty += deficit * deficit;
        ts.inMesh = false;
    }

    private void markFirstDelivery(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts == null) return;
        TopicScoreParams tp = topicParams(topic);
        ts.firstMessageDeliveries = Math.min(ts.firstMessageDeliveries + 1, tp.firstMessageDeliveriesCap());
        if (ts.inMesh) ts.meshMessageDeliveries = Math.min(ts.meshMessageDeliveries + 1, tp.meshMessageDeliveriesCap());
    }

    private void markNearFirstDelivery(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts == null || !ts.inMesh) return;
        TopicScoreParams tp = topicParams(topic);
        ts.meshMessageDeliveries = Math.min(ts.meshMessageDeliveries + 1, tp.meshMessageDeliveriesCap());
    }

    private void markInvalidDelivery(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts != null) ts.invalidMessageDeliveries += 1;
    }

    /** The peer's stats for a scored topic, created on first use; null for an unknown peer or topic. */
    private TopicStats topicStats(PeerId peer, String topic) {
        PeerStats stats = peers.get(peer);
        if (stats == null || topicParams(topic) == null) return null;
        return stats.topics.computeIfAbsent(topic, t -> new TopicStats());
    }

    /** The parameters scoring {@code topic}; null if it does not count. */
    private TopicScoreParams topicParams(String topic) {
        return params.topicParams(topic).orElse(null);
    }

    private TopicStats connectedTopicStats(PeerId peer, String topic) {
        PeerStats stats = peers.get(peer);
        return stats == null || !stats.connected ? null : topicStats(peer, topic);
    }

    private double decay(double counter, double factor, long steps) {
        return zeroIfTiny(counter * Math.pow(factor, steps));
    }

    private double zeroIfTiny(double counter) {
        return counter < params.decayToZero() ? 0 : counter;
    }

    private boolean whitelisted(InetAddress ip) {
        for (IpPrefix prefix : params.ipColocationFactorWhitelist()) {
            if (prefix.contains(ip)) return true;
        }
        return false;
    }

    private static InetAddress colocationKey(InetAddress ip) {
        return IpPrefix.mask(ip, ip instanceof Inet4Address ? 32 : IPV6_COLOCATION_PREFIX);
    }
}
