package dev.ferry.dht.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.lookup.ClosestPeersLookup.Config;
import dev.ferry.dht.routing.RandomPeers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClosestPeersLookupTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A fixed seed: these are worked examples, the simulation test draws its own. */
    private final Random random = new Random(7);
    private final PeerId local = RandomPeers.peer(random);
    private final KadKey target = KadKey.fromHash(new byte[KadKey.BYTES]);

    private List<PeerId> byDistance(List<PeerId> peers) {
        return peers.stream().sorted(Comparator.comparing(KadKey::of, target::compareDistance)).toList();
    }

    /** {@code count} random peers, closest to the target first. */
    private List<PeerId> sortedPeers(int count) {
        return byDistance(RandomPeers.peers(random, count));
    }

    /** A peer closer to the target than every one of {@code others}. */
    private PeerId closerThanAll(List<PeerId> others) {
        while (true) {
            PeerId candidate = RandomPeers.peer(random);
            if (byDistance(concat(others, List.of(candidate))).getFirst().equals(candidate)) return candidate;
        }
    }

    private static List<PeerId> concat(List<PeerId> a, List<PeerId> b) {
        List<PeerId> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Config config(int alpha, int k) {
        return new Config(alpha, k, TIMEOUT, 2 * k, 10 * k);
    }

    @Test
    void shouldFinishAtOnceWithAnEmptyResultWhenThereAreNoInitialPeers() {
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, List.of());

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.nextRequests(T0)).isEmpty();
        assertThat(lookup.result()).isEmpty();
        assertThat(lookup.stats().hops()).isZero();
    }

    @Test
    void shouldFinishAtOnceWhenTheOnlyInitialPeerIsTheLocalOne() {
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, List.of(local));

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.result()).isEmpty();
    }

    @Test
    void shouldAskTheClosestPeersFirstAndNeverMoreThanAlphaAtOnce() {
        List<PeerId> peers = sortedPeers(10);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers.reversed(), config(3, 20));

        assertThat(lookup.nextRequests(T0)).containsExactly(peers.get(0), peers.get(1), peers.get(2));
        assertThat(lookup.nextRequests(T0)).isEmpty();
        assertThat(lookup.inFlight()).isEqualTo(3);

        lookup.onResponse(peers.get(1), List.of(), T0.plusMillis(5));
        assertThat(lookup.nextRequests(T0.plusMillis(5))).containsExactly(peers.get(3));
        assertThat(lookup.inFlight()).isEqualTo(3);
    }

    @Test
    void shouldFinishOnceTheKClosestPeersItHeardOfHaveAllAnswered() {
        List<PeerId> peers = sortedPeers(6);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(3, 3));

        for (PeerId peer : lookup.nextRequests(T0)) lookup.onResponse(peer, List.of(), T0);

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.result()).containsExactlyElementsOf(peers.subList(0, 3));
        assertThat(lookup.stats().requestsSent()).isEqualTo(3);
    }

    @Test
    void shouldNotFinishWhileACloserPeerItHeardOfHasNotAnswered() {
        List<PeerId> peers = sortedPeers(3);
        PeerId closer = closerThanAll(peers);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(3, 3));
        lookup.nextRequests(T0);

        lookup.onResponse(peers.get(0), List.of(closer), T0);
        lookup.onResponse(peers.get(1), List.of(), T0);
        lookup.onResponse(peers.get(2), List.of(), T0);

        assertThat(lookup.isFinished()).isFalse();
        assertThat(lookup.nextRequests(T0)).containsExactly(closer);
        lookup.onResponse(closer, List.of(), T0);
        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.result()).containsExactly(closer, peers.get(0), peers.get(1));
    }

    @Test
    void shouldLeaveFailedPeersOutOfTheKClosestAndAskTheNextOnes() {
        List<PeerId> peers = sortedPeers(5);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(3, 3));
        lookup.nextRequests(T0);

        lookup.onFailure(peers.get(0), T0);
        lookup.onResponse(peers.get(1), List.of(), T0);
        lookup.onResponse(peers.get(2), List.of(), T0);
        assertThat(lookup.isFinished()).isFalse();
        assertThat(lookup.nextRequests(T0)).containsExactly(peers.get(3), peers.get(4));
        lookup.onResponse(peers.get(3), List.of(), T0);

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.result()).containsExactly(peers.get(1), peers.get(2), peers.get(3));
        assertThat(lookup.stats().requestsFailed()).isEqualTo(1);
    }

    @Test
    void shouldFinishWithWhatAnsweredWhenNobodyIsLeftToAsk() {
        List<PeerId> peers = sortedPeers(4);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(3, 20));

        for (int round = 0; !lookup.isFinished(); round++) {
            for (PeerId peer : lookup.nextRequests(T0)) {
                if (peer.equals(peers.get(2))) lookup.onResponse(peer, List.of(), T0);
                else lookup.onFailure(peer, T0);
            }
            assertThat(round).isLessThan(10);
        }

        assertThat(lookup.result()).containsExactly(peers.get(2));
    }

    @Test
    void shouldCountARequestPastItsDeadlineAsTimedOutAndIgnoreItsLateAnswer() {
        List<PeerId> peers = sortedPeers(2);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(1, 1));
        assertThat(lookup.nextRequests(T0)).containsExactly(peers.get(0));
        assertThat(lookup.nextDeadline()).contains(T0.plus(TIMEOUT));

        assertThat(lookup.nextRequests(T0.plus(TIMEOUT).minusMillis(1))).isEmpty();
        assertThat(lookup.nextRequests(T0.plus(TIMEOUT))).containsExactly(peers.get(1));
        assertThat(lookup.onResponse(peers.get(0), List.of(), T0.plus(TIMEOUT).plusMillis(1))).isFalse();
        lookup.onResponse(peers.get(1), List.of(), T0.plus(TIMEOUT).plusMillis(2));

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.result()).containsExactly(peers.get(1));
        assertThat(lookup.stats().requestsTimedOut()).isEqualTo(1);
        assertThat(lookup.stats().responsesIgnored()).isEqualTo(1);
    }

    @Test
    void shouldTreatAnAnswerArrivingAtTheDeadlineAsLate() {
        List<PeerId> peers = sortedPeers(1);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(1, 1));
        lookup.nextRequests(T0);

        assertThat(lookup.onResponse(peers.get(0), List.of(), T0.plus(TIMEOUT))).isFalse();

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.result()).isEmpty();
        assertThat(lookup.stats().requestsTimedOut()).isEqualTo(1);
    }

    @Test
    void shouldIgnoreAnswersAndFailuresFromPeersItIsNotWaitingFor() {
        List<PeerId> peers = sortedPeers(5);
        PeerId stranger = closerThanAll(peers);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(1, 3));
        lookup.nextRequests(T0);

        assertThat(lookup.onResponse(stranger, List.of(RandomPeers.peer(random)), T0)).isFalse();
        assertThat(lookup.onResponse(peers.get(3), List.of(), T0)).isFalse();
        assertThat(lookup.onFailure(peers.get(4), T0)).isFalse();
        assertThat(lookup.onResponse(peers.get(0), List.of(), T0)).isTrue();
        assertThat(lookup.onResponse(peers.get(0), List.of(), T0)).isFalse();

        assertThat(lookup.stats().responsesIgnored()).isEqualTo(4);
        assertThat(lookup.stats().trackedPeers()).isEqualTo(5);
        assertThat(lookup.result()).containsExactly(peers.get(0));
    }

    @Test
    void shouldNeverAskNorReturnTheLocalPeer() {
        List<PeerId> peers = sortedPeers(3);
        ClosestPeersLookup lookup = new ClosestPeersLookup(KadKey.of(local), local, concat(peers, List.of(local)), config(3, 20));

        Set<PeerId> asked = new HashSet<>();
        while (!lookup.isFinished()) {
            for (PeerId peer : lookup.nextRequests(T0)) {
                asked.add(peer);
                lookup.onResponse(peer, List.of(local, peer), T0);
            }
        }

        assertThat(asked).containsExactlyInAnyOrderElementsOf(peers);
        assertThat(lookup.result()).doesNotContain(local).hasSize(3);
        assertThat(lookup.stats().refusedSelfOrLocal()).isEqualTo(6);
    }

    @Test
    void shouldReportHopsAsTheDepthOfTheDeepestPeerInTheResult() {
        PeerId first = RandomPeers.peer(random);
        PeerId second = closerThanAll(List.of(first));
        PeerId third = closerThanAll(List.of(first, second));
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, List.of(first), config(1, 1));

        lookup.nextRequests(T0);
        lookup.onResponse(first, List.of(second), T0);
        lookup.nextRequests(T0);
        lookup.onResponse(second, List.of(third), T0);
        lookup.nextRequests(T0);
        lookup.onResponse(third, List.of(), T0);

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.result()).containsExactly(third);
        assertThat(lookup.stats().hops()).isEqualTo(3);
        assertThat(lookup.stats().maxDepth()).isEqualTo(3);
    }

    @Test
    void shouldStayWithinItsBoundsAndCountWhatAHostileResponderSends() {
        List<PeerId> honest = sortedPeers(3);
        PeerId hostile = closerThanAll(honest);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, concat(honest, List.of(hostile)));
        Config limits = lookup.config();
        PeerId repeated = RandomPeers.peer(random);
        List<PeerId> flood = new ArrayList<>(List.of(hostile, local, repeated, repeated, repeated));
        flood.addAll(RandomPeers.peers(random, 10_000));

        assertThat(lookup.nextRequests(T0)).startsWith(hostile);
        assertThat(lookup.onResponse(hostile, flood, T0)).isTrue();

        ClosestPeersLookup.Stats stats = lookup.stats();
        int taken = limits.maxCloserPeersPerResponse() - 4; // of those read: itself, local and two repeats refused
        assertThat(stats.refusedOverResponseLimit()).isEqualTo(flood.size() - limits.maxCloserPeersPerResponse());
        assertThat(stats.refusedSelfOrLocal()).isEqualTo(2);
        assertThat(stats.refusedDuplicates()).isEqualTo(2);
        assertThat(stats.peersRefused()).isEqualTo(flood.size() - taken);
        assertThat(stats.trackedPeers()).isEqualTo(4 + taken);
        assertThat(lookup.nextRequests(T0)).doesNotContain(hostile, local);
    }

    @Test
    void shouldDropTheFarthestUnaskedPeersWhenTheTrackedSetIsFull() {
        List<PeerId> peers = sortedPeers(11);
        PeerId farthest = peers.getLast();
        List<PeerId> named = peers.subList(0, 10);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, List.of(farthest), new Config(1, 2, TIMEOUT, 10, 4));
        lookup.nextRequests(T0);

        lookup.onResponse(farthest, named.reversed(), T0);

        ClosestPeersLookup.Stats stats = lookup.stats();
        assertThat(stats.trackedPeers()).isEqualTo(4);
        assertThat(stats.evictedForCloserPeers() + stats.refusedOverTrackedLimit()).isEqualTo(7);
        List<PeerId> asked = new ArrayList<>();
        while (!lookup.isFinished()) {
            for (PeerId peer : lookup.nextRequests(T0)) {
                asked.add(peer);
                lookup.onResponse(peer, List.of(), T0);
            }
        }
        assertThat(asked).containsExactly(named.get(0), named.get(1));
    }

    @Test
    void shouldStopAfterMaxTrackedRequestsWhenEveryAnswerNamesEverCloserPeers() {
        Config limits = new Config(3, 20, TIMEOUT, 40, 100);
        // Hostile peers hand out a pool farthest first, so every answer names 40 peers closer than
        // any seen before: the termination rule alone would follow them until the pool ran out.
        List<PeerId> pool = sortedPeers(5_000).reversed();
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, pool.subList(0, 20), limits);
        int handedOut = 20;
        int asked = 0;
        Instant now = T0;

        for (int step = 0; !lookup.isFinished(); step++) {
            assertThat(step).isLessThan(10_000);
            List<PeerId> requests = lookup.nextRequests(now);
            assertThat(lookup.inFlight()).isLessThanOrEqualTo(3);
            for (PeerId peer : requests) {
                // every other peer asked answers at once; the rest never answer and time out
                if (asked++ % 2 == 0) {
                    lookup.onResponse(peer, pool.subList(handedOut, handedOut + 40), now);
                    handedOut += 40;
                }
            }
            if (requests.isEmpty() && lookup.inFlight() > 0) now = lookup.nextDeadline().orElseThrow();
        }

        ClosestPeersLookup.Stats stats = lookup.stats();
        assertThat(handedOut).isLessThan(pool.size());
        assertThat(stats.requestsSent()).isEqualTo(limits.maxTrackedPeers());
        assertThat(stats.trackedPeers()).isEqualTo(limits.maxTrackedPeers());
        assertThat(stats.evictedForCloserPeers()).isPositive();
        assertThat(lookup.result()).hasSize(20);
    }

    @Test
    void shouldKeepTheResultWhenFinishedEarlyAndIgnoreAnswersAfterwards() {
        List<PeerId> peers = sortedPeers(5);
        ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, peers, config(2, 3));
        lookup.nextRequests(T0);
        lookup.onResponse(peers.get(1), List.of(), T0);

        lookup.finish();

        assertThat(lookup.isFinished()).isTrue();
        assertThat(lookup.nextRequests(T0)).isEmpty();
        assertThat(lookup.nextDeadline()).isEmpty();
        assertThat(lookup.onResponse(peers.get(0), List.of(), T0)).isFalse();
        assertThat(lookup.result()).containsExactly(peers.get(1));
    }

    @Test
    void shouldRefuseParametersOutsideTheLimits() {
        assertThatThrownBy(() -> new Config(0, 20, TIMEOUT, 40, 200)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new Config(3, 0, TIMEOUT, 40, 200)).hasMessageContaining("k must");
        assertThatThrownBy(() -> new Config(3, 20, Duration.ZERO, 40, 200)).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> new Config(3, 20, TIMEOUT, 0, 200)).hasMessageContaining("maxCloserPeersPerResponse");
        assertThatThrownBy(() -> new Config(3, 20, TIMEOUT, 40, 19)).hasMessageContaining("maxTrackedPeers");
    }
}
