package dev.ferry.dht.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.routing.RoutingTable.Reason;
import dev.ferry.dht.routing.RoutingTable.Update;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration REFRESH = Duration.ofMinutes(10);

    /** A fixed seed: these are worked examples, the properties below draw their own. */
    private final Random random = new Random(42);
    private final PeerId local = RandomPeers.peer(random);
    private final RoutingTable table = new RoutingTable(local, 20, 5, REFRESH);

    /** Fills bucket 0 with k peers that answered one second apart, the first one least recently seen. */
    private List<PeerId> fillBucketZero() {
        List<PeerId> peers = RandomPeers.peersInBucket(random, local, 0, table.k());
        for (int i = 0; i < peers.size(); i++) table.peerResponded(peers.get(i), T0.plusSeconds(i));
        return peers;
    }

    @Test
    void shouldAddPeersThatAnsweredUntilTheirBucketHoldsK() {
        List<PeerId> peers = RandomPeers.peersInBucket(random, local, 0, 20);

        for (PeerId peer : peers) assertThat(table.peerResponded(peer, T0)).isEqualTo(new Update.Added(0));

        assertThat(table.size()).isEqualTo(20);
        assertThat(table.bucket(0)).containsExactlyElementsOf(peers);
        assertThat(table.peers()).containsExactlyElementsOf(peers);
        assertThat(peers).allSatisfy(peer -> assertThat(table.contains(peer)).isTrue());
    }

    @Test
    void shouldPutEachPeerInTheBucketOfItsCommonPrefixWithTheLocalKey() {
        for (int bucket = 0; bucket < 4; bucket++) {
            PeerId peer = RandomPeers.peerInBucket(random, local, bucket);

            assertThat(table.peerResponded(peer, T0)).isEqualTo(new Update.Added(bucket));
            assertThat(table.bucket(bucket)).containsExactly(peer);
        }
    }

    @Test
    void shouldMakeAPeerThatAnswersAgainTheMostRecentlySeen() {
        List<PeerId> peers = fillBucketZero();

        assertThat(table.peerResponded(peers.getFirst(), T0.plusSeconds(60))).isEqualTo(new Update.Refreshed(0));

        assertThat(table.bucket(0).getLast()).isEqualTo(peers.getFirst());
        assertThat(table.bucket(0).getFirst()).isEqualTo(peers.get(1));
        assertThat(table.size()).isEqualTo(20);
    }

    @Test
    void shouldCacheANewcomerToAFullBucketAndAskToCheckTheLeastRecentlySeenPeer() {
        List<PeerId> peers = fillBucketZero();
        PeerId newcomer = RandomPeers.peerInBucket(random, local, 0);

        assertThat(table.peerResponded(newcomer, T0.plusSeconds(60))).isEqualTo(new Update.Pending(0, peers.getFirst()));

        assertThat(table.contains(newcomer)).isFalse();
        assertThat(table.replacements(0)).containsExactly(newcomer);
        assertThat(table.size()).isEqualTo(20);
    }

    @Test
    void shouldAskForOneLivenessCheckPerBucketAtATime() {
        fillBucketZero();
        table.peerResponded(RandomPeers.peerInBucket(random, local, 0), T0.plusSeconds(60));

        assertThat(table.peerResponded(RandomPeers.peerInBucket(random, local, 0), T0.plusSeconds(61)))
                .isEqualTo(new Update.Queued(0));
        assertThat(table.replacements(0)).hasSize(2);
    }

    @Test
    void shouldAskAgainWhenALivenessCheckIsNeverReported() {
        List<PeerId> peers = fillBucketZero();
        table.peerResponded(RandomPeers.peerInBucket(random, local, 0), T0.plusSeconds(60));
        Instant checkLost = T0.plusSeconds(60).plus(RoutingTable.LIVENESS_CHECK_EXPIRY);

        assertThat(table.peerResponded(RandomPeers.peerInBucket(random, local, 0), checkLost))
                .isEqualTo(new Update.Pending(0, peers.getFirst()));
    }

    @Test
    void shouldKeepAPeerThatIsAliveAndLeaveTheCandidateInTheCache() {
        List<PeerId> peers = fillBucketZero();
        PeerId newcomer = RandomPeers.peerInBucket(random, local, 0);
        table.peerResponded(newcomer, T0.plusSeconds(60));

        assertThat(table.livenessResult(peers.getFirst(), true, T0.plusSeconds(61))).isEmpty();

        assertThat(table.bucket(0)).hasSize(20).endsWith(peers.getFirst());
        assertThat(table.contains(newcomer)).isFalse();
        assertThat(table.replacements(0)).containsExactly(newcomer);
        // the check is over, so the next newcomer asks about the new least recently seen peer
        assertThat(table.peerResponded(RandomPeers.peerInBucket(random, local, 0), T0.plusSeconds(62)))
                .isEqualTo(new Update.Pending(0, peers.get(1)));
    }

    @Test
    void shouldEvictADeadPeerAndPromoteTheMostRecentCandidate() {
        List<PeerId> peers = fillBucketZero();
        PeerId older = RandomPeers.peerInBucket(random, local, 0);
        PeerId newer = RandomPeers.peerInBucket(random, local, 0);
        table.peerResponded(older, T0.plusSeconds(60));
        table.peerResponded(newer, T0.plusSeconds(61));

        assertThat(table.livenessResult(peers.getFirst(), false, T0.plusSeconds(62))).contains(newer);

        assertThat(table.contains(peers.getFirst())).isFalse();
        assertThat(table.bucket(0)).hasSize(20).endsWith(newer);
        assertThat(table.replacements(0)).containsExactly(older);
        assertThat(table.size()).isEqualTo(20);
    }

    @Test
    void shouldRemoveAPeerThatFailsQueriesAndPromoteACandidate() {
        List<PeerId> peers = fillBucketZero();
        PeerId newcomer = RandomPeers.peerInBucket(random, local, 0);
        table.peerResponded(newcomer, T0.plusSeconds(60));

        assertThat(table.peerFailed(peers.get(5))).isTrue();

        assertThat(table.contains(peers.get(5))).isFalse();
        assertThat(table.contains(newcomer)).isTrue();
        assertThat(table.replacements(0)).isEmpty();
        assertThat(table.peerFailed(peers.get(5))).isFalse();
    }

    @Test
    void shouldLeaveARemovedPeersPlaceEmptyWhenNoCandidateWaits() {
        List<PeerId> peers = fillBucketZero();

        table.peerFailed(peers.getFirst());

        assertThat(table.size()).isEqualTo(19);
        assertThat(table.peerResponded(peers.getFirst(), T0.plusSeconds(60))).isEqualTo(new Update.Added(0));
    }

    @Test
    void shouldRejectTheLocalPeer() {
        assertThat(table.peerResponded(local, T0)).isEqualTo(new Update.Rejected(Reason.SELF));

        assertThat(table.size()).isZero();
        assertThat(table.contains(local)).isFalse();
    }

    @Test
    void shouldKeepOnlyTheMostRecentCandidatesInABoundedReplacementCache() {
        fillBucketZero();
        List<PeerId> candidates = RandomPeers.peersInBucket(random, local, 0, 8);

        for (int i = 0; i < candidates.size(); i++) table.peerResponded(candidates.get(i), T0.plusSeconds(60 + i));

        assertThat(table.replacements(0)).containsExactlyElementsOf(candidates.subList(3, 8));
    }

    @Test
    void shouldRejectANewcomerToAFullBucketWhenThereIsNoReplacementCache() {
        RoutingTable noCache = new RoutingTable(local, 2, 0, REFRESH);
        for (PeerId peer : RandomPeers.peersInBucket(random, local, 0, 2)) noCache.peerResponded(peer, T0);

        assertThat(noCache.peerResponded(RandomPeers.peerInBucket(random, local, 0), T0))
                .isEqualTo(new Update.Rejected(Reason.BUCKET_FULL));
    }

    @Test
    void shouldReturnTheSameClosestPeersAsSortingTheWholeTable() {
        SeededProperty.forAll(6, random -> {
            PeerId self = RandomPeers.peer(random);
            RoutingTable full = new RoutingTable(self);
            for (PeerId peer : RandomPeers.peers(random, 20_000)) full.peerResponded(peer, T0);
            // 20,000 random peers fill about ten buckets of 20: a table far bigger than any count asked for.
            assertThat(full.size()).isGreaterThanOrEqualTo(150);
            List<PeerId> members = full.peers();

            List<KadKey> targets = new ArrayList<>();
            targets.add(full.localKey());
            for (int i = 0; i < 20; i++) targets.add(KadKey.fromHash(SeededProperty.bytes(random, KadKey.BYTES)));
            for (int i = 0; i < 10; i++) targets.add(KadKey.of(members.get(random.nextInt(members.size()))));
            for (int i = 0; i < 10; i++) targets.add(full.randomKeyInBucket(random.nextInt(12), random));

            for (KadKey target : targets) {
                int count = random.nextInt(full.size() + 5);
                List<PeerId> expected = members.stream()
                        .sorted(Comparator.comparing(KadKey::of, target::compareDistance))
                        .limit(count)
                        .toList();

                assertThat(full.closest(target, count)).containsExactlyElementsOf(expected);
            }
        });
    }

    @Test
    void shouldMarkEveryBucketUpToTheClosestOccupiedOneDueUntilALookupGoesIntoIt() {
        table.peerResponded(RandomPeers.peerInBucket(random, local, 3), T0);

        assertThat(table.bucketsDueForRefresh(T0)).containsExactly(0, 1, 2, 3);

        table.lookupCompleted(table.randomKeyInBucket(1, random), T0);
        table.lookupCompleted(table.localKey(), T0);
        assertThat(table.bucketsDueForRefresh(T0)).containsExactly(0, 2, 3);
    }

    @Test
    void shouldMarkABucketDueAgainOnceTheRefreshIntervalHasPassed() {
        table.peerResponded(RandomPeers.peerInBucket(random, local, 0), T0);
        table.lookupCompleted(table.randomKeyInBucket(0, random), T0);

        assertThat(table.bucketsDueForRefresh(T0.plus(REFRESH).minusMillis(1))).isEmpty();
        assertThat(table.bucketsDueForRefresh(T0.plus(REFRESH))).containsExactly(0);
    }

    @Test
    void shouldHaveNothingToRefreshWhenTheTableIsEmpty() {
        assertThat(table.bucketsDueForRefresh(T0)).isEmpty();
    }

    @Test
    void shouldDrawRandomKeysThatFallInTheAskedBucket() {
        SeededProperty.forAll(50, random -> {
            RoutingTable any = new RoutingTable(RandomPeers.peer(random));
            for (int bucket = 0; bucket < KadKey.BITS; bucket++) {
                KadKey key = any.randomKeyInBucket(bucket, random);

                assertThat(any.bucketOf(key)).as("bucket %d", bucket).isEqualTo(bucket);
            }
        });
    }

    @Test
    void shouldFindRefreshKeysWhoseHashFallsInTheAskedBucket() {
        SeededProperty.forAll(5, random -> {
            RoutingTable any = new RoutingTable(RandomPeers.peer(random));
            for (int bucket = 0; bucket <= RoutingTable.MAX_REFRESHED_BUCKET; bucket++) {
                byte[] key = any.randomPreimageInBucket(bucket, random);

                assertThat(any.bucketOf(KadKey.of(key))).as("bucket %d", bucket).isEqualTo(bucket);
                assertThat(PeerId.fromBytes(key)).as("shaped like a PeerId").isNotNull();
            }
        });
        assertThatThrownBy(() -> table.randomPreimageInBucket(RoutingTable.MAX_REFRESHED_BUCKET + 1, random))
                .hasMessageContaining("refresh keys exist for buckets 0..15");
    }

    @Test
    void shouldNotAskToRefreshBucketsPastTheLastRefreshedOne() {
        table.peerResponded(RandomPeers.peerInBucket(random, local, RoutingTable.MAX_REFRESHED_BUCKET + 1), T0);

        assertThat(table.bucketsDueForRefresh(T0)).hasSize(RoutingTable.MAX_REFRESHED_BUCKET + 1)
                .last().isEqualTo(RoutingTable.MAX_REFRESHED_BUCKET);
    }

    @Test
    void shouldListThePeersNotSeenSinceACutoffLeastRecentlySeenFirst() {
        PeerId old1 = RandomPeers.peerInBucket(random, local, 2);
        PeerId old2 = RandomPeers.peerInBucket(random, local, 2);
        PeerId recent = RandomPeers.peerInBucket(random, local, 2);
        PeerId otherBucket = RandomPeers.peerInBucket(random, local, 5);
        table.peerResponded(old1, T0);
        table.peerResponded(old2, T0.plusSeconds(1));
        table.peerResponded(recent, T0.plusSeconds(10));
        table.peerResponded(otherBucket, T0.plusSeconds(2));

        assertThat(table.peersNotSeenSince(T0.plusSeconds(5), 10)).containsExactly(old1, old2, otherBucket);
        assertThat(table.peersNotSeenSince(T0.plusSeconds(5), 2)).containsExactly(old1, old2);

        table.peerResponded(old1, T0.plusSeconds(20)); // answered again: no longer stale
        assertThat(table.peersNotSeenSince(T0.plusSeconds(5), 10)).containsExactly(old2, otherBucket);
    }

    @Test
    void shouldListAPromotedReplacementThatHasNotBeenSeenSinceTheCutoff() {
        RoutingTable small = new RoutingTable(local, 2, 2, REFRESH);
        PeerId a = RandomPeers.peerInBucket(random, local, 0);
        PeerId b = RandomPeers.peerInBucket(random, local, 0);
        PeerId candidate = RandomPeers.peerInBucket(random, local, 0);
        small.peerResponded(a, T0.plusSeconds(10));
        small.peerResponded(b, T0.plusSeconds(20));
        small.peerResponded(candidate, T0); // the bucket is full: it waits as a replacement, seen at T0

        small.peerFailed(a); // the candidate is promoted to the end of the bucket, still seen at T0

        assertThat(small.bucket(0)).containsExactly(b, candidate);
        assertThat(small.peersNotSeenSince(T0.plusSeconds(5), 10)).containsExactly(candidate);
    }

    @Test
    void shouldEvictAPeerOnlyAfterTimeoutsInARowWithNoAnswerBetween() {
        PeerId peer = RandomPeers.peerInBucket(random, local, 4);
        table.peerResponded(peer, T0);

        assertThat(table.peerTimedOut(peer)).isFalse();
        table.peerResponded(peer, T0.plusSeconds(1)); // an answer clears the count
        assertThat(table.peerTimedOut(peer)).isFalse();
        assertThat(table.contains(peer)).isTrue();

        assertThat(table.peerTimedOut(peer)).isTrue();
        assertThat(table.contains(peer)).isFalse();
        assertThat(table.peerTimedOut(peer)).as("not in the table any more").isFalse();
    }

    @Test
    void shouldRefuseParametersOutsideTheLimits() {
        assertThatThrownBy(() -> new RoutingTable(local, 0, 20, REFRESH)).hasMessageContaining("k must be");
        assertThatThrownBy(() -> new RoutingTable(local, RoutingTable.MAX_BUCKET_SIZE + 1, 20, REFRESH))
                .hasMessageContaining("k must be");
        assertThatThrownBy(() -> new RoutingTable(local, 20, -1, REFRESH)).hasMessageContaining("replacementCacheSize");
        assertThatThrownBy(() -> new RoutingTable(local, 20, 20, Duration.ZERO)).hasMessageContaining("refreshInterval");
        assertThatThrownBy(() -> table.randomKeyInBucket(256, random)).hasMessageContaining("bucket must be in 0..255");
    }
}
