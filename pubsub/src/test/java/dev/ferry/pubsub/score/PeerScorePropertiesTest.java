package dev.ferry.pubsub.score;

import static dev.ferry.pubsub.score.ScoreFixtures.T0;
import static dev.ferry.pubsub.score.ScoreFixtures.TOPIC;
import static dev.ferry.pubsub.score.ScoreFixtures.ip;
import static dev.ferry.pubsub.score.ScoreFixtures.msg;
import static dev.ferry.pubsub.score.ScoreFixtures.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.pubsub.message.MessageId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random event sequences: scores stay finite, and within their caps where the formula bounds them. */
class PeerScorePropertiesTest {
    private static final List<String> TOPICS = List.of(TOPIC, "second", "unscored");
    private static final List<String> ADDRESSES = List.of("192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2", "127.0.0.1");
    private static final int PEERS = 8;
    private static final PeerScore.Limits SMALL = new PeerScore.Limits(Duration.ofSeconds(20), 16, 3, 2, 3);

    private static TopicScoreParams.Builder everythingOn() {
        return TopicScoreParams.builder()
                .topicWeight(0.7)
                .timeInMeshWeight(0.3).timeInMeshQuantum(Duration.ofSeconds(1)).timeInMeshCap(20)
                .firstMessageDeliveriesWeight(1.5).firstMessageDeliveriesCap(10).firstMessageDeliveriesDecay(0.8)
                .meshMessageDeliveriesWeight(-0.5).meshMessageDeliveriesThreshold(3).meshMessageDeliveriesCap(6)
                .meshMessageDeliveriesDecay(0.7).meshMessageDeliveriesActivation(Duration.ofSeconds(2))
                .meshMessageDeliveriesWindow(Duration.ofMillis(50))
                .meshFailurePenaltyWeight(-1).meshFailurePenaltyDecay(0.6)
                .invalidMessageDeliveriesWeight(-2).invalidMessageDeliveriesDecay(0.9);
    }

    private static PeerScoreParams.Builder params(TopicScoreParams topic) {
        return PeerScoreParams.builder()
                .topic(TOPIC, topic).topic("second", topic)
                .topicScoreCap(0)
                .appSpecificWeight(2).appSpecificScore(p -> (p.toBytes()[33] % 3) - 1)
                .ipColocationFactorWeight(-1).ipColocationFactorThreshold(1)
                .behaviourPenaltyWeight(-1).behaviourPenaltyThreshold(1).behaviourPenaltyDecay(0.9)
                .decayToZero(0.01).retainScore(Duration.ofSeconds(30));
    }

    /** Applies {@code steps} random events, checking {@code check} on every peer after each. */
    private static void run(Random random, PeerScore score, int steps, ScoreCheck check) {
        Instant now = T0;
        for (int step = 0; step < steps; step++) {
            now = now.plusMillis(random.nextInt(10) == 0 ? random.nextInt(60_000) : random.nextInt(200));
            PeerId p = peer(random.nextInt(PEERS));
            String topic = TOPICS.get(random.nextInt(TOPICS.size()));
            MessageId id = msg(random.nextInt(24));
            switch (random.nextInt(13)) {
                case 0 -> score.addPeer(p);
                case 1 -> score.removePeer(p, now);
                case 2 -> score.addIp(p, ip(ADDRESSES.get(random.nextInt(ADDRESSES.size()))));
                case 3 -> score.removeIp(p, ip(ADDRESSES.get(random.nextInt(ADDRESSES.size()))));
                case 4 -> score.graft(p, topic, now);
                case 5 -> score.prune(p, topic, now);
                case 6 -> score.validateMessage(p, id, now);
                case 7, 8 -> score.deliverMessage(p, id, topic, now);
                case 9 -> score.duplicateMessage(p, id, topic, now);
                case 10 -> score.rejectMessage(p, id, topic, RejectReason.values()[random.nextInt(RejectReason.values().length)], now);
                case 11 -> score.addPenalty(p, random.nextInt(3));
                default -> score.refreshScores(now);
            }
            for (int i = 0; i < PEERS; i++) check.check(score, peer(i), now);
            assertThat(score.retainedPeerCount()).isLessThanOrEqualTo(SMALL.maxRetainedPeers());
            assertThat(score.deliveryRecordCount()).isLessThanOrEqualTo(SMALL.maxDeliveryRecords());
        }
    }

    private interface ScoreCheck {
        void check(PeerScore score, PeerId peer, Instant now);
    }

    @Test
    void shouldNeverProduceANonFiniteScore() {
        SeededProperty.forAll(200, random -> {
            PeerScore score = new PeerScore(params(everythingOn().build()).build(), SMALL, T0);
            // Upper bound: every positive component at its cap in both scored topics, plus the largest P5.
            double maxTopic = 0.7 * (0.3 * 20 + 1.5 * 10);
            double upper = 2 * maxTopic + 2 * 1;
            run(random, score, 400, (s, peer, now) -> assertThat(s.score(peer, now)).isFinite().isLessThanOrEqualTo(upper + 1e-9));
        });
    }

    @Test
    void shouldStayWithinTheCapsWhenOnlyBoundedComponentsAreOn() {
        SeededProperty.forAll(200, random -> {
            // P1, P2, P3 and P5 only: P3 can cost at most threshold², the rest is capped.
            TopicScoreParams bounded = everythingOn().meshFailurePenaltyWeight(0).invalidMessageDeliveriesWeight(0).build();
            PeerScore score = new PeerScore(params(bounded).ipColocationFactorWeight(0).behaviourPenaltyWeight(0)
                    .topicScoreCap(12).build(), SMALL, T0);
            double lower = 2 * 0.7 * (-0.5 * 3 * 3) - 2;
            double upper = 12 + 2;
            run(random, score, 400, (s, peer, now) -> assertThat(s.score(peer, now)).isBetween(lower - 1e-9, upper + 1e-9));
        });
    }

    @Test
    void shouldScoreAPeerBackToZeroOnceEverythingHasDecayed() {
        SeededProperty.forAll(50, random -> {
            PeerScore score = new PeerScore(params(everythingOn().build()).appSpecificWeight(0).build(), SMALL, T0);
            run(random, score, 300, (s, peer, now) -> { });
            Instant later = T0.plus(Duration.ofDays(1));
            for (int i = 0; i < PEERS; i++) {
                score.removePeer(peer(i), later);
                score.addPeer(peer(i));
            }
            score.refreshScores(later.plus(Duration.ofHours(1)));
            for (int i = 0; i < PEERS; i++) assertThat(score.score(peer(i), later.plus(Duration.ofHours(1)))).isZero();
        });
    }
}
