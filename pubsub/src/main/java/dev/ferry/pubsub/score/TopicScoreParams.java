package dev.ferry.pubsub.score;

import static dev.ferry.pubsub.score.ScoreChecks.atLeast;
import static dev.ferry.pubsub.score.ScoreChecks.atLeastZero;
import static dev.ferry.pubsub.score.ScoreChecks.atMostZero;
import static dev.ferry.pubsub.score.ScoreChecks.inDecayRange;
import static dev.ferry.pubsub.score.ScoreChecks.notNegative;
import static dev.ferry.pubsub.score.ScoreChecks.positive;

import java.time.Duration;
import java.util.Objects;

/**
 * The per-topic score parameters of gossipsub v1.1 ("Overview of New Parameters"): how a peer's
 * behaviour in one topic (P1 to P4) adds to its score, and how much the topic itself weighs.
 * A topic with no parameters does not count towards any score.
 *
 * <p>Validated as the spec and go-libp2p-pubsub require: positive-reward weights (P1, P2) are
 * {@code >= 0}, penalty weights (P3, P3b, P4) are {@code <= 0} (0 turns a component off), every
 * decay factor is in {@code (0, 1)}, caps and quanta are positive, the P3 cap is at least its
 * threshold, and the P3 activation is at least one second so that a freshly grafted peer has time
 * to deliver something before it can be penalised.
 *
 * <p>The {@linkplain #defaults() defaults} suit a chat topic with an unpredictable message rate:
 * P3 and P3b are off (weight 0), because a delivery-rate threshold only makes sense for a topic
 * with a known steady rate; a quiet group would otherwise penalise every honest mesh peer. Turn
 * them on per topic with {@link Builder#meshMessageDeliveriesWeight} and
 * {@link Builder#meshFailurePenaltyWeight} once the rate is known.
 *
 * @param topicWeight how much this topic's score counts in the total, {@code >= 0}
 * @param timeInMeshWeight weight of P1, time in mesh, {@code >= 0}
 * @param timeInMeshQuantum time in mesh that earns one point of P1, {@code > 0}
 * @param timeInMeshCap the largest P1, {@code > 0}
 * @param firstMessageDeliveriesWeight weight of P2, first message deliveries, {@code >= 0}
 * @param firstMessageDeliveriesDecay decay factor of the P2 counter, in {@code (0, 1)}
 * @param firstMessageDeliveriesCap the largest P2 counter, {@code > 0}
 * @param meshMessageDeliveriesWeight weight of P3, the mesh delivery deficit, {@code <= 0}
 * @param meshMessageDeliveriesDecay decay factor of the P3 counter, in {@code (0, 1)}
 * @param meshMessageDeliveriesCap the largest P3 counter, {@code >= meshMessageDeliveriesThreshold}
 * @param meshMessageDeliveriesThreshold P3 deliveries below which a mesh peer is penalised, {@code > 0}
 * @param meshMessageDeliveriesWindow how long after validation a duplicate still counts as a
 *     near-first delivery for P3, {@code >= 0}; the spec says a few milliseconds
 * @param meshMessageDeliveriesActivation time in mesh before P3 applies, at least 1 s
 * @param meshFailurePenaltyWeight weight of P3b, the sticky mesh failure penalty, {@code <= 0}
 * @param meshFailurePenaltyDecay decay factor of the P3b counter, in {@code (0, 1)}
 * @param invalidMessageDeliveriesWeight weight of P4, invalid messages, {@code <= 0}
 * @param invalidMessageDeliveriesDecay decay factor of the P4 counter, in {@code (0, 1)}
 */
public record TopicScoreParams(
        double topicWeight,
        double timeInMeshWeight,
        Duration timeInMeshQuantum,
        double timeInMeshCap,
        double firstMessageDeliveriesWeight,
        double firstMessageDeliveriesDecay,
        double firstMessageDeliveriesCap,
        double meshMessageDeliveriesWeight,
        double meshMessageDeliveriesDecay,
        double meshMessageDeliveriesCap,
        double meshMessageDeliveriesThreshold,
        Duration meshMessageDeliveriesWindow,
        Duration meshMessageDeliveriesActivation,
        double meshFailurePenaltyWeight,
        double meshFailurePenaltyDecay,
        double invalidMessageDeliveriesWeight,
        double invalidMessageDeliveriesDecay) {

    /**
     * The shortest P3 activation accepted, as go-libp2p-pubsub: a shorter one would penalise a
     * peer for a deficit before a message could reasonably have arrived through it.
     */
    public static final Duration MIN_MESH_MESSAGE_DELIVERIES_ACTIVATION = Duration.ofSeconds(1);

    public TopicScoreParams {
        atLeastZero("topicWeight", topicWeight);
        atLeastZero("timeInMeshWeight", timeInMeshWeight);
        Objects.requireNonNull(timeInMeshQuantum, "timeInMeshQuantum");
        if (timeInMeshQuantum.isZero() || timeInMeshQuantum.isNegative()) {
            throw new IllegalArgumentException("timeInMeshQuantum must be > 0, got " + timeInMeshQuantum);
        }
        positive("timeInMeshCap", timeInMeshCap);
        atLeastZero("firstMessageDeliveriesWeight", firstMessageDeliveriesWeight);
        inDecayRange("firstMessageDeliveriesDecay", firstMessageDeliveriesDecay);
        positive("firstMessageDeliveriesCap", firstMessageDeliveriesCap);
        atMostZero("meshMessageDeliveriesWeight", meshMessageDeliveriesWeight);
        inDecayRange("meshMessageDeliveriesDecay", meshMessageDeliveriesDecay);
        positive("meshMessageDeliveriesThreshold", meshMessageDeliveriesThreshold);
        positive("meshMessageDeliveriesCap", meshMessageDeliveriesCap);
        if (meshMessageDeliveriesCap < meshMessageDeliveriesThreshold) {
            throw new IllegalArgumentException("meshMessageDeliveriesCap must be >= meshMessageDeliveriesThreshold ("
                    + meshMessageDeliveriesThreshold + "), got " + meshMessageDeliveriesCap);
        }
        notNegative("meshMessageDeliveriesWindow", meshMessageDeliveriesWindow);
        atLeast("meshMessageDeliveriesActivation", meshMessageDeliveriesActivation, MIN_MESH_MESSAGE_DELIVERIES_ACTIVATION);
        atMostZero("meshFailurePenaltyWeight", meshFailurePenaltyWeight);
        inDecayRange("meshFailurePenaltyDecay", meshFailurePenaltyDecay);
        atMostZero("invalidMessageDeliveriesWeight", invalidMessageDeliveriesWeight);
        inDecayRange("invalidMessageDeliveriesDecay", invalidMessageDeliveriesDecay);
    }

    /** The documented defaults of {@link Builder}. */
    public static TopicScoreParams defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these parameters. */
    public Builder toBuilder() {
        return new Builder()
                .topicWeight(topicWeight)
                .timeInMeshWeight(timeInMeshWeight)
                .timeInMeshQuantum(timeInMeshQuantum)
                .timeInMeshCap(timeInMeshCap)
                .firstMessageDeliveriesWeight(firstMessageDeliveriesWeight)
                .firstMessageDeliveriesDecay(firstMessageDeliveriesDecay)
                .firstMessageDeliveriesCap(firstMessageDeliveriesCap)
                .meshMessageDeliveriesWeight(meshMessageDeliveriesWeight)
                .meshMessageDeliveriesDecay(meshMessageDeliveriesDecay)
                .meshMessageDeliveriesCap(meshMessageDeliveriesCap)
                .meshMessageDeliveriesThreshold(meshMessageDeliveriesThreshold)
                .meshMessageDeliveriesWindow(meshMessageDeliveriesWindow)
                .meshMessageDeliveriesActivation(meshMessageDeliveriesActivation)
                .meshFailurePenaltyWeight(meshFailurePenaltyWeight)
                .meshFailurePenaltyDecay(meshFailurePenaltyDecay)
                .invalidMessageDeliveriesWeight(invalidMessageDeliveriesWeight)
                .invalidMessageDeliveriesDecay(invalidMessageDeliveriesDecay);
    }

    /**
     * Builds {@link TopicScoreParams}; validation happens in {@link #build()}. Decay defaults
     * assume the default decay interval of one second ({@link PeerScoreParams#DEFAULT_DECAY_INTERVAL}).
     */
    public static final class Builder {
        /** Every topic counts fully unless the application says otherwise. */
        private double topicWeight = 1.0;
        /**
         * P1: half a point per minute in the mesh up to ten minutes, at most 5. Only meant to
         * keep long-standing mesh peers over newcomers when pruning an oversubscribed mesh; too
         * small to offset a single invalid message.
         */
        private double timeInMeshWeight = 0.5;
        private Duration timeInMeshQuantum = Duration.ofMinutes(1);
        private double timeInMeshCap = 10;
        /**
         * P2: one point per first delivery, at most 20, fading to 1% over ten minutes: rewards
         * peers that actually bring us messages, for about as long as a conversation lasts.
         */
        private double firstMessageDeliveriesWeight = 1.0;
        private double firstMessageDeliveriesDecay = PeerScoreParams.decayFactor(Duration.ofMinutes(10), PeerScoreParams.DEFAULT_DECAY_INTERVAL);
        private double firstMessageDeliveriesCap = 20;
        /**
         * P3 off by default (see the type's comment). The other values are a starting point for
         * a topic with about one message a minute: at least one delivery over the last minute or
         * so, after a minute in the mesh, near-first within the spec's few milliseconds.
         */
        private double meshMessageDeliveriesWeight = 0;
        private double meshMessageDeliveriesDecay = PeerScoreParams.decayFactor(Duration.ofMinutes(1), PeerScoreParams.DEFAULT_DECAY_INTERVAL);
        private double meshMessageDeliveriesCap = 10;
        private double meshMessageDeliveriesThreshold = 1;
        private Duration meshMessageDeliveriesWindow = Duration.ofMillis(5);
        private Duration meshMessageDeliveriesActivation = Duration.ofMinutes(1);
        /** P3b off with P3: it records P3's deficit at prune time, so it needs P3's tuning too. */
        private double meshFailurePenaltyWeight = 0;
        private double meshFailurePenaltyDecay = PeerScoreParams.decayFactor(Duration.ofMinutes(10), PeerScoreParams.DEFAULT_DECAY_INTERVAL);
        /**
         * P4: -10 per squared invalid message, fading over an hour. Honest peers validate before
         * forwarding, so an invalid message is a strong signal: one drops a peer out of the mesh
         * (score -10), two below the default gossip threshold (-40), three below the default
         * graylist threshold (-90).
         */
        private double invalidMessageDeliveriesWeight = -10;
        private double invalidMessageDeliveriesDecay = PeerScoreParams.decayFactor(Duration.ofHours(1), PeerScoreParams.DEFAULT_DECAY_INTERVAL);

        private Builder() {}

        public Builder topicWeight(double v) { topicWeight = v; return this; }
        public Builder timeInMeshWeight(double v) { timeInMeshWeight = v; return this; }
        public Builder timeInMeshQuantum(Duration v) { timeInMeshQuantum = v; return this; }
        public Builder timeInMeshCap(double v) { timeInMeshCap = v; return this; }
        public Builder firstMessageDeliveriesWeight(double v) { firstMessageDeliveriesWeight = v; return this; }
        public Builder firstMessageDeliveriesDecay(double v) { firstMessageDeliveriesDecay = v; return this; }
        public Builder firstMessageDeliveriesCap(double v) { firstMessageDeliveriesCap = v; return this; }
        public Builder meshMessageDeliveriesWeight(double v) { meshMessageDeliveriesWeight = v; return this; }
        public Builder meshMessageDeliveriesDecay(double v) { meshMessageDeliveriesDecay = v; return this; }
        public Builder meshMessageDeliveriesCap(double v) { meshMessageDeliveriesCap = v; return this; }
        public Builder meshMessageDeliveriesThreshold(double v) { meshMessageDeliveriesThreshold = v; return this; }
        public Builder meshMessageDeliveriesWindow(Duration v) { meshMessageDeliveriesWindow = v; return this; }
        public Builder meshMessageDeliveriesActivation(Duration v) { meshMessageDeliveriesActivation = v; return this; }
        public Builder meshFailurePenaltyWeight(double v) { meshFailurePenaltyWeight = v; return this; }
        public Builder meshFailurePenaltyDecay(double v) { meshFailurePenaltyDecay = v; return this; }
        public Builder invalidMessageDeliveriesWeight(double v) { invalidMessageDeliveriesWeight = v; return this; }
        public Builder invalidMessageDeliveriesDecay(double v) { invalidMessageDeliveriesDecay = v; return this; }

        /** @throws IllegalArgumentException naming the first parameter out of its range */
        public TopicScoreParams build() {
            return new TopicScoreParams(topicWeight, timeInMeshWeight, timeInMeshQuantum, timeInMeshCap,
                    firstMessageDeliveriesWeight, firstMessageDeliveriesDecay, firstMessageDeliveriesCap,
                    meshMessageDeliveriesWeight, meshMessageDeliveriesDecay, meshMessageDeliveriesCap,
                    meshMessageDeliveriesThreshold, meshMessageDeliveriesWindow, meshMessageDeliveriesActivation,
                    meshFailurePenaltyWeight, meshFailurePenaltyDecay,
                    invalidMessageDeliveriesWeight, invalidMessageDeliveriesDecay);
        }
    }
}
