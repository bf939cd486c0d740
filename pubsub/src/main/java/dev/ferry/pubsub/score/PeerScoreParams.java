package dev.ferry.pubsub.score;

import static dev.ferry.pubsub.score.ScoreChecks.atLeast;
import static dev.ferry.pubsub.score.ScoreChecks.atLeastZero;
import static dev.ferry.pubsub.score.ScoreChecks.atMostZero;
import static dev.ferry.pubsub.score.ScoreChecks.inDecayRange;
import static dev.ferry.pubsub.score.ScoreChecks.finite;
import static dev.ferry.pubsub.score.ScoreChecks.notNegative;

import dev.ferry.crypto.PeerId;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The peer score parameters of gossipsub v1.1 that apply to a peer as a whole: the per-topic
 * parameters, the cap on the topics' sum, P5 (application-specific), P6 (IP colocation), P7
 * (behaviour penalty), and the decay and retention settings ("Overview of New Parameters").
 *
 * <p>Validated as the spec and go-libp2p-pubsub require: the topic score cap is {@code >= 0}
 * (0 means no cap); the P5 weight is {@code >= 0} while the application's score may be any
 * finite value; the P6 and P7 weights are {@code <= 0}; a P6 threshold of at least 1 when P6 is
 * on; decay factors in {@code (0, 1)}; a decay interval of at least one second; decay-to-zero in
 * {@code (0, 1)}; a retention of {@code >= 0}. Every failure names the parameter (and the topic).
 *
 * @param topics per-topic parameters by topic; topics not listed get {@code defaultTopic}
 * @param topicScoreCap the largest total the topics may add, {@code >= 0}; 0 for no cap. Caps
 *     only positive totals, so topic penalties always count in full.
 * @param appSpecificScore P5, the application's own score for a peer: any finite value. Called on
 *     the scoring thread for every score, so it must be cheap and must not call back into the
 *     {@link PeerScore}.
 * @param appSpecificWeight weight of P5, {@code >= 0}
 * @param ipColocationFactorWeight weight of P6, {@code <= 0}; 0 turns P6 off
 * @param ipColocationFactorThreshold peers on one IP (IPv6: one /64) before P6 applies, {@code >= 1}
 * @param ipColocationFactorWhitelist networks whose peers P6 never counts
 * @param behaviourPenaltyWeight weight of P7, {@code <= 0}
 * @param behaviourPenaltyThreshold P7 counter a peer may reach before it is penalised, {@code >= 0}
 * @param behaviourPenaltyDecay decay factor of the P7 counter, in {@code (0, 1)}
 * @param decayInterval how often the counters decay, at least 1 s
 * @param decayToZero a decayed counter below this counts as zero, in {@code (0, 1)}
 * @param retainScore how long a disconnected peer's score is remembered, {@code >= 0}
 * @param defaultTopic parameters for every topic not in {@code topics}, for topics whose names
 *     are not known in advance (group chats); empty, and such topics do not count
 */
public record PeerScoreParams(
        Map<String, TopicScoreParams> topics,
        double topicScoreCap,
        ToDoubleFunction<PeerId> appSpecificScore,
        double appSpecificWeight,
        double ipColocationFactorWeight,
        double ipColocationFactorThreshold,
        List<IpPrefix> ipColocationFactorWhitelist,
        double behaviourPenaltyWeight,
        double behaviourPenaltyThreshold,
        double behaviourPenaltyDecay,
        Duration decayInterval,
        double decayToZero,
        Duration retainScore,
        Optional<TopicScoreParams> defaultTopic) {

    /** Counters decay once a second, as go-libp2p-pubsub and js-libp2p-gossipsub default to. */
    public static final Duration DEFAULT_DECAY_INTERVAL = Duration.ofSeconds(1);
    /** The shortest decay interval accepted, as go-libp2p-pubsub. */
    public static final Duration MIN_DECAY_INTERVAL = Duration.ofSeconds(1);
    /** A counter that has decayed to 1% of one event is gone (go-libp2p-pubsub's DefaultDecayToZero). */
    public static final double DEFAULT_DECAY_TO_ZERO = 0.01;
    /**
     * An hour: long enough that a penalised peer cannot shed its score by reconnecting, short
     * enough that a peer penalised by mistake (or by a bug of ours) gets a fresh start.
     */
    public static final Duration DEFAULT_RETAIN_SCORE = Duration.ofHours(1);

    public PeerScoreParams {
        Objects.requireNonNull(topics, "topics");
        Map<String, TopicScoreParams> copy = new LinkedHashMap<>();
        topics.forEach((topic, params) -> {
            Objects.requireNonNull(topic, "topic");
            // TopicScoreParams validate themselves when built; a null one is the only way left to be invalid.
            if (params == null) throw new IllegalArgumentException("topic '" + topic + "': parameters missing");
            copy.put(topic, params);
        });
        topics = Collections.unmodifiableMap(copy);
        atLeastZero("topicScoreCap", topicScoreCap);
        Objects.requireNonNull(appSpecificScore, "appSpecificScore");
        atLeastZero("appSpecificWeight", appSpecificWeight);
        atMostZero("ipColocationFactorWeight", ipColocationFactorWeight);
        finite("ipColocationFactorThreshold", ipColocationFactorThreshold);
        if (ipColocationFactorWeight != 0 && ipColocationFactorThreshold < 1) {
            throw new IllegalArgumentException("ipColocationFactorThreshold must be >= 1, got " + ipColocationFactorThreshold);
        }
        ipColocationFactorWhitelist = List.copyOf(ipColocationFactorWhitelist);
        atMostZero("behaviourPenaltyWeight", behaviourPenaltyWeight);
        atLeastZero("behaviourPenaltyThreshold", behaviourPenaltyThreshold);
        inDecayRange("behaviourPenaltyDecay", behaviourPenaltyDecay);
        atLeast("decayInterval", decayInterval, MIN_DECAY_INTERVAL);
        inDecayRange("decayToZero", decayToZero);
        notNegative("retainScore", retainScore);
        Objects.requireNonNull(defaultTopic, "defaultTopic");
    }

    /** The parameters that score {@code topic}: its own, else the default; empty if it does not count. */
    public Optional<TopicScoreParams> topicParams(String topic) {
        TopicScoreParams own = topics.get(topic);
        return own != null ? Optional.of(own) : defaultTopic;
    }

    /**
     * The decay factor that takes a counter from 1 down to {@link #DEFAULT_DECAY_TO_ZERO} (1%) in
     * {@code intervals} decay intervals: {@code 0.01^(1/intervals)}.
     */
    public static double decayFactor(long intervals) {
        return decayFactor(intervals, DEFAULT_DECAY_TO_ZERO);
    }

    /**
     * The decay factor that takes a counter from 1 down to {@code toFraction} in {@code intervals}
     * decay intervals: {@code toFraction^(1/intervals)}, as go-libp2p-pubsub's
     * ScoreParameterDecayWithBase.
     */
    public static double decayFactor(long intervals, double toFraction) {
        if (intervals < 1) throw new IllegalArgumentException("intervals must be at least 1, got " + intervals);
        inDecayRange("toFraction", toFraction);
        return Math.pow(toFraction, 1.0 / intervals);
    }

    /**
     * The decay factor that takes a counter from 1 down to 1% over {@code decayTime}, decaying
     * every {@code decayInterval} (go-libp2p-pubsub's ScoreParameterDecay). A decay time shorter
     * than one interval counts as one interval.
     */
    public static double decayFactor(Duration decayTime, Duration decayInterval) {
        if (decayInterval.isZero() || decayInterval.isNegative()) {
            throw new IllegalArgumentException("decayInterval must be > 0, got " + decayInterval);
        }
        return decayFactor(Math.max(1, decayTime.dividedBy(decayInterval)));
    }

    /** The documented defaults of {@link Builder}, with no topics. */
    public static PeerScoreParams defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these parameters. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .topicScoreCap(topicScoreCap)
                .appSpecificScore(appSpecificScore)
                .appSpecificWeight(appSpecificWeight)
                .ipColocationFactorWeight(ipColocationFactorWeight)
                .ipColocationFactorThreshold(ipColocationFactorThreshold)
                .ipColocationFactorWhitelist(ipColocationFactorWhitelist)
                .behaviourPenaltyWeight(behaviourPenaltyWeight)
                .behaviourPenaltyThreshold(behaviourPenaltyThreshold)
                .behaviourPenaltyDecay(behaviourPenaltyDecay)
                .decayInterval(decayInterval)
                .decayToZero(decayToZero)
                .retainScore(retainScore);
        topics.forEach(b::topic);
        defaultTopic.ifPresent(b::defaultTopic);
        return b;
    }

    /** Builds {@link PeerScoreParams}; validation happens in {@link #build()}. */
    public static final class Builder {
        private final Map<String, TopicScoreParams> topics = new LinkedHashMap<>();
        /**
         * 25: one topic at its best under the default topic parameters (P1 5 + P2 20). A peer
         * cannot pile up credit across many cheap topics to buy room for misbehaviour, and no
         * topic total reaches the default acceptPX threshold.
         */
        private double topicScoreCap = 25;
        /** No application opinion by default. */
        private ToDoubleFunction<PeerId> appSpecificScore = peer -> 0;
        /** P5 counts as given, so the application states scores directly in score units. */
        private double appSpecificWeight = 1;
        /**
         * P6: more than 10 peers behind one address (a shared NAT of several Ferry users still
         * passes) cost -5 times the squared surplus: 11 peers give -5 (out of the mesh), 12 give
         * -20 (no gossip), 14 give -80 (graylisted).
         */
        private double ipColocationFactorWeight = -5;
        private double ipColocationFactorThreshold = 10;
        /**
         * Loopback: peers on our own machine were started by its owner (whole-network tests,
         * {@code ferry demo}), not by a remote sybil.
         */
        private List<IpPrefix> ipColocationFactorWhitelist = List.of(IpPrefix.IPV4_LOOPBACK, IpPrefix.IPV6_LOOPBACK);
        /**
         * P7: six penalties (broken IWANT promises, GRAFTs in backoff) are free, as a loaded
         * honest peer may earn a few; beyond that -5 times the squared excess, so 8 put a peer
         * below the default gossip threshold and 10 graylist it. Forgotten over ten minutes.
         */
        private double behaviourPenaltyWeight = -5;
        private double behaviourPenaltyThreshold = 6;
        private double behaviourPenaltyDecay = decayFactor(Duration.ofMinutes(10), DEFAULT_DECAY_INTERVAL);
        private Duration decayInterval = DEFAULT_DECAY_INTERVAL;
        private double decayToZero = DEFAULT_DECAY_TO_ZERO;
        private Duration retainScore = DEFAULT_RETAIN_SCORE;
        /** No default: only listed topics count unless the application says otherwise. */
        private Optional<TopicScoreParams> defaultTopic = Optional.empty();

        private Builder() {}

        /** Scores {@code topic} with {@code params}, replacing any earlier parameters for it. */
        public Builder topic(String topic, TopicScoreParams params) {
            topics.put(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(params, "params"));
            return this;
        }

        /** Scores every topic not listed with {@code params}. */
        public Builder defaultTopic(TopicScoreParams params) {
            defaultTopic = Optional.of(Objects.requireNonNull(params, "params"));
            return this;
        }

        public Builder topicScoreCap(double v) { topicScoreCap = v; return this; }
        public Builder appSpecificScore(ToDoubleFunction<PeerId> v) { appSpecificScore = v; return this; }
        public Builder appSpecificWeight(double v) { appSpecificWeight = v; return this; }
        public Builder ipColocationFactorWeight(double v) { ipColocationFactorWeight = v; return this; }
        public Builder ipColocationFactorThreshold(double v) { ipColocationFactorThreshold = v; return this; }
        public Builder ipColocationFactorWhitelist(List<IpPrefix> v) { ipColocationFactorWhitelist = v; return this; }
        public Builder behaviourPenaltyWeight(double v) { behaviourPenaltyWeight = v; return this; }
        public Builder behaviourPenaltyThreshold(double v) { behaviourPenaltyThreshold = v; return this; }
        public Builder behaviourPenaltyDecay(double v) { behaviourPenaltyDecay = v; return this; }
        public Builder decayInterval(Duration v) { decayInterval = v; return this; }
        public Builder decayToZero(double v) { decayToZero = v; return this; }
        public Builder retainScore(Duration v) { retainScore = v; return this; }

        /** @throws IllegalArgumentException naming the first parameter out of its range */
        public PeerScoreParams build() {
            return new PeerScoreParams(topics, topicScoreCap, appSpecificScore, appSpecificWeight,
                    ipColocationFactorWeight, ipColocationFactorThreshold, ipColocationFactorWhitelist,
                    behaviourPenaltyWeight, behaviourPenaltyThreshold, behaviourPenaltyDecay,
                    decayInterval, decayToZero, retainScore, defaultTopic);
        }
    }
}
