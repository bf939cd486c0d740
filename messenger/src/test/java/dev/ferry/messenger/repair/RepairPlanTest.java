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

    /** Peer i of the closest holds shard i, for the given indices. */
    private Map<PeerId, Holding> holding(int... indices) {
        Map<PeerId, Holding> answers = new HashMap<>();
        for (int i : indices) answers.put(closest.get(i), new Holding(false, Set.of(i)));
        return answers;
    }

    @Test
    void aCompleteSetNeedsNothing() {
        assertThat(RepairPlan.decide(closest.get(0), closest, 6, 4, Set.of(0), holding(1, 2, 3, 4, 5)))
                .isInstanceOf(RepairPlan.Keep.class);
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
            assertThat(repair.sources()).hasSize(4).containsKeys(0, 1, 3, 5);
        });
        // Another holder leaves the repair to the leader.
        assertThat(RepairPlan.decide(closest.get(1), now, 6, 4, Set.of(1), withSelf(holding(0, 3, 5), 1)))
                .isInstanceOf(RepairPlan.Keep.class);
    }

    @Test
    void fewerThanKShardsCannotBeRebuilt() {
        List<PeerId> now = closest.subList(3, 9);
        assertThat(RepairPlan.decide(closest.get(3), now, 6, 4, Set.of(3), holding(5)))
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
        RepairPlan.Action action = RepairPlan.decide(closest.get(5), now, 6, 4, Set.of(5), holding(0, 1, 2, 3));
        assertThat(action).isEqualTo(new RepairPlan.HandOver(Map.of(5, newcomerA)));
        // A shard that someone among the closest already holds is not handed over.
        assertThat(RepairPlan.decide(closest.get(5), now, 6, 4, Set.of(1), holding(0, 1, 2, 3))).isInstanceOf(RepairPlan.Keep.class);
    }

    private Map<PeerId, Holding> withSelf(Map<PeerId, Holding> answers, int self) {
        answers.remove(closest.get(self));
        return answers;
    }
}
