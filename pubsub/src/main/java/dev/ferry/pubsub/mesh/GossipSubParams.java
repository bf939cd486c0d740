package dev.ferry.pubsub.mesh;

import dev.ferry.pubsub.cache.MessageCache;
import dev.ferry.pubsub.cache.SeenCache;
import java.time.Duration;
import java.util.Objects;

/**
 * The GossipSub router parameters (gossipsub-v1.0 "Parameters", gossipsub-v1.1 "Overview of New
 * Parameters") and the bounds of its state, with the spec's defaults ({@link #DEFAULTS}) and
 * go-libp2p-pubsub's where the spec names none. Validated on construction.
 *
 * @param d desired mesh degree, 6
 * @param dLo fewest mesh peers before the heartbeat grafts more, 4 (spec; go uses 5)
 * @param dHi most mesh peers before the heartbeat prunes, 12
 * @param dScore peers kept by score when pruning an oversubscribed mesh, 4; the rest are kept at
 *     random so that new peers can get in
 * @param dOut outbound-connection peers the mesh keeps, 2; less than {@code dLo} and at most
 *     {@code d/2}, so inbound sybils can never take a whole mesh
 * @param dLazy fewest peers to gossip to per topic per heartbeat, 6
 * @param gossipFactor share of the eligible non-mesh peers gossiped to, when more than
 *     {@code dLazy}; 0.25 gives each peer a 58% chance to hear of a message over 3 windows
 * @param heartbeatInterval time between heartbeats, 1 s
 * @param fanoutTtl how long a fanout set is kept after our last publish to its topic, 60 s
 * @param historyLength message cache windows ({@code mcache_len}), 5
 * @param historyGossip windows gossiped ({@code mcache_gossip}), 3
 * @param gossipRetransmission IWANT answers per message per peer, 3
 * @param seenTtl how long a message id counts as seen, 2 minutes
 * @param pruneBackoff backoff after a PRUNE, both ways, 1 minute
 * @param unsubscribeBackoff backoff announced in PRUNEs sent when we leave a topic, 10 s: we may
 *     rejoin soon, and the peers should be free to graft us again
 * @param graftFloodThreshold a GRAFT this soon after our PRUNE earns a second penalty, 10 s
 * @param peerExchange whether our PRUNEs carry PX peers; off by default as in go and js, as it
 *     gives away who our peers are; turn it on for bootstrap nodes
 * @param prunePeers PX peers per PRUNE sent, and most accepted from one received, 16 (above
 *     {@code dHi} so a pruned peer can rebuild a whole mesh)
 * @param opportunisticGraftTicks heartbeats between opportunistic grafting checks, 60 (1 minute)
 * @param opportunisticGraftPeers peers grafted when the mesh's median score is low, 2
 * @param maxIHaveLength message ids per IHAVE sent, and ids we ask for per peer per heartbeat,
 *     5000
 * @param maxIHaveMessages IHAVE RPCs accepted per peer per heartbeat, 10
 * @param maxIWantMessages IWANT RPCs answered per peer per heartbeat, 10 (js's
 *     GossipsubMaxIWantMessages)
 * @param iwantFollowupTime how long a peer has to deliver a message it advertised and we asked
 *     for, before its promise counts as broken, 3 s
 * @param floodPublish whether our own messages go to every topic peer above the publish
 *     threshold rather than to the mesh, true
 * @param maxPeers peers tracked at once; above the host's connection limit (512), so it only
 *     bounds a misbehaving caller
 * @param maxTopicsPerPeer topics one peer may be known subscribed to, 1024
 * @param maxKnownTopics distinct topics peers are known subscribed to, 16,384
 * @param maxSubscriptions topics we may join, 1024: each mesh costs heartbeat work
 * @param maxPromises IWANT promises tracked at once, 16,384; past it new ones go untracked, as
 *     tracking is a sample anyway
 * @param maxBackoffEntries (peer, topic) backoffs held at once, 65,536; past it new backoffs are
 *     not recorded, which only weakens backoff towards newcomers under a flood of PeerIds
 * @param messageCacheMaxMessages messages in the message cache, {@link MessageCache#DEFAULT_MAX_MESSAGES}
 * @param messageCacheMaxBytes bytes in the message cache, {@link MessageCache#DEFAULT_MAX_BYTES}
 * @param seenMaxEntries ids in the seen cache, {@link SeenCache#DEFAULT_MAX_ENTRIES}
 */
public record GossipSubParams(
        int d,
        int dLo,
        int dHi,
        int dScore,
        int dOut,
        int dLazy,
        double gossipFactor,
        Duration heartbeatInterval,
        Duration fanoutTtl,
        int historyLength,
        int historyGossip,
        int gossipRetransmission,
        Duration seenTtl,
        Duration pruneBackoff,
        Duration unsubscribeBackoff,
        Duration graftFloodThreshold,
        boolean peerExchange,
        int prunePeers,
        int opportunisticGraftTicks,
        int opportunisticGraftPeers,
        int maxIHaveLength,
        int maxIHaveMessages,
        int maxIWantMessages,
        Duration iwantFollowupTime,
        boolean floodPublish,
        int maxPeers,
        int maxTopicsPerPeer,
        int maxKnownTopics,
        int maxSubscriptions,
        int maxPromises,
        int maxBackoffEntries,
        int messageCacheMaxMessages,
        long messageCacheMaxBytes,
        int seenMaxEntries) {

    /**
     * Largest mesh degree accepted. The heartbeat sorts and scans mesh and topic peers; a mesh
     * this large already floods more than it gossips.
     */
    public static final int MAX_DEGREE = 1024;
    /**
     * Longest backoff accepted, in our parameters and in a PRUNE from a peer, 1 hour: the spec
     * recommends 1 minute, and a peer asking for more only keeps us from grafting it for longer.
     */
    public static final Duration MAX_BACKOFF = Duration.ofHours(1);

    /** The defaults, as documented on each parameter. */
    public static final GossipSubParams DEFAULTS = builder().build();

    public GossipSubParams {
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(fanoutTtl, "fanoutTtl");
        Objects.requireNonNull(seenTtl, "seenTtl");
        Objects.requireNonNull(pruneBackoff, "pruneBackoff");
        Objects.requireNonNull(unsubscribeBackoff, "unsubscribeBackoff");
        Objects.requireNonNull(graftFloodThreshold, "graftFloodThreshold");
        Objects.requireNonNull(iwantFollowupTime, "iwantFollowupTime");
        if (dLo < 0 || dScore < 0 || dOut < 0 || dLazy < 0) throw new IllegalArgumentException("degrees must not be negative");
        if (!(dLo <= d && d <= dHi)) throw new IllegalArgumentException("need dLo <= d <= dHi, got " + dLo + ", " + d + ", " + dHi);
        if (dHi > MAX_DEGREE) throw new IllegalArgumentException("dHi must be at most " + MAX_DEGREE);
        if (dScore > d) throw new IllegalArgumentException("dScore must be at most d");
        // The spec: D_out below D_lo and at most D/2. A mesh-less node (all zero, as the spec's
        // bootstrappers) has no outbound quota to keep.
        if (dOut > d / 2 || (dOut > 0 && dOut >= dLo)) {
            throw new IllegalArgumentException("need dOut < dLo and dOut <= d/2, got dOut " + dOut);
        }
        if (dLazy > MAX_DEGREE) throw new IllegalArgumentException("dLazy must be at most " + MAX_DEGREE);
        if (!(gossipFactor >= 0 && gossipFactor <= 1)) throw new IllegalArgumentException("gossipFactor must be in [0, 1]");
        requirePositive(heartbeatInterval, "heartbeatInterval");
        requirePositive(fanoutTtl, "fanoutTtl");
        requirePositive(seenTtl, "seenTtl");
        requirePositive(iwantFollowupTime, "iwantFollowupTime");
        requireBackoff(pruneBackoff, "pruneBackoff");
        requireBackoff(unsubscribeBackoff, "unsubscribeBackoff");
        if (graftFloodThreshold.isNegative() || graftFloodThreshold.compareTo(pruneBackoff) > 0) {
            throw new IllegalArgumentException("graftFloodThreshold must be in [0, pruneBackoff]");
        }
        if (historyLength < 1 || historyLength > MessageCache.MAX_HISTORY_LENGTH) {
            throw new IllegalArgumentException("historyLength must be in [1, " + MessageCache.MAX_HISTORY_LENGTH + "]");
        }
        if (historyGossip < 0 || historyGossip > historyLength) throw new IllegalArgumentException("historyGossip must be in [0, historyLength]");
        if (gossipRetransmission < 1) throw new IllegalArgumentException("gossipRetransmission must be at least 1");
        if (prunePeers < 0 || prunePeers > MAX_DEGREE) throw new IllegalArgumentException("prunePeers must be in [0, " + MAX_DEGREE + "]");
        if (opportunisticGraftTicks < 1) throw new IllegalArgumentException("opportunisticGraftTicks must be at least 1");
        if (opportunisticGraftPeers < 0 || opportunisticGraftPeers > MAX_DEGREE) {
            throw new IllegalArgumentException("opportunisticGraftPeers must be in [0, " + MAX_DEGREE + "]");
        }
        if (maxIHaveLength < 1 || maxIHaveMessages < 1 || maxIWantMessages < 1) {
            throw new IllegalArgumentException("IHAVE/IWANT limits must be at least 1");
        }
        if (maxPeers < 1 || maxTopicsPerPeer < 1 || maxKnownTopics < 1 || maxSubscriptions < 1
                || maxPromises < 1 || maxBackoffEntries < 1) {
            throw new IllegalArgumentException("state bounds must be at least 1");
        }
        if (messageCacheMaxMessages < 1 || messageCacheMaxBytes < 1 || seenMaxEntries < 1) {
            throw new IllegalArgumentException("cache bounds must be at least 1");
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }

    private static void requireBackoff(Duration value, String name) {
        if (value.isNegative() || value.compareTo(MAX_BACKOFF) > 0) {
            throw new IllegalArgumentException(name + " must be in [0, " + MAX_BACKOFF + "]");
        }
    }

    /** A message cache sized by these parameters. */
    public <M> MessageCache<M> newMessageCache() {
        return new MessageCache<>(historyLength, historyGossip, messageCacheMaxMessages, messageCacheMaxBytes,
                gossipRetransmission);
    }

    /** A seen cache sized by these parameters. */
    public SeenCache newSeenCache() {
        return new SeenCache(seenTtl, seenMaxEntries);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these parameters. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.d = d; b.dLo = dLo; b.dHi = dHi; b.dScore = dScore; b.dOut = dOut; b.dLazy = dLazy;
        b.gossipFactor = gossipFactor; b.heartbeatInterval = heartbeatInterval; b.fanoutTtl = fanoutTtl;
        b.historyLength = historyLength; b.historyGossip = historyGossip; b.gossipRetransmission = gossipRetransmission;
        b.seenTtl = seenTtl; b.pruneBackoff = pruneBackoff; b.unsubscribeBackoff = unsubscribeBackoff;
        b.graftFloodThreshold = graftFloodThreshold; b.peerExchange = peerExchange; b.prunePeers = prunePeers;
        b.opportunisticGraftTicks = opportunisticGraftTicks; b.opportunisticGraftPeers = opportunisticGraftPeers;
        b.maxIHaveLength = maxIHaveLength; b.maxIHaveMessages = maxIHaveMessages; b.maxIWantMessages = maxIWantMessages;
        b.iwantFollowupTime = iwantFollowupTime; b.floodPublish = floodPublish; b.maxPeers = maxPeers;
        b.maxTopicsPerPeer = maxTopicsPerPeer; b.maxKnownTopics = maxKnownTopics; b.maxSubscriptions = maxSubscriptions;
        b.maxPromises = maxPromises; b.maxBackoffEntries = maxBackoffEntries;
        b.messageCacheMaxMessages = messageCacheMaxMessages; b.messageCacheMaxBytes = messageCacheMaxBytes;
        b.seenMaxEntries = seenMaxEntries;
        return b;
    }

    /** Builds {@link GossipSubParams}; every setter starts at the documented default. */
    public static final class Builder {
        private int d = 6;
        private int dLo = 4;
        private int dHi = 12;
        private int dScore = 4;
        private int dOut = 2;
        private int dLazy = 6;
        private double gossipFactor = 0.25;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration fanoutTtl = Duration.ofSeconds(60);
        private int historyLength = MessageCache.DEFAULT_HISTORY_LENGTH;
        private int historyGossip = MessageCache.DEFAULT_HISTORY_GOSSIP;
        private int gossipRetransmission = MessageCache.DEFAULT_GOSSIP_RETRANSMISSION;
        private Duration seenTtl = SeenCache.DEFAULT_TTL;
        private Duration pruneBackoff = Duration.ofMinutes(1);
        private Duration unsubscribeBackoff = Duration.ofSeconds(10);
        private Duration graftFloodThreshold = Duration.ofSeconds(10);
        private boolean peerExchange = false;
        private int prunePeers = 16;
        private int opportunisticGraftTicks = 60;
        private int opportunisticGraftPeers = 2;
        private int maxIHaveLength = 5000;
        private int maxIHaveMessages = 10;
        private int maxIWantMessages = 10;
        private Duration iwantFollowupTime = Duration.ofSeconds(3);
        private boolean floodPublish = true;
        private int maxPeers = 1024;
        private int maxTopicsPerPeer = 1024;
        private int maxKnownTopics = 16_384;
        private int maxSubscriptions = 1024;
        private int maxPromises = 16_384;
        private int maxBackoffEntries = 65_536;
        private int messageCacheMaxMessages = MessageCache.DEFAULT_MAX_MESSAGES;
        private long messageCacheMaxBytes = MessageCache.DEFAULT_MAX_BYTES;
        private int seenMaxEntries = SeenCache.DEFAULT_MAX_ENTRIES;

        private Builder() {}

        /** Sets d, dLo and dHi together, as they are validated together. */
        public Builder degrees(int d, int dLo, int dHi) { this.d = d; this.dLo = dLo; this.dHi = dHi; return this; }
        public Builder dScore(int v) { this.dScore = v; return this; }
        public Builder dOut(int v) { this.dOut = v; return this; }
        public Builder dLazy(int v) { this.dLazy = v; return this; }
        public Builder gossipFactor(double v) { this.gossipFactor = v; return this; }
        public Builder heartbeatInterval(Duration v) { this.heartbeatInterval = v; return this; }
        public Builder fanoutTtl(Duration v) { this.fanoutTtl = v; return this; }
        public Builder history(int length, int gossip) { this.historyLength = length; this.historyGossip = gossip; return this; }
        public Builder gossipRetransmission(int v) { this.gossipRetransmission = v; return this; }
        public Builder seenTtl(Duration v) { this.seenTtl = v; return this; }
        public Builder pruneBackoff(Duration v) { this.pruneBackoff = v; return this; }
        public Builder unsubscribeBackoff(Duration v) { this.unsubscribeBackoff = v; return this; }
        public Builder graftFloodThreshold(Duration v) { this.graftFloodThreshold = v; return this; }
        public Builder peerExchange(boolean v) { this.peerExchange = v; return this; }
        public Builder prunePeers(int v) { this.prunePeers = v; return this; }
        public Builder opportunisticGraftTicks(int v) { this.opportunisticGraftTicks = v; return this; }
        public Builder opportunisticGraftPeers(int v) { this.opportunisticGraftPeers = v; return this; }
        public Builder maxIHaveLength(int v) { this.maxIHaveLength = v; return this; }
        public Builder maxIHaveMessages(int v) { this.maxIHaveMessages = v; return this; }
        public Builder maxIWantMessages(int v) { this.maxIWantMessages = v; return this; }
        public Builder iwantFollowupTime(Duration v) { this.iwantFollowupTime = v; return this; }
        public Builder floodPublish(boolean v) { this.floodPublish = v; return this; }
        public Builder maxPeers(int v) { this.maxPeers = v; return this; }
        public Builder maxTopicsPerPeer(int v) { this.maxTopicsPerPeer = v; return this; }
        public Builder maxKnownTopics(int v) { this.maxKnownTopics = v; return this; }
        public Builder maxSubscriptions(int v) { this.maxSubscriptions = v; return this; }
        public Builder maxPromises(int v) { this.maxPromises = v; return this; }
        public Builder maxBackoffEntries(int v) { this.maxBackoffEntries = v; return this; }
        public Builder messageCacheMaxMessages(int v) { this.messageCacheMaxMessages = v; return this; }
        public Builder messageCacheMaxBytes(long v) { this.messageCacheMaxBytes = v; return this; }
        public Builder seenMaxEntries(int v) { this.seenMaxEntries = v; return this; }

        public GossipSubParams build() {
            return new GossipSubParams(d, dLo, dHi, dScore, dOut, dLazy, gossipFactor, heartbeatInterval, fanoutTtl,
                    historyLength, historyGossip, gossipRetransmission, seenTtl, pruneBackoff, unsubscribeBackoff,
                    graftFloodThreshold, peerExchange, prunePeers, opportunisticGraftTicks, opportunisticGraftPeers,
                    maxIHaveLength, maxIHaveMessages, maxIWantMessages, iwantFollowupTime, floodPublish, maxPeers,
                    maxTopicsPerPeer, maxKnownTopics, maxSubscriptions, maxPromises, maxBackoffEntries,
                    messageCacheMaxMessages, messageCacheMaxBytes, seenMaxEntries);
        }
    }
}
