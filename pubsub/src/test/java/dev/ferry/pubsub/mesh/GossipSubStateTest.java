package dev.ferry.pubsub.mesh;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.RandomPeerIds;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.pubsub.cache.MessageCache;
import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.score.PeerScoreThresholds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GossipSubStateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String TOPIC = "chat";
    private static final PeerScoreThresholds THRESHOLDS = new PeerScoreThresholds(-10, -50, -80, 10, 5);
    private static final Function<String, List<MessageId>> NO_GOSSIP = topic -> List.of();

    private final Random random = new Random(3);
    private final PeerId local = RandomPeerIds.peer(random);
    private final Map<PeerId, Double> scores = new HashMap<>();

    private GossipSubState state() {
        return state(GossipSubParams.DEFAULTS);
    }

    private GossipSubState state(GossipSubParams params) {
        return new GossipSubState(local, params, p -> scores.getOrDefault(p, 0.0), THRESHOLDS, new Random(5));
    }

    /** {@code count} new peers, tracked and subscribed to {@code topic}. */
    private List<PeerId> connect(GossipSubState state, int count, boolean outbound, String topic) {
        List<PeerId> peers = RandomPeerIds.peers(random, count);
        for (PeerId peer : peers) {
            assertThat(state.addPeer(peer, outbound)).isTrue();
            assertThat(state.peerSubscribed(peer, topic)).isTrue();
        }
        return peers;
    }

    private static MessageId id(String name) {
        return MessageId.of(name.getBytes(StandardCharsets.UTF_8));
    }

    private static List<MessageId> ids(String prefix, int count) {
        List<MessageId> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(id(prefix + i));
        return out;
    }

    private static Set<PeerId> graftPeers(List<Graft> grafts) {
        Set<PeerId> out = new HashSet<>();
        for (Graft graft : grafts) out.add(graft.peer());
        return out;
    }

    // ---------------------------------------------------------------- join and leave

    @Test
    void shouldGraftDPeersWhenJoining() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 20, false, TOPIC);

        List<Graft> grafts = state.join(TOPIC, T0);

        assertThat(grafts).hasSize(6).allSatisfy(g -> assertThat(g.topic()).isEqualTo(TOPIC));
        assertThat(state.meshPeers(TOPIC)).isEqualTo(graftPeers(grafts));
        assertThat(peers).containsAll(state.meshPeers(TOPIC));
        assertThat(state.join(TOPIC, T0)).isEmpty();
        assertThat(state.subscriptions()).containsExactly(TOPIC);
    }

    @Test
    void shouldMoveTheFanoutPeersIntoTheMeshWhenJoiningExceptNegativeOnes() {
        GossipSubState state = state();
        connect(state, 20, false, TOPIC);
        Set<PeerId> fanout = state.publishTargets(TOPIC, false, T0);
        assertThat(fanout).hasSize(6);
        assertThat(state.fanoutPeers(TOPIC)).isEqualTo(fanout);
        PeerId negative = fanout.iterator().next();
        scores.put(negative, -1.0);

        state.join(TOPIC, T0);

        Set<PeerId> expected = new HashSet<>(fanout);
        expected.remove(negative);
        assertThat(state.meshPeers(TOPIC)).hasSize(6).containsAll(expected).doesNotContain(negative);
        assertThat(state.fanoutTopics()).isEmpty();
    }

    @Test
    void shouldPruneEveryMeshPeerWithTheUnsubscribeBackoffWhenLeaving() {
        GossipSubState state = state();
        connect(state, 6, false, TOPIC);
        state.join(TOPIC, T0);
        Set<PeerId> mesh = state.meshPeers(TOPIC);

        List<Prune> prunes = state.leave(TOPIC, T0);

        assertThat(prunes).hasSize(6).allSatisfy(p -> {
            assertThat(p.reason()).isEqualTo(PruneReason.UNSUBSCRIBED);
            assertThat(p.backoff()).isEqualTo(Duration.ofSeconds(10));
            assertThat(state.backoffUntil(p.peer(), TOPIC)).contains(T0.plusSeconds(10));
        });
        assertThat(prunes.stream().map(Prune::peer)).containsExactlyInAnyOrderElementsOf(mesh);
        assertThat(state.subscriptions()).isEmpty();
        assertThat(state.leave(TOPIC, T0)).isEmpty();
        // Rejoining within the backoff (plus a heartbeat of slack) grafts none of them.
        assertThat(state.join(TOPIC, T0.plusSeconds(5))).isEmpty();
        state.leave(TOPIC, T0.plusSeconds(5));
        assertThat(graftPeers(state.join(TOPIC, T0.plusSeconds(11)))).isEqualTo(mesh);
    }

    @Test
    void shouldRefuseToJoinMoreThanMaxSubscriptionsTopics() {
        GossipSubState state = state(GossipSubParams.builder().maxSubscriptions(2).build());
        state.join("a", T0);
        state.join("b", T0);

        assertThat(state.canJoin()).isFalse();
        assertThatThrownBy(() -> state.join("c", T0)).isInstanceOf(IllegalStateException.class);
        assertThat(state.join("a", T0)).isEmpty();
    }

    // ---------------------------------------------------------------- heartbeat mesh maintenance

    @Test
    void shouldFillTheMeshToDWhenItIsBelowDLo() {
        GossipSubState state = state();
        connect(state, 3, false, TOPIC);
        assertThat(state.join(TOPIC, T0)).hasSize(3);
        connect(state, 10, false, TOPIC);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

        assertThat(actions.grafts()).hasSize(3);
        assertThat(state.meshPeers(TOPIC)).hasSize(6).containsAll(graftPeers(actions.grafts()));
        assertThat(actions.prunes()).isEmpty();
    }

    @Test
    void shouldLeaveAMeshOfAtLeastDLoPeersAlone() {
        GossipSubState state = state();
        connect(state, 4, false, TOPIC);
        state.join(TOPIC, T0);
        connect(state, 10, false, TOPIC);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

        assertThat(actions.grafts()).isEmpty();
        assertThat(state.meshPeers(TOPIC)).hasSize(4);
    }

    @Test
    void shouldTrimAMeshAboveDHiToDKeepingTheDScoreBestAndTheDOutOutboundPeers() {
        GossipSubState state = state();
        state.join(TOPIC, T0);
        List<PeerId> inbound = connect(state, 10, false, TOPIC);
        List<PeerId> outbound = connect(state, 4, true, TOPIC);
        for (int i = 0; i < inbound.size(); i++) scores.put(inbound.get(i), 10.0 + i);
        for (PeerId peer : outbound) scores.put(peer, 1.0); // the worst scores: kept only for the quota
        for (PeerId peer : inbound) assertThat(state.handleGraft(peer, TOPIC, T0)).isInstanceOf(GraftResult.Accepted.class);
        for (PeerId peer : outbound) assertThat(state.handleGraft(peer, TOPIC, T0)).isInstanceOf(GraftResult.Accepted.class);
        assertThat(state.meshPeers(TOPIC)).hasSize(14);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

        Set<PeerId> mesh = state.meshPeers(TOPIC);
        assertThat(mesh).hasSize(6).containsAll(inbound.subList(6, 10)); // scores 16..19
        assertThat(mesh.stream().filter(outbound::contains)).hasSize(2);
        assertThat(actions.prunes()).hasSize(8).allSatisfy(p -> {
            assertThat(p.reason()).isEqualTo(PruneReason.OVERSUBSCRIBED);
            assertThat(p.backoff()).isEqualTo(Duration.ofMinutes(1));
            assertThat(mesh).doesNotContain(p.peer());
            assertThat(state.backoffUntil(p.peer(), TOPIC)).contains(T0.plusSeconds(61));
        });
        assertThat(actions.grafts()).isEmpty();
    }

    @Test
    void shouldAlwaysTrimToDKeepingTheBestScoresAndTheOutboundQuota() {
        SeededProperty.forAll(200, r -> {
            scores.clear();
            GossipSubState state = new GossipSubState(local, GossipSubParams.DEFAULTS,
                    p -> scores.getOrDefault(p, 0.0), THRESHOLDS, r);
            state.join(TOPIC, T0);
            int size = 13 + r.nextInt(20);
            List<PeerId> members = new ArrayList<>();
            for (PeerId peer : RandomPeerIds.peers(r, size)) {
                state.addPeer(peer, r.nextInt(4) == 0);
                state.peerSubscribed(peer, TOPIC);
                scores.put(peer, r.nextDouble() * 100); // distinct with certainty in practice
            }
            // Outbound peers first, so that the inbound ones are accepted while the mesh is below D_hi.
            state.topicPeers(TOPIC).stream().sorted(Comparator.comparing(p -> !state.isOutbound(p))).forEach(p -> {
                if (state.handleGraft(p, TOPIC, T0) instanceof GraftResult.Accepted) members.add(p);
            });
            long outboundBefore = members.stream().filter(state::isOutbound).count();

            state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

            Set<PeerId> mesh = state.meshPeers(TOPIC);
            List<PeerId> best = members.stream().sorted(Comparator.comparingDouble(p -> -scores.get(p))).limit(4).toList();
            long outboundAfter = mesh.stream().filter(state::isOutbound).count();
            if (members.size() > 12) {
                assertThat(mesh).hasSize(6).containsAll(best);
                assertThat(outboundAfter).isGreaterThanOrEqualTo(Math.min(2, outboundBefore));
            } else {
                assertThat(mesh).hasSize(members.size());
            }
        });
    }

    @Test
    void shouldPruneNegativeScorePeersWithoutPeerExchange() {
        GossipSubState state = state(GossipSubParams.builder().peerExchange(true).build());
        connect(state, 10, false, TOPIC);
        state.join(TOPIC, T0);
        PeerId bad = state.meshPeers(TOPIC).iterator().next();
        scores.put(bad, -1.0);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

        assertThat(actions.prunes()).containsExactly(
                new Prune(bad, TOPIC, Duration.ofMinutes(1), List.of(), PruneReason.NEGATIVE_SCORE));
        assertThat(state.meshPeers(TOPIC)).hasSize(5).doesNotContain(bad);
        assertThat(state.backoffUntil(bad, TOPIC)).contains(T0.plusSeconds(61));
        assertThat(actions.grafts()).isEmpty(); // 5 is not below D_lo
    }

    @Test
    void shouldNeverGraftNegativeOrBackedOffPeersWhenFilling() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 8, false, TOPIC);
        scores.put(peers.get(0), -1.0);
        scores.put(peers.get(1), -1.0);
        state.join(TOPIC, T0); // six: every peer but the two negative ones
        state.handlePrune(peers.get(2), TOPIC, null, List.of(), T0);
        state.handlePrune(peers.get(3), TOPIC, null, List.of(), T0);
        state.handlePrune(peers.get(4), TOPIC, null, List.of(), T0);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

        assertThat(actions.grafts()).isEmpty();
        assertThat(state.meshPeers(TOPIC)).containsExactlyInAnyOrderElementsOf(peers.subList(5, 8));
    }

    @Test
    void shouldGraftOutboundPeersWhenTheMeshLacksItsOutboundQuota() {
        GossipSubState state = state();
        connect(state, 6, false, TOPIC);
        state.join(TOPIC, T0);
        List<PeerId> outbound = connect(state, 3, true, TOPIC);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

        assertThat(actions.grafts()).hasSize(2);
        assertThat(outbound).containsAll(graftPeers(actions.grafts()));
        assertThat(state.meshPeers(TOPIC)).hasSize(8);
    }

    @Test
    void shouldGraftOpportunisticallyOnlyEveryNTicksAndOnlyWhenTheMedianScoreIsLow() {
        GossipSubState state = state();
        List<PeerId> weak = connect(state, 6, false, TOPIC);
        weak.forEach(p -> scores.put(p, 1.0)); // below the threshold of 5
        state.join(TOPIC, T0);
        List<PeerId> strong = connect(state, 4, false, TOPIC);
        strong.forEach(p -> scores.put(p, 20.0));
        List<PeerId> mediocre = connect(state, 4, false, TOPIC);
        mediocre.forEach(p -> scores.put(p, 1.0)); // not above the median: never grafted for it

        for (int tick = 1; tick < 60; tick++) {
            assertThat(state.heartbeat(T0.plusSeconds(tick), NO_GOSSIP).grafts()).as("tick %d", tick).isEmpty();
        }
        HeartbeatActions sixtieth = state.heartbeat(T0.plusSeconds(60), NO_GOSSIP);

        assertThat(sixtieth.grafts()).hasSize(2);
        assertThat(strong).containsAll(graftPeers(sixtieth.grafts()));
        assertThat(state.meshPeers(TOPIC)).hasSize(8);
    }

    @Test
    void shouldNotGraftOpportunisticallyWhenTheMedianScoreIsHighEnough() {
        GossipSubState state = state();
        List<PeerId> good = connect(state, 6, false, TOPIC);
        good.forEach(p -> scores.put(p, 6.0));
        state.join(TOPIC, T0);
        connect(state, 4, false, TOPIC).forEach(p -> scores.put(p, 50.0));

        for (int tick = 1; tick <= 120; tick++) {
            assertThat(state.heartbeat(T0.plusSeconds(tick), NO_GOSSIP).grafts()).isEmpty();
        }
        assertThat(state.meshPeers(TOPIC)).containsExactlyInAnyOrderElementsOf(good);
    }

    // ---------------------------------------------------------------- GRAFT and PRUNE received

    @Test
    void shouldRefuseAGraftDuringTheBackoffWithAPenaltyAndExtendTheBackoff() {
        GossipSubState state = state();
        connect(state, 10, false, TOPIC);
        state.join(TOPIC, T0);
        PeerId peer = state.meshPeers(TOPIC).iterator().next();
        scores.put(peer, -1.0);
        state.heartbeat(T0, NO_GOSSIP); // pruned, backed off until T0 + 60 s
        scores.put(peer, 0.0);

        GraftResult early = state.handleGraft(peer, TOPIC, T0.plusSeconds(5));
        assertThat(early).isEqualTo(new GraftResult.Refused(
                new Prune(peer, TOPIC, Duration.ofMinutes(1), List.of(), PruneReason.GRAFT_DURING_BACKOFF), 2));
        assertThat(state.backoffUntil(peer, TOPIC)).contains(T0.plusSeconds(65));

        GraftResult later = state.handleGraft(peer, TOPIC, T0.plusSeconds(30));
        assertThat(later).isInstanceOfSatisfying(GraftResult.Refused.class,
                r -> assertThat(r.behaviourPenalty()).isEqualTo(1));
        assertThat(state.backoffUntil(peer, TOPIC)).contains(T0.plusSeconds(90));
        assertThat(state.meshPeers(TOPIC)).doesNotContain(peer);

        assertThat(state.handleGraft(peer, TOPIC, T0.plusSeconds(90))).isInstanceOf(GraftResult.Accepted.class);
        assertThat(state.meshPeers(TOPIC)).contains(peer);
    }

    @Test
    void shouldIgnoreGraftsForTopicsNotJoinedAndFromUntrackedPeers() {
        GossipSubState state = state();
        PeerId peer = connect(state, 1, false, TOPIC).getFirst();

        assertThat(state.handleGraft(peer, TOPIC, T0))
                .isEqualTo(new GraftResult.Ignored(GraftResult.IgnoreReason.UNKNOWN_TOPIC));
        state.join(TOPIC, T0);
        assertThat(state.handleGraft(RandomPeerIds.peer(random), TOPIC, T0))
                .isEqualTo(new GraftResult.Ignored(GraftResult.IgnoreReason.UNKNOWN_PEER));
        assertThat(state.handleGraft(peer, TOPIC, T0)).isInstanceOf(GraftResult.AlreadyInMesh.class);
        assertThat(state.backoffCount()).isZero();
    }

    @Test
    void shouldRefuseAnInboundGraftWhenTheMeshIsFullButAcceptAnOutboundOne() {
        GossipSubState state = state(GossipSubParams.builder().peerExchange(true).build());
        state.join(TOPIC, T0);
        List<PeerId> inbound = connect(state, 13, false, TOPIC);
        for (PeerId peer : inbound.subList(0, 12)) state.handleGraft(peer, TOPIC, T0);
        PeerId extra = inbound.get(12);
        PeerId outbound = connect(state, 1, true, TOPIC).getFirst();

        GraftResult refused = state.handleGraft(extra, TOPIC, T0);

        assertThat(refused).isInstanceOfSatisfying(GraftResult.Refused.class, r -> {
            assertThat(r.behaviourPenalty()).isZero();
            assertThat(r.prune().reason()).isEqualTo(PruneReason.GRAFT_MESH_FULL);
            assertThat(r.prune().peerExchange()).isNotEmpty().hasSizeLessThanOrEqualTo(16).doesNotContain(extra);
        });
        assertThat(state.backoffUntil(extra, TOPIC)).contains(T0.plusSeconds(60));
        assertThat(state.handleGraft(outbound, TOPIC, T0)).isInstanceOf(GraftResult.Accepted.class);
        assertThat(state.meshPeers(TOPIC)).hasSize(13);
    }

    @Test
    void shouldRefuseAGraftFromANegativeScorePeerWithoutPeerExchange() {
        GossipSubState state = state(GossipSubParams.builder().peerExchange(true).build());
        state.join(TOPIC, T0);
        PeerId peer = connect(state, 1, true, TOPIC).getFirst();
        connect(state, 5, false, TOPIC);
        scores.put(peer, -0.5);

        GraftResult result = state.handleGraft(peer, TOPIC, T0);

        assertThat(result).isEqualTo(new GraftResult.Refused(
                new Prune(peer, TOPIC, Duration.ofMinutes(1), List.of(), PruneReason.GRAFT_NEGATIVE_SCORE), 0));
        assertThat(state.backoffUntil(peer, TOPIC)).contains(T0.plusSeconds(60));
    }

    @Test
    void shouldObeyThePrunesBackoffAndGraftThePeerAgainOnlyAfterItAndAHeartbeatOfSlack() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 5, false, TOPIC);
        state.join(TOPIC, T0);
        PeerId shortBackoff = peers.get(0);
        PeerId noBackoff = peers.get(1);

        assertThat(state.handlePrune(shortBackoff, TOPIC, Duration.ofSeconds(30), List.of(), T0).removedFromMesh()).isTrue();
        assertThat(state.handlePrune(noBackoff, TOPIC, null, List.of(), T0).removedFromMesh()).isTrue();

        assertThat(state.backoffUntil(shortBackoff, TOPIC)).contains(T0.plusSeconds(30));
        assertThat(state.backoffUntil(noBackoff, TOPIC)).contains(T0.plusSeconds(60)); // ours, as it gave none
        assertThat(state.heartbeat(T0.plusSeconds(10), NO_GOSSIP).grafts()).isEmpty();
        assertThat(state.heartbeat(T0.plusSeconds(30), NO_GOSSIP).grafts()).isEmpty();
        assertThat(state.heartbeat(T0.plusSeconds(31), NO_GOSSIP).grafts()).containsExactly(new Graft(shortBackoff, TOPIC));
        // And the peer's GRAFT while its own backoff of us runs is refused as well.
        assertThat(state.handleGraft(noBackoff, TOPIC, T0.plusSeconds(40))).isInstanceOf(GraftResult.Refused.class);
    }

    @Test
    void shouldCapTheBackoffAPeerAsksFor() {
        GossipSubState state = state();
        PeerId peer = connect(state, 1, false, TOPIC).getFirst();
        state.join(TOPIC, T0);

        state.handlePrune(peer, TOPIC, Duration.ofDays(365), List.of(), T0);

        assertThat(state.backoffUntil(peer, TOPIC)).contains(T0.plus(GossipSubParams.MAX_BACKOFF));
    }

    @Test
    void shouldIgnoreAPruneForATopicNotJoined() {
        GossipSubState state = state();
        PeerId peer = connect(state, 1, false, TOPIC).getFirst();

        PruneOutcome outcome = state.handlePrune(peer, TOPIC, null, RandomPeerIds.peers(random, 3), T0);

        assertThat(outcome).isEqualTo(new PruneOutcome(false, List.of()));
        assertThat(state.backoffCount()).isZero();
    }

    @Test
    void shouldTakePeerExchangeOnlyFromPeersAtTheAcceptThresholdAndOnlyNewPeers() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 6, false, TOPIC);
        state.join(TOPIC, T0);
        PeerId lowScore = peers.get(0);
        PeerId trusted = peers.get(1);
        scores.put(trusted, 10.0);
        List<PeerId> offered = new ArrayList<>(RandomPeerIds.peers(random, 30));
        offered.add(local);
        offered.add(peers.get(2));

        assertThat(state.handlePrune(lowScore, TOPIC, null, offered, T0).peersToConnect()).isEmpty();
        List<PeerId> toConnect = state.handlePrune(trusted, TOPIC, null, offered, T0).peersToConnect();

        assertThat(toConnect).hasSize(16).doesNotHaveDuplicates().doesNotContain(local, peers.get(2));
        assertThat(offered).containsAll(toConnect);
    }

    // ---------------------------------------------------------------- publish, forward, fanout

    @Test
    void shouldFloodPublishToEveryTopicPeerAtThePublishThresholdWithoutMakingAFanout() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 20, false, TOPIC);
        scores.put(peers.get(0), -60.0);
        scores.put(peers.get(1), -60.0);
        scores.put(peers.get(2), -20.0); // below gossip, above publish

        Set<PeerId> targets = state.publishTargets(TOPIC, true, T0);

        assertThat(targets).hasSize(18).doesNotContain(peers.get(0), peers.get(1)).contains(peers.get(2));
        assertThat(state.fanoutTopics()).isEmpty();
        assertThat(state.publishTargets("nobody-here", true, T0)).isEmpty();
    }

    @Test
    void shouldPublishWithoutFloodToTheMeshToppedUpToD() {
        GossipSubState state = state();
        connect(state, 3, false, TOPIC);
        state.join(TOPIC, T0);
        connect(state, 5, false, TOPIC);

        Set<PeerId> targets = state.publishTargets(TOPIC, false, T0);

        assertThat(targets).hasSize(6).containsAll(state.meshPeers(TOPIC));
        assertThat(state.meshPeers(TOPIC)).hasSize(3);
    }

    @Test
    void shouldReuseTheFanoutAndExpireItAfterTheTtlWithoutPublishing() {
        GossipSubState state = state();
        connect(state, 10, false, TOPIC);
        Set<PeerId> first = state.publishTargets(TOPIC, false, T0);
        assertThat(first).hasSize(6);
        assertThat(state.publishTargets(TOPIC, false, T0.plusSeconds(30))).isEqualTo(first);

        state.heartbeat(T0.plusSeconds(90), NO_GOSSIP);
        assertThat(state.fanoutPeers(TOPIC)).isEqualTo(first); // 60 s after the last publish, at 30 s

        state.heartbeat(T0.plusSeconds(91), NO_GOSSIP);
        assertThat(state.fanoutTopics()).isEmpty();
    }

    @Test
    void shouldTopUpTheFanoutAndDropPeersThatLeftTheTopicOrFellBelowThePublishThreshold() {
        GossipSubState state = state();
        List<PeerId> early = connect(state, 3, false, TOPIC);
        assertThat(state.publishTargets(TOPIC, false, T0)).hasSize(3);
        connect(state, 10, false, TOPIC);
        state.peerUnsubscribed(early.get(0), TOPIC);
        scores.put(early.get(1), -60.0);

        state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);

        assertThat(state.fanoutPeers(TOPIC)).hasSize(6).doesNotContain(early.get(0), early.get(1)).contains(early.get(2));
    }

    @Test
    void shouldForwardToTheMeshExceptTheSourceAndTheOriginator() {
        GossipSubState state = state();
        connect(state, 6, false, TOPIC);
        state.join(TOPIC, T0);
        List<PeerId> mesh = new ArrayList<>(state.meshPeers(TOPIC));

        Set<PeerId> targets = state.forwardTargets(TOPIC, mesh.get(0), mesh.get(1));

        assertThat(targets).containsExactlyInAnyOrderElementsOf(mesh.subList(2, 6));
        assertThat(state.forwardTargets(TOPIC, mesh.get(0), null)).hasSize(5);
        assertThat(state.forwardTargets("not-joined", mesh.get(0), null)).isEmpty();
    }

    // ---------------------------------------------------------------- gossip: IHAVE, IWANT, promises

    @Test
    void shouldGossipToDLazyOrTheGossipFactorOfTheEligiblePeersOutsideTheMesh() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 40, false, TOPIC);
        state.join(TOPIC, T0);
        List<MessageId> ids = ids("m", 3);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), topic -> topic.equals(TOPIC) ? ids : List.of());

        // 34 eligible peers: a quarter of them is 8, more than D_lazy.
        assertThat(actions.gossip()).hasSize(8);
        actions.gossip().forEach((peer, ihaves) -> {
            assertThat(state.meshPeers(TOPIC)).doesNotContain(peer);
            assertThat(ihaves).containsExactly(new IHave(TOPIC, ids));
        });

        List<PeerId> outside = peers.stream().filter(p -> !state.meshPeers(TOPIC).contains(p)).toList();
        outside.subList(0, 10).forEach(p -> scores.put(p, -20.0)); // below the gossip threshold
        HeartbeatActions fewer = state.heartbeat(T0.plusSeconds(2), topic -> ids);
        assertThat(fewer.gossip()).hasSize(6).doesNotContainKeys(outside.subList(0, 10).toArray(PeerId[]::new));
        assertThat(state.heartbeat(T0.plusSeconds(3), NO_GOSSIP).gossip()).isEmpty();
    }

    @Test
    void shouldSendEachPeerItsOwnSampleWhenThereAreMoreIdsThanAnIHaveHolds() {
        GossipSubState state = state(GossipSubParams.builder().maxIHaveLength(5).build());
        connect(state, 20, false, TOPIC);
        state.join(TOPIC, T0);
        List<MessageId> ids = ids("m", 12);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), topic -> ids);

        assertThat(actions.gossip()).isNotEmpty().allSatisfy((peer, ihaves) ->
                assertThat(ihaves.getFirst().messageIds()).hasSize(5).doesNotHaveDuplicates().isSubsetOf(ids));
        assertThat(actions.gossip().values().stream().map(l -> Set.copyOf(l.getFirst().messageIds())).distinct().count())
                .isGreaterThan(1);
    }

    @Test
    void shouldGossipAboutFanoutTopicsToPeersOutsideTheFanout() {
        GossipSubState state = state();
        connect(state, 20, false, "news");
        state.publishTargets("news", false, T0);
        List<MessageId> ids = ids("n", 2);

        HeartbeatActions actions = state.heartbeat(T0.plusSeconds(1), topic -> ids);

        assertThat(actions.gossip()).hasSize(6)
                .allSatisfy((peer, ihaves) -> assertThat(state.fanoutPeers("news")).doesNotContain(peer));
    }

    @Test
    void shouldAcceptAtMostMaxIHaveMessagesIHavesFromAPeerPerHeartbeat() {
        GossipSubState state = state();
        PeerId peer = connect(state, 1, false, TOPIC).getFirst();
        state.join(TOPIC, T0);

        for (int i = 0; i < 10; i++) {
            assertThat(state.handleIHave(peer, List.of(new IHave(TOPIC, List.of(id("m" + i)))), id -> false, T0))
                    .containsExactly(id("m" + i));
        }
        assertThat(state.handleIHave(peer, List.of(new IHave(TOPIC, List.of(id("m10")))), id -> false, T0)).isEmpty();

        state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);
        assertThat(state.handleIHave(peer, List.of(new IHave(TOPIC, List.of(id("m10")))), id -> false, T0.plusSeconds(1)))
                .containsExactly(id("m10"));
    }

    @Test
    void shouldAskAPeerForAtMostMaxIHaveLengthIdsPerHeartbeat() {
        GossipSubState state = state(GossipSubParams.builder().maxIHaveLength(10).build());
        PeerId peer = connect(state, 1, false, TOPIC).getFirst();
        state.join(TOPIC, T0);

        List<MessageId> first = state.handleIHave(peer, List.of(new IHave(TOPIC, ids("a", 4))), id -> false, T0);
        List<MessageId> second = state.handleIHave(peer, List.of(new IHave(TOPIC, ids("b", 10))), id -> false, T0);
        List<MessageId> third = state.handleIHave(peer, List.of(new IHave(TOPIC, ids("c", 3))), id -> false, T0);

        assertThat(first).containsExactlyInAnyOrderElementsOf(ids("a", 4));
        assertThat(second).hasSize(6).doesNotHaveDuplicates().isSubsetOf(ids("b", 10));
        assertThat(third).isEmpty();
        state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);
        assertThat(state.handleIHave(peer, List.of(new IHave(TOPIC, ids("d", 25))), id -> false, T0)).hasSize(10);
    }

    @Test
    void shouldAskOnlyForUnseenIdsOfJoinedTopicsFromPeersAtTheGossipThreshold() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 2, false, TOPIC);
        state.join(TOPIC, T0);
        Set<MessageId> seen = Set.of(id("old"));

        List<MessageId> wanted = state.handleIHave(peers.get(0),
                List.of(new IHave(TOPIC, List.of(id("old"), id("new"), id("new"))), new IHave("other", List.of(id("x")))),
                seen::contains, T0);

        assertThat(wanted).containsExactly(id("new"));
        scores.put(peers.get(1), -11.0);
        assertThat(state.handleIHave(peers.get(1), List.of(new IHave(TOPIC, List.of(id("new2")))), seen::contains, T0))
                .isEmpty();
        assertThat(state.handleIHave(RandomPeerIds.peer(random), List.of(new IHave(TOPIC, List.of(id("n")))), id -> false, T0))
                .isEmpty();
    }

    @Test
    void shouldReportABrokenPromiseOnlyAfterTheFollowupTime() {
        GossipSubState state = state();
        PeerId peer = connect(state, 1, false, TOPIC).getFirst();
        state.join(TOPIC, T0);
        assertThat(state.handleIHave(peer, List.of(new IHave(TOPIC, ids("m", 3))), id -> false, T0)).hasSize(3);
        assertThat(state.pendingPromises()).isEqualTo(1); // one sampled id per IHAVE

        assertThat(state.heartbeat(T0.plusSeconds(3), NO_GOSSIP).brokenPromises()).isEmpty();
        assertThat(state.heartbeat(T0.plusSeconds(4), NO_GOSSIP).brokenPromises()).containsExactly(Map.entry(peer, 1));
        assertThat(state.pendingPromises()).isZero();
        assertThat(state.heartbeat(T0.plusSeconds(5), NO_GOSSIP).brokenPromises()).isEmpty();
    }

    @Test
    void shouldKeepAPromiseWhenTheMessageArrivesFromAnyone() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 2, false, TOPIC);
        state.join(TOPIC, T0);
        state.handleIHave(peers.get(0), List.of(new IHave(TOPIC, ids("m", 3))), id -> false, T0);
        state.handleIHave(peers.get(1), List.of(new IHave(TOPIC, ids("m", 3))), id -> false, T0);

        ids("m", 3).forEach(state::messageArrived);

        assertThat(state.pendingPromises()).isZero();
        assertThat(state.heartbeat(T0.plusSeconds(10), NO_GOSSIP).brokenPromises()).isEmpty();
    }

    @Test
    void shouldTrackAtMostMaxPromises() {
        GossipSubState state = state(GossipSubParams.builder().maxPromises(3).build());
        PeerId peer = connect(state, 1, false, TOPIC).getFirst();
        state.join(TOPIC, T0);

        for (int i = 0; i < 5; i++) state.handleIHave(peer, List.of(new IHave(TOPIC, List.of(id("m" + i)))), id -> false, T0);

        assertThat(state.pendingPromises()).isEqualTo(3);
        assertThat(state.heartbeat(T0.plusSeconds(4), NO_GOSSIP).brokenPromises()).containsExactly(Map.entry(peer, 3));
    }

    @Test
    void shouldAnswerIWantWithinTheRetransmissionAndPerHeartbeatLimits() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 2, false, TOPIC);
        PeerId peer = peers.get(0);
        MessageCache<String> cache = new MessageCache<>();
        cache.put(id("m"), TOPIC, "body", 4);
        for (int i = 0; i < 20; i++) cache.put(id("x" + i), TOPIC, "x" + i, 2);

        assertThat(state.handleIWant(peer, List.of(id("m"), id("m"), id("missing")), cache)).containsExactly("body");
        assertThat(state.handleIWant(peer, List.of(id("m")), cache)).containsExactly("body");
        assertThat(state.handleIWant(peer, List.of(id("m")), cache)).containsExactly("body");
        assertThat(state.handleIWant(peer, List.of(id("m")), cache)).isEmpty(); // retransmission limit
        for (int i = 4; i < 10; i++) assertThat(state.handleIWant(peer, List.of(id("x" + i)), cache)).hasSize(1);
        assertThat(state.overGossipLimits(peer)).isFalse();
        assertThat(state.handleIWant(peer, List.of(id("x10")), cache)).isEmpty(); // 11th IWANT this heartbeat
        assertThat(state.overGossipLimits(peer)).isTrue();

        state.heartbeat(T0.plusSeconds(1), NO_GOSSIP);
        assertThat(state.overGossipLimits(peer)).isFalse();
        assertThat(state.handleIWant(peer, List.of(id("x10")), cache)).containsExactly("x10");
        assertThat(state.handleIWant(peer, List.of(id("m")), cache)).isEmpty(); // per message, not per heartbeat
        scores.put(peers.get(1), -11.0);
        assertThat(state.handleIWant(peers.get(1), List.of(id("m")), cache)).isEmpty();
    }

    // ---------------------------------------------------------------- peers

    @Test
    void shouldForgetARemovedPeerButKeepItsBackoff() {
        GossipSubState state = state();
        List<PeerId> peers = connect(state, 6, false, TOPIC);
        state.join(TOPIC, T0);
        PeerId peer = peers.getFirst();
        state.handlePrune(peer, TOPIC, null, List.of(), T0);
        PeerId other = peers.get(1);

        assertThat(state.removePeer(other)).containsExactly(TOPIC);
        assertThat(state.removePeer(peer)).isEmpty();

        assertThat(state.hasPeer(peer)).isFalse();
        assertThat(state.topicPeers(TOPIC)).doesNotContain(peer, other);
        assertThat(state.meshPeers(TOPIC)).doesNotContain(peer, other);
        assertThat(state.backoffUntil(peer, TOPIC)).contains(T0.plusSeconds(60));
        state.addPeer(peer, false);
        assertThat(state.handleGraft(peer, TOPIC, T0.plusSeconds(1))).isInstanceOf(GraftResult.Refused.class);
    }

    @Test
    void shouldDropAPeerFromTheMeshWhenItUnsubscribesEvenIfItGraftedWithoutSubscribing() {
        GossipSubState state = state();
        state.join(TOPIC, T0);
        PeerId subscribed = connect(state, 1, false, TOPIC).getFirst();
        state.handleGraft(subscribed, TOPIC, T0);
        PeerId silent = RandomPeerIds.peer(random);
        state.addPeer(silent, false);
        assertThat(state.handleGraft(silent, TOPIC, T0)).isInstanceOf(GraftResult.Accepted.class);

        assertThat(state.peerUnsubscribed(subscribed, TOPIC)).isTrue();
        assertThat(state.peerUnsubscribed(silent, TOPIC)).isTrue();

        assertThat(state.meshPeers(TOPIC)).isEmpty();
        assertThat(state.topicPeers(TOPIC)).isEmpty();
        assertThat(state.peerUnsubscribed(silent, TOPIC)).isFalse();
    }

    @Test
    void shouldBoundPeersAndSubscriptions() {
        GossipSubState state = state(GossipSubParams.builder().maxPeers(2).maxTopicsPerPeer(2).maxKnownTopics(3).build());
        List<PeerId> peers = RandomPeerIds.peers(random, 3);

        assertThat(state.addPeer(local, true)).isFalse();
        assertThat(state.addPeer(peers.get(0), true)).isTrue();
        assertThat(state.addPeer(peers.get(1), false)).isTrue();
        assertThat(state.addPeer(peers.get(2), false)).isFalse();
        assertThat(state.peerSubscribed(peers.get(0), "a")).isTrue();
        assertThat(state.peerSubscribed(peers.get(0), "b")).isTrue();
        assertThat(state.peerSubscribed(peers.get(0), "c")).isFalse();
        assertThat(state.peerSubscribed(peers.get(1), "c")).isTrue();
        assertThat(state.peerSubscribed(peers.get(1), "d")).isFalse(); // a fourth known topic
        assertThat(state.peerSubscribed(peers.get(1), "a")).isTrue();
        assertThat(state.peerSubscribed(peers.get(2), "a")).isFalse(); // not tracked
        assertThat(state.peerTopics(peers.get(0))).containsExactly("a", "b");
    }

    @Test
    void shouldBoundTheBackoffsItRemembers() {
        GossipSubState state = state(GossipSubParams.builder().maxBackoffEntries(2).build());
        List<PeerId> peers = connect(state, 6, false, TOPIC);
        state.join(TOPIC, T0);

        for (PeerId peer : peers) state.handlePrune(peer, TOPIC, null, List.of(), T0);

        assertThat(state.backoffCount()).isEqualTo(2);
        state.heartbeat(T0.plusSeconds(62), NO_GOSSIP); // expired, plus the slack
        assertThat(state.backoffCount()).isZero();
    }
}
