package dev.ferry.messenger.repair;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.repair.RepairPlan.Holding;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RepairPlanTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<PeerId> closest = new ArrayList<>();

    RepairPlanTest() {
        for (int i = 0; i < 9; i++) closest.add(IdentityKeyPair.generate(RANDOM).peerId());
    }

    /** Peer i of the closest holds shard i, for the given indices; every other peer answers that it holds nothing. */
    private Map<PeerId, Holding> holding(int... indices) {
        Map<PeerId, Holding> answers = new HashMap<>();
        for (PeerId peer : closest) answers.put(peer, new Holding(false, Set.of()));
        for (int i : indices) answers.put(closest.get(i), new Holding(false, Set.of(i)));
        return answers;
    }

    @Test
    void aCompleteSetNeedsNothing() {
        assertThat(RepairPlan.decide(closest.get(0), closest, 6, 4, Set.of(0), holding(1, 2, 3, 4, 5)))
                .isInstanceOf(RepairPlan.Complete.class);
    }

    @Test
    void anAcknowledgementAnyoneSawDropsTheShards() {
        Map<PeerId, Holding> answers = holding(1, 2);
        answers.put(closest.get(3), new Holding(true, Set.of()));
        assertThat(RepairPlan.decide(closest.get(0), closest, 6, 4, Set.of(0), answers)).isInstanceOf(RepairPlan.DropAcknowledged.class);
    }

    @Test
    void theClosestHolderRebuildsMissingShardsOntoPeersThatHoldNothing() {
        // Holders 2 and 4 are gone; peers 6 and 7 hold nothing and are now among the six closest.
        List<PeerId> now = new ArrayList<>(closest);
        now.remove(closest.get(4));
        now.remove(closest.get(2));
        RepairPlan.Action action = RepairPlan.decide(closest.get(0), now, 6, 4, Set.of(0), holding(1, 3, 5));
        assertThat(action).isInstanceOfSatisfying(RepairPlan.Repair.class, repair -> {
            assertThat(repair.targets()).containsOnlyKeys(2, 4);
            assertThat(repair.targets().values()).containsExactlyInAnyOrder(closest.get(6), closest.get(7));
            assertThat(repair.sources()).containsOnlyKeys(0, 1, 3, 5);
            assertThat(repair.sources().keySet().iterator().next()).as("own shard first").isEqualTo(0);
        });
        // Another holder leaves the repair to the leader.
        assertThat(RepairPlan.decide(closest.get(1), now, 6, 4, Set.of(1), withSelf(holding(0, 3, 5), 1)))
                .isInstanceOf(RepairPlan.Keep.class);
    }

    @Test
    void whenNoPeerIsFreeAMissingShardGoesToOneHoldingOnlyACopyOfACloserPeersShard() {
        // The six closest: 0..4 hold shards 0..4, and peer 5 holds a second copy of shard 1
        // (placed when peer 1 was slow to answer). Shard 5 is missing and no peer holds nothing.
        Map<PeerId, Holding> answers = holding(1, 2, 3, 4);
        answers.put(closest.get(5), new Holding(false, Set.of(1)));
        RepairPlan.Action action = RepairPlan.decide(closest.get(0), closest.subList(0, 6), 6, 4, Set.of(0), answers);
        assertThat(action).isInstanceOfSatisfying(RepairPlan.Repair.class,
                repair -> assertThat(repair.targets()).containsExactly(Map.entry(5, closest.get(5))));
    }

    @Test
    void fewerThanKShardsCannotBeRebuilt() {
        List<PeerId> now = closest.subList(3, 9);
        assertThat(RepairPlan.decide(closest.get(3), now, 6, 4, Set.of(3), withSelf(holding(5), 3)))
                .isEqualTo(new RepairPlan.Unrecoverable(2, 4));
    }

    @Test
    void aHolderNoLongerAmongTheClosestHandsItsShardsToOneThatHoldsNothing() {
        // Two new peers joined closer to the mailbox than old holder 5.
        List<PeerId> now = new ArrayList<>();
        PeerId newcomerA = IdentityKeyPair.generate(RANDOM).peerId();
        PeerId newcomerB = IdentityKeyPair.generate(RANDOM).peerId();
        now.add(newcomerA);
        now.add(newcomerB);
        now.addAll(closest);
        Map<PeerId, Holding> answers = holding(0, 1, 2, 3);
        answers.put(newcomerA, new Holding(false, Set.of()));
        answers.put(newcomerB, new Holding(false, Set.of()));
        RepairPlan.Action action = RepairPlan.decide(closest.get(5), now, 6, 4, Set.of(5), answers);
        assertThat(action).isEqualTo(new RepairPlan.HandOver(Map.of(5, newcomerA), true));
        // A shard that someone among the closest already holds is not handed over: ours is surplus.
        assertThat(RepairPlan.decide(closest.get(5), now, 6, 4, Set.of(1), answers))
                .isInstanceOf(RepairPlan.DropSurplus.class);
    }

    @Test
    void aLeavingHolderKeepsItsShardsWhenNotEveryOneFindsAFreePeer() {
        List<PeerId> now = new ArrayList<>(closest.subList(0, 6));
        PeerId leaving = closest.get(8);
        Map<PeerId, Holding> answers = holding(0, 1, 2, 3);
        answers.put(closest.get(4), new Holding(false, Set.of(2)));
        // Peer 5 is the only free one: it takes shard 4, shard 5 has nowhere to go.
        assertThat(RepairPlan.decide(leaving, now, 6, 4, Set.of(4, 5), answers))
                .isEqualTo(new RepairPlan.HandOver(Map.of(4, closest.get(5)), false));
    }

    @Test
    void aPeerThatDidNotAnswerIsNeverChosenToHoldAShard() {
        List<PeerId> now = new ArrayList<>(closest);
        Map<PeerId, Holding> answers = holding(1, 2, 3);
        answers.remove(closest.get(4));
        answers.remove(closest.get(5));
        RepairPlan.Action action = RepairPlan.decide(closest.get(0), now, 6, 4, Set.of(0), answers);
        // Missing 4 and 5: peers 4 and 5 are silent, and 6, 7 are beyond the six closest, so nobody is free.
        assertThat(action).isInstanceOf(RepairPlan.Keep.class);
    }

    @Test
    void inANetworkSmallerThanNTheLeaderPlacesMissingShardsOnTheLeastLoadedPeersItselfIncluded() {
        // Three peers held two shards each (the sender wrapped around); the third is gone.
        List<PeerId> now = List.of(closest.get(0), closest.get(1));
        Map<PeerId, Holding> answers = Map.of(closest.get(1), new Holding(false, Set.of(1, 4)));
        RepairPlan.Action action = RepairPlan.decide(closest.get(0), now, 6, 4, Set.of(0, 3), answers);
        assertThat(action).isInstanceOfSatisfying(RepairPlan.Repair.class, repair -> {
            assertThat(repair.targets()).containsOnlyKeys(2, 5);
            assertThat(repair.targets().values()).containsExactlyInAnyOrder(closest.get(0), closest.get(1));
        });
    }

    private Map<PeerId, Holding> withSelf(Map<PeerId, Holding> answers, int self) {
        answers.remove(closest.get(self));
        return answers;
    }
}
