package dev.ferry.pubsub.score;

import static dev.ferry.pubsub.score.ScoreFixtures.T0;
import static dev.ferry.pubsub.score.ScoreFixtures.TOPIC;
import static dev.ferry.pubsub.score.ScoreFixtures.at;
import static dev.ferry.pubsub.score.ScoreFixtures.ip;
import static dev.ferry.pubsub.score.ScoreFixtures.msg;
import static dev.ferry.pubsub.score.ScoreFixtures.peer;
import static dev.ferry.pubsub.score.ScoreFixtures.quietPeers;
import static dev.ferry.pubsub.score.ScoreFixtures.quietTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.crypto.PeerId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PeerScoreTest {
    private static final double EPS = 1e-9;
    private final PeerId alice = peer(1);
    private final PeerId bob = peer(2);
    private final PeerId carol = peer(3);

    private static PeerScore scoring(TopicScoreParams topic) {
        return new PeerScore(quietPeers(topic).build(), T0);
    }

    private static PeerScore scoring(PeerScoreParams params) {
        return new PeerScore(params, T0);
    }

    @Test
    void shouldScoreAPeerNeverSeenZero() {
        PeerScore score = scoring(TopicScoreParams.defaults());

        assertThat(score.score(alice, T0)).isZero();
        assertThat(score.isTracked(alice)).isFalse();
    }

    @Test
    void shouldIgnoreEventsForTopicsWithoutParameters() {
        PeerScore score = scoring(quietTopic().invalidMessageDeliveriesWeight(-1).build());
        score.addPeer(alice);

        score.graft(alice, "other", T0);
        score.rejectMessage(alice, msg(1), "other", RejectReason.VALIDATION_FAILED, T0);

        assertThat(score.score(alice, at(100))).isZero();
    }

    @Test
    void shouldScoreUnlistedTopicsWithTheDefaultTopicParameters() {
        TopicScoreParams invalidCosts = quietTopic().invalidMessageDeliveriesWeight(-1).build();
        PeerScore score = scoring(quietPeers(quietTopic().build()).defaultTopic(invalidCosts).build());
        score.addPeer(alice);

        score.rejectMessage(alice, msg(1), "group/any", RejectReason.VALIDATION_FAILED, T0);
        score.rejectMessage(alice, msg(2), TOPIC, RejectReason.VALIDATION_FAILED, T0);

        // The listed topic keeps its own (quiet) parameters; the unlisted one costs 1 squared.
        assertThat(score.score(alice, T0)).isCloseTo(-1, within(EPS));
    }

    @Nested
    class TimeInMeshP1 {
        private final PeerScore score = scoring(quietTopic()
                .timeInMeshWeight(0.5).timeInMeshQuantum(Duration.ofSeconds(10)).timeInMeshCap(6).build());

        @Test
        void shouldCountWholeQuantaSinceTheGraftTimesTheWeight() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);

            assertThat(score.score(alice, at(9.999))).isZero();
            // 25 s = 2 whole quanta of 10 s: 2 * 0.5
            assertThat(score.score(alice, at(25))).isCloseTo(1.0, within(EPS));
        }

        @Test
        void shouldCapTimeInMesh() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);

            // 1000 s = 100 quanta, capped at 6: 6 * 0.5
            assertThat(score.score(alice, at(1000))).isCloseTo(3.0, within(EPS));
        }

        @Test
        void shouldStopCountingAfterPruneAndRestartAtTheNextGraft() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);
            score.prune(alice, TOPIC, at(30));

            assertThat(score.score(alice, at(40))).isZero();

            score.graft(alice, TOPIC, at(100));
            assertThat(score.score(alice, at(115))).isCloseTo(0.5, within(EPS));
        }
    }

    @Nested
    class FirstMessageDeliveriesP2 {
        private final PeerScore score = scoring(quietTopic()
                .firstMessageDeliveriesWeight(2).firstMessageDeliveriesCap(5).firstMessageDeliveriesDecay(0.5).build());

        @Test
        void shouldRewardTheFirstDelivererOnly() {
            score.addPeer(alice);
            score.addPeer(bob);
            for (int m = 0; m < 3; m++) {
                score.validateMessage(alice, msg(m), T0);
                score.duplicateMessage(bob, msg(m), TOPIC, T0);
                score.deliverMessage(alice, msg(m), TOPIC, T0);
            }

            assertThat(score.score(alice, T0)).isCloseTo(3 * 2.0, within(EPS));
            assertThat(score.score(bob, T0)).isZero(); // bob is not in the mesh: no P3 either
        }

        @Test
        void shouldCountADeliveredMessageOnce() {
            score.addPeer(alice);
            score.deliverMessage(alice, msg(1), TOPIC, T0);
            score.deliverMessage(alice, msg(1), TOPIC, T0);

            assertThat(score.score(alice, T0)).isCloseTo(2.0, within(EPS));
        }

        @Test
        void shouldCapFirstDeliveriesAtIncrement() {
            score.addPeer(alice);
            for (int m = 0; m < 8; m++) score.deliverMessage(alice, msg(m), TOPIC, T0);

            assertThat(score.score(alice, T0)).isCloseTo(5 * 2.0, within(EPS));
            // the cap applies to the counter itself: one decay halves 5, not 8
            score.refreshScores(at(1));
            assertThat(score.score(alice, at(1))).isCloseTo(2.5 * 2.0, within(EPS));
        }

        @Test
        void shouldDecayOncePerIntervalAndThenToZero() {
            score.addPeer(alice);
            for (int m = 0; m < 4; m++) score.deliverMessage(alice, msg(m), TOPIC, T0);

            score.refreshScores(at(0.5)); // less than an interval: nothing
            assertThat(score.score(alice, at(0.5))).isCloseTo(8.0, within(EPS));
            score.refreshScores(at(1));
            assertThat(score.score(alice, at(1))).isCloseTo(4 * 0.5 * 2, within(EPS));
            score.refreshScores(at(3.2)); // two more whole intervals at once
            assertThat(score.score(alice, at(3.2))).isCloseTo(4 * 0.125 * 2, within(EPS));
            // 0.5 → 0.25 → 0.125 → 0.0625 → 0.03125 → 0.015625 → 0.0078 < 0.01: zero, not a tiny remainder
            score.refreshScores(at(9));
            assertThat(score.score(alice, at(9))).isEqualTo(0.0);
        }
    }

    @Nested
    class MeshMessageDeliveriesP3 {
        // threshold 4, cap 6, activation 2 s, window 10 ms, weight -1
        private final PeerScore score = scoring(quietTopic()
                .meshMessageDeliveriesWeight(-1).meshMessageDeliveriesThreshold(4).meshMessageDeliveriesCap(6)
                .meshMessageDeliveriesActivation(Duration.ofSeconds(2)).meshMessageDeliveriesWindow(Duration.ofMillis(10))
                .meshMessageDeliveriesDecay(0.5).build());

        @Test
        void shouldNotPenaliseBeforeActivation() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);

            assertThat(score.score(alice, at(2))).isZero();
            // after activation with no deliveries: deficit 4, -1 * 4²
            assertThat(score.score(alice, at(2.001))).isCloseTo(-16, within(EPS));
        }

        @Test
        void shouldPenaliseTheSquaredDeficitOfMeshDeliveries() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);
            score.deliverMessage(alice, msg(1), TOPIC, at(0.5));

            // deficit 4 - 1 = 3
            assertThat(score.score(alice, at(3))).isCloseTo(-9, within(EPS));
        }

        @Test
        void shouldCountDuplicatesReceivedDuringValidationAsNearFirst() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.graft(bob, TOPIC, T0);
            score.validateMessage(alice, msg(1), at(1));
            score.duplicateMessage(bob, msg(1), TOPIC, at(1.2)); // still validating
            score.deliverMessage(alice, msg(1), TOPIC, at(1.5));

            assertThat(score.score(bob, at(3))).isCloseTo(-9, within(EPS));
        }

        @Test
        void shouldCountDuplicatesWithinTheWindowAfterValidationOnly() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.addPeer(carol);
            score.graft(bob, TOPIC, T0);
            score.graft(carol, TOPIC, T0);
            score.deliverMessage(alice, msg(1), TOPIC, at(1));

            score.duplicateMessage(bob, msg(1), TOPIC, at(1.010)); // exactly at the window's end: near-first
            score.duplicateMessage(carol, msg(1), TOPIC, at(1.011)); // too late

            assertThat(score.score(bob, at(3))).isCloseTo(-9, within(EPS));
            assertThat(score.score(carol, at(3))).isCloseTo(-16, within(EPS));
        }

        @Test
        void shouldCountAPeersDuplicatesOfOneMessageOnce() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.graft(bob, TOPIC, T0);
            score.deliverMessage(alice, msg(1), TOPIC, at(1));

            for (int i = 0; i < 3; i++) score.duplicateMessage(bob, msg(1), TOPIC, at(1.001));

            assertThat(score.score(bob, at(3))).isCloseTo(-9, within(EPS));
        }

        @Test
        void shouldNotCreditPeersOutsideTheMesh() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.deliverMessage(alice, msg(1), TOPIC, at(1));
            score.duplicateMessage(bob, msg(1), TOPIC, at(1.001));
            score.graft(bob, TOPIC, at(1.002));

            assertThat(score.score(bob, at(4))).isCloseTo(-16, within(EPS));
        }

        @Test
        void shouldCapMeshDeliveriesAndDecayThem() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);
            for (int m = 0; m < 10; m++) score.deliverMessage(alice, msg(m), TOPIC, at(0.1));

            assertThat(score.score(alice, at(2.5))).isZero();
            // two decays since T0: the cap 6 → 1.5, deficit 2.5; an uncapped 10 would give 2.5, deficit 1.5
            score.refreshScores(at(2.5));
            assertThat(score.score(alice, at(2.5))).isCloseTo(-6.25, within(EPS));
        }
    }

    @Nested
    class MeshFailurePenaltyP3b {
        // P3 weight 0: only the sticky P3b shows. threshold 4, activation 2 s, P3b weight -2
        private final PeerScore score = scoring(quietTopic()
                .meshMessageDeliveriesThreshold(4).meshMessageDeliveriesCap(6)
                .meshMessageDeliveriesActivation(Duration.ofSeconds(2))
                .meshFailurePenaltyWeight(-2).meshFailurePenaltyDecay(0.5).build());

        @Test
        void shouldAddTheSquaredDeficitOnPruneAfterActivation() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);
            score.deliverMessage(alice, msg(1), TOPIC, at(1));
            score.prune(alice, TOPIC, at(5));

            // deficit 3: P3b 9, weight -2
            assertThat(score.score(alice, at(5))).isCloseTo(-18, within(EPS));
            // six decay intervals since T0: 9 / 2⁶
            score.refreshScores(at(6));
            assertThat(score.score(alice, at(6))).isCloseTo(-2 * 9 / 64.0, within(EPS));
        }

        @Test
        void shouldNotPenaliseAPruneBeforeActivationOrWithoutDeficit() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.graft(alice, TOPIC, T0);
            score.prune(alice, TOPIC, at(1.5));
            score.graft(bob, TOPIC, T0);
            for (int m = 0; m < 4; m++) score.deliverMessage(bob, msg(m), TOPIC, at(1));
            score.prune(bob, TOPIC, at(5));

            assertThat(score.score(alice, at(5))).isZero();
            assertThat(score.score(bob, at(5))).isZero();
        }

        @Test
        void shouldAccumulateOverPrunes() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);
            score.prune(alice, TOPIC, at(3)); // deficit 4 → 16
            score.graft(alice, TOPIC, at(3));
            score.prune(alice, TOPIC, at(6)); // again 16

            assertThat(score.score(alice, at(6))).isCloseTo(-2 * 32, within(EPS));
        }

        @Test
        void shouldApplyTheMeshFailurePenaltyWhenAMeshPeerDisconnects() {
            score.addPeer(alice);
            score.graft(alice, TOPIC, T0);
            score.removePeer(alice, at(3));

            assertThat(score.score(alice, at(3))).isCloseTo(-32, within(EPS));
        }
    }

    @Nested
    class InvalidMessagesP4 {
        private final PeerScore score = scoring(quietTopic()
                .invalidMessageDeliveriesWeight(-3).invalidMessageDeliveriesDecay(0.5).build());

        @Test
        void shouldPenaliseTheSquareOfInvalidMessages() {
            score.addPeer(alice);
            for (int m = 0; m < 3; m++) score.rejectMessage(alice, msg(m), TOPIC, RejectReason.VALIDATION_FAILED, T0);

            assertThat(score.score(alice, T0)).isCloseTo(-3 * 9, within(EPS));
            score.refreshScores(at(1)); // 3 → 1.5
            assertThat(score.score(alice, at(1))).isCloseTo(-3 * 2.25, within(EPS));
        }

        @Test
        void shouldPenaliseEveryPeerThatSentAnInvalidMessageBeforeOrAfter() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.addPeer(carol);
            score.validateMessage(alice, msg(1), T0);
            score.duplicateMessage(bob, msg(1), TOPIC, at(0.1));
            score.rejectMessage(alice, msg(1), TOPIC, RejectReason.VALIDATION_FAILED, at(0.2));
            score.duplicateMessage(carol, msg(1), TOPIC, at(5));

            assertThat(score.score(alice, at(5))).isCloseTo(-3, within(EPS));
            assertThat(score.score(bob, at(5))).isCloseTo(-3, within(EPS));
            assertThat(score.score(carol, at(5))).isCloseTo(-3, within(EPS));
        }

        @Test
        void shouldNotPenaliseIgnoredMessagesNorTheirDuplicates() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.validateMessage(alice, msg(1), T0);
            score.duplicateMessage(bob, msg(1), TOPIC, at(0.1));
            score.rejectMessage(alice, msg(1), TOPIC, RejectReason.VALIDATION_IGNORED, at(0.2));
            score.duplicateMessage(bob, msg(1), TOPIC, at(0.3));
            score.rejectMessage(alice, msg(2), TOPIC, RejectReason.VALIDATION_QUEUE_FULL, at(0.4));
            score.rejectMessage(alice, msg(3), TOPIC, RejectReason.BLACKLISTED_SOURCE, at(0.4));

            assertThat(score.score(alice, at(1))).isZero();
            assertThat(score.score(bob, at(1))).isZero();
        }

        @Test
        void shouldPenaliseOnlyTheSenderOfAMalformedMessageAndNotMarkItsId() {
            score.addPeer(alice);
            score.addPeer(bob);
            // alice forwards a copy with a forged signature; the id is that of bob's valid message
            score.rejectMessage(alice, msg(1), TOPIC, RejectReason.INVALID_SIGNATURE, T0);
            score.validateMessage(bob, msg(1), at(0.1));
            score.deliverMessage(bob, msg(1), TOPIC, at(0.2));

            assertThat(score.score(alice, at(1))).isCloseTo(-3, within(EPS));
            assertThat(score.score(bob, at(1))).isZero();
        }

        @Test
        void shouldJudgeAMessageOnce() {
            score.addPeer(alice);
            score.deliverMessage(alice, msg(1), TOPIC, T0);
            score.rejectMessage(alice, msg(1), TOPIC, RejectReason.VALIDATION_FAILED, T0);

            assertThat(score.score(alice, T0)).isZero();
        }
    }

    @Test
    void shouldAddTheApplicationScoreTimesItsWeight() {
        PeerScore score = scoring(quietPeers(quietTopic().build())
                .appSpecificWeight(2)
                .appSpecificScore(peer -> peer.equals(alice) ? 7 : peer.equals(bob) ? -4 : Double.NaN)
                .build());
        score.addPeer(alice);
        score.addPeer(bob);
        score.addPeer(carol);

        assertThat(score.score(alice, T0)).isCloseTo(14, within(EPS));
        assertThat(score.score(bob, T0)).isCloseTo(-8, within(EPS));
        assertThat(score.score(carol, T0)).as("a NaN application score counts as 0").isZero();
    }

    @Nested
    class IpColocationP6 {
        private final PeerScore score = scoring(quietPeers(quietTopic().build())
                .ipColocationFactorWeight(-2).ipColocationFactorThreshold(3)
                .ipColocationFactorWhitelist(List.of(IpPrefix.parse("10.0.0.0/8")))
                .build());

        private List<PeerId> connect(int from, int count, String address) {
            List<PeerId> peers = new java.util.ArrayList<>();
            for (int i = from; i < from + count; i++) {
                PeerId p = peer(i);
                score.addPeer(p);
                score.addIp(p, ip(address));
                peers.add(p);
            }
            return peers;
        }

        @Test
        void shouldPenaliseTheSquaredSurplusOfPeersOnOneAddress() {
            List<PeerId> crowd = connect(10, 5, "203.0.113.7");
            PeerId loner = connect(20, 1, "198.51.100.1").getFirst();

            // 5 peers, threshold 3: surplus 2, -2 * 4 for each of them
            assertThat(crowd).allSatisfy(p -> assertThat(score.score(p, T0)).isCloseTo(-8, within(EPS)));
            assertThat(score.score(loner, T0)).isZero();
        }

        @Test
        void shouldNotPenaliseUpToTheThreshold() {
            List<PeerId> crowd = connect(10, 3, "203.0.113.7");

            assertThat(crowd).allSatisfy(p -> assertThat(score.score(p, T0)).isZero());
        }

        @Test
        void shouldNotCountWhitelistedAddresses() {
            List<PeerId> crowd = connect(10, 6, "10.1.2.3");

            assertThat(crowd).allSatisfy(p -> assertThat(score.score(p, T0)).isZero());
        }

        @Test
        void shouldGroupIpv6PeersByTheir64() {
            List<PeerId> crowd = connect(10, 2, "2001:db8:1:2::1");
            crowd.addAll(connect(12, 2, "2001:db8:1:2::99"));
            PeerId elsewhere = connect(20, 1, "2001:db8:1:3::1").getFirst();

            // 4 peers in 2001:db8:1:2::/64: surplus 1
            assertThat(crowd).allSatisfy(p -> assertThat(score.score(p, T0)).isCloseTo(-2, within(EPS)));
            assertThat(score.score(elsewhere, T0)).isZero();
        }

        @Test
        void shouldStopCountingPeersThatLeaveOrChangeAddress() {
            List<PeerId> crowd = connect(10, 5, "203.0.113.7");

            score.removePeer(crowd.get(0), T0);
            score.removeIp(crowd.get(1), ip("203.0.113.7"));
            score.setIps(crowd.get(2), List.of(ip("198.51.100.1")));

            assertThat(score.peersColocatedWith(ip("203.0.113.7"))).containsExactlyInAnyOrder(crowd.get(3), crowd.get(4));
            assertThat(score.score(crowd.get(3), T0)).isZero();
        }

        @Test
        void shouldWhitelistLoopbackByDefault() {
            PeerScore defaults = scoring(PeerScoreParams.defaults());
            for (int i = 0; i < 30; i++) {
                defaults.addPeer(peer(i));
                defaults.addIp(peer(i), ip("127.0.0.1"));
            }

            assertThat(defaults.score(peer(0), T0)).isZero();
        }
    }

    @Nested
    class BehaviourPenaltyP7 {
        private final PeerScore score = scoring(quietPeers(quietTopic().build())
                .behaviourPenaltyWeight(-1.5).behaviourPenaltyThreshold(2).behaviourPenaltyDecay(0.5).build());

        @Test
        void shouldPenaliseTheSquaredExcessOverTheThreshold() {
            score.addPeer(alice);
            score.addPenalty(alice, 2);
            assertThat(score.score(alice, T0)).isZero();

            score.addPenalty(alice, 3);
            // 5 - 2 = 3: -1.5 * 9
            assertThat(score.score(alice, T0)).isCloseTo(-13.5, within(EPS));
        }

        @Test
        void shouldDecayThePenalty() {
            score.addPeer(alice);
            score.addPenalty(alice, 10);
            score.refreshScores(at(1)); // 10 → 5, excess 3

            assertThat(score.score(alice, at(1))).isCloseTo(-13.5, within(EPS));
        }

        @Test
        void shouldRefuseANegativePenalty() {
            assertThatThrownBy(() -> score.addPenalty(alice, -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("count");
        }
    }

    @Nested
    class TopicWeightAndCap {
        private final TopicScoreParams good = quietTopic().topicWeight(0.5).firstMessageDeliveriesWeight(1)
                .firstMessageDeliveriesCap(100).invalidMessageDeliveriesWeight(-1).build();

        @Test
        void shouldWeighEachTopicAndCapOnlyThePositiveTotal() {
            PeerScore score = scoring(quietPeers(good).topic("second", good).topicScoreCap(12)
                    .appSpecificWeight(1).appSpecificScore(p -> 3).build());
            score.addPeer(alice);
            for (int m = 0; m < 20; m++) score.deliverMessage(alice, msg(m), TOPIC, T0);
            for (int m = 20; m < 36; m++) score.deliverMessage(alice, msg(m), "second", T0);

            // topics: 20 * 0.5 + 16 * 0.5 = 18, capped at 12; P5 outside the cap: + 3
            assertThat(score.score(alice, T0)).isCloseTo(15, within(EPS));

            for (int m = 40; m < 47; m++) score.rejectMessage(alice, msg(m), TOPIC, RejectReason.VALIDATION_FAILED, T0);
            // topic one: (20 - 49) * 0.5 = -14.5, topic two: 8; total -6.5 is below the cap
            assertThat(score.score(alice, T0)).isCloseTo(-6.5 + 3, within(EPS));
        }
    }

    @Nested
    class Retention {
        private final PeerScore score = scoring(quietPeers(quietTopic()
                        .firstMessageDeliveriesWeight(1).invalidMessageDeliveriesWeight(-1).invalidMessageDeliveriesDecay(0.5).build())
                .retainScore(Duration.ofMinutes(10)).build());

        @Test
        void shouldKeepANegativeScoreUndecayedThroughADisconnection() {
            score.addPeer(alice);
            score.rejectMessage(alice, msg(1), TOPIC, RejectReason.VALIDATION_FAILED, T0);
            score.rejectMessage(alice, msg(2), TOPIC, RejectReason.VALIDATION_FAILED, T0);
            score.removePeer(alice, at(1));

            score.refreshScores(at(300));
            assertThat(score.score(alice, at(300))).isCloseTo(-4, within(EPS));
            assertThat(score.retainedPeerCount()).isEqualTo(1);
        }

        @Test
        void shouldResumeTheRetainedScoreButNotThePositiveCountersOnReconnect() {
            score.addPeer(alice);
            for (int m = 0; m < 10; m++) score.deliverMessage(alice, msg(m), TOPIC, T0);
            score.rejectMessage(alice, msg(20), TOPIC, RejectReason.VALIDATION_FAILED, T0);
            assertThat(score.score(alice, T0)).isCloseTo(10 - 1, within(EPS));

            score.removePeer(alice, at(1));
            score.addPeer(alice);

            assertThat(score.score(alice, at(2))).isCloseTo(-1, within(EPS));
            score.refreshScores(at(2)); // decays again once connected: 1 → 0.25 after two intervals
            assertThat(score.score(alice, at(2))).isCloseTo(-0.0625, within(EPS));
        }

        @Test
        void shouldForgetARetainedScoreAfterRetainScore() {
            score.addPeer(alice);
            score.rejectMessage(alice, msg(1), TOPIC, RejectReason.VALIDATION_FAILED, T0);
            score.removePeer(alice, T0);

            score.refreshScores(T0.plus(Duration.ofMinutes(10)));
            assertThat(score.isTracked(alice)).isTrue();
            score.refreshScores(T0.plus(Duration.ofMinutes(10)).plusMillis(1));
            assertThat(score.isTracked(alice)).isFalse();
            assertThat(score.score(alice, T0.plus(Duration.ofMinutes(11)))).isZero();
        }

        @Test
        void shouldForgetAPeerWithNothingToRetainAtOnce() {
            score.addPeer(alice);
            score.deliverMessage(alice, msg(1), TOPIC, T0);
            score.removePeer(alice, T0);

            assertThat(score.isTracked(alice)).isFalse();
        }

        @Test
        void shouldRetainAtMostTheLimitForgettingTheEarliestToLeave() {
            PeerScore bounded = new PeerScore(quietPeers(quietTopic().build()).build(),
                    new PeerScore.Limits(Duration.ofMinutes(2), 100, 8, 8, 2), T0);
            for (int i = 0; i < 3; i++) {
                bounded.addPeer(peer(i));
                bounded.addPenalty(peer(i), 1);
                bounded.removePeer(peer(i), at(i));
            }

            assertThat(bounded.retainedPeerCount()).isEqualTo(2);
            assertThat(bounded.isTracked(peer(0))).isFalse();
            assertThat(bounded.isTracked(peer(2))).isTrue();
        }
    }

    @Nested
    class DeliveryRecordBounds {
        private final PeerScore score = new PeerScore(quietPeers(quietTopic()
                        .meshMessageDeliveriesWeight(-1).meshMessageDeliveriesThreshold(4).meshMessageDeliveriesCap(6)
                        .meshMessageDeliveriesActivation(Duration.ofSeconds(2)).build()).build(),
                new PeerScore.Limits(Duration.ofSeconds(30), 4, 2, 8, 10), T0);

        @Test
        void shouldExpireRecordsAfterTheirTtl() {
            score.validateMessage(alice, msg(1), T0);
            score.validateMessage(alice, msg(2), at(10));

            score.refreshScores(at(30));
            assertThat(score.deliveryRecordCount()).isEqualTo(1);
            score.refreshScores(at(40));
            assertThat(score.deliveryRecordCount()).isZero();
        }

        @Test
        void shouldKeepAtMostTheLimitDroppingTheOldest() {
            for (int m = 0; m < 10; m++) score.validateMessage(alice, msg(m), T0);

            assertThat(score.deliveryRecordCount()).isEqualTo(4);
        }

        @Test
        void shouldRememberAtMostTheLimitOfSendersPerMessage() {
            score.addPeer(alice);
            score.addPeer(bob);
            score.addPeer(carol);
            score.graft(bob, TOPIC, T0);
            score.graft(carol, TOPIC, T0);
            score.validateMessage(alice, msg(1), T0);
            score.duplicateMessage(bob, msg(1), TOPIC, T0);
            score.duplicateMessage(carol, msg(1), TOPIC, T0); // third sender: not remembered
            score.deliverMessage(alice, msg(1), TOPIC, at(0.1));

            assertThat(score.score(bob, at(3))).isCloseTo(-9, within(EPS));
            assertThat(score.score(carol, at(3))).isCloseTo(-16, within(EPS));
        }
    }

    @Test
    void shouldCombineEveryComponentAsTheScoreFunctionSays() {
        TopicScoreParams topic = TopicScoreParams.builder()
                .topicWeight(2)
                .timeInMeshWeight(0.1).timeInMeshQuantum(Duration.ofSeconds(1)).timeInMeshCap(100)
                .firstMessageDeliveriesWeight(1).firstMessageDeliveriesCap(50).firstMessageDeliveriesDecay(0.9)
                .meshMessageDeliveriesWeight(-0.5).meshMessageDeliveriesThreshold(10).meshMessageDeliveriesCap(20)
                .meshMessageDeliveriesActivation(Duration.ofSeconds(5)).meshMessageDeliveriesDecay(0.9)
                .meshFailurePenaltyWeight(-1).meshFailurePenaltyDecay(0.9)
                .invalidMessageDeliveriesWeight(-2).invalidMessageDeliveriesDecay(0.9)
                .build();
        PeerScore score = scoring(PeerScoreParams.builder()
                .topic(TOPIC, topic).topicScoreCap(0)
                .appSpecificWeight(3).appSpecificScore(p -> 1.5)
                .ipColocationFactorWeight(-1).ipColocationFactorThreshold(1).ipColocationFactorWhitelist(List.of())
                .behaviourPenaltyWeight(-1).behaviourPenaltyThreshold(1).behaviourPenaltyDecay(0.9)
                .build());
        score.addPeer(alice);
        score.addPeer(bob);
        score.addIp(alice, ip("192.0.2.1"));
        score.addIp(bob, ip("192.0.2.1"));
        score.graft(alice, TOPIC, T0);
        for (int m = 0; m < 4; m++) score.deliverMessage(alice, msg(m), TOPIC, at(1));
        score.rejectMessage(alice, msg(9), TOPIC, RejectReason.VALIDATION_FAILED, at(1));
        score.addPenalty(alice, 3);

        // P1 = 8 whole seconds, P2 = 4, P3 = (10 - 4)² = 36, P3b = 0, P4 = 1², P5 = 1.5, P6 = (2 - 1)², P7 = (3 - 1)²
        // topics 2 * (0.8 + 4 - 18 - 2) = -30.4; then + 4.5 - 1 - 4
        assertThat(score.score(alice, at(8.5))).isCloseTo(-30.9, within(EPS));
    }
}
