package dev.ferry.messenger.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShardPlacementTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static List<PeerId> peers(int count) {
        List<PeerId> peers = new ArrayList<>();
        for (int i = 0; i < count; i++) peers.add(IdentityKeyPair.generate(RANDOM).peerId());
        return peers;
    }

    @Test
    void shardIGoesToTheIthClosestPeer() {
        List<PeerId> closest = peers(10);
        ShardPlacement placement = new ShardPlacement(6, closest);
        IntStream.range(0, 6).forEach(i -> assertThat(placement.assignments().get(i)).isEqualTo(closest.get(i)));
    }

    @Test
    void aFailedShardMovesToTheNextClosestUntriedPeer() {
        List<PeerId> closest = peers(8);
        ShardPlacement placement = new ShardPlacement(6, closest);
        assertThat(placement.failed(2)).contains(closest.get(6));
        assertThat(placement.failed(2)).contains(closest.get(7));
        // No untried peer is left: the shard shares a peer that has not failed.
        PeerId shared = placement.failed(2).orElseThrow();
        assertThat(shared).isNotIn(closest.get(2), closest.get(6), closest.get(7));
    }

    @Test
    void withFewerPeersThanShardsThePeersHoldSeveral() {
        List<PeerId> closest = peers(3);
        ShardPlacement placement = new ShardPlacement(6, closest);
        assertThat(placement.assignments()).hasSize(6);
        assertThat(placement.assignments().values()).containsOnlyElementsOf(closest);
    }

    @Test
    void whenEveryPeerFailedTheShardWaitsUnassigned() {
        List<PeerId> closest = peers(2);
        ShardPlacement placement = new ShardPlacement(2, closest);
        placement.failed(0);
        assertThat(placement.failed(1)).isEmpty();
        assertThat(placement.unconfirmed()).doesNotContainKey(1);
        assertThat(new ShardPlacement(3, List.of()).assignments()).isEmpty();
    }

    @Test
    void countsConfirmationsAndTheirHolders() {
        List<PeerId> closest = peers(6);
        ShardPlacement placement = new ShardPlacement(6, closest);
        placement.confirmed(0);
        placement.confirmed(4);
        placement.confirmed(4);
        assertThat(placement.confirmedCount()).isEqualTo(2);
        assertThat(placement.confirmedHolders()).containsExactlyInAnyOrder(closest.get(0), closest.get(4));
        assertThat(placement.unconfirmed()).containsOnlyKeys(1, 2, 3, 5);
        IntStream.range(0, 6).forEach(placement::confirmed);
        assertThat(placement.complete()).isTrue();
    }
}
