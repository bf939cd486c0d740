package dev.ferry.dht.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.lookup.SimulatedNetwork.Behaviour;
import dev.ferry.dht.routing.RandomPeers;
import dev.ferry.dht.routing.RoutingTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Whole lookups against {@link SimulatedNetwork}, answered synchronously in a random order, with
 * failing peers and silent ones that time out as the test moves time on.
 */
class ClosestPeersLookupSimulationTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int K = 20;
    private static final int ALPHA = 3;

    @Test
    void shouldFindNearlyAllOfTheTrueClosestPeersInANetworkWithFailingAndSilentPeers() {
        IntSummaryStatistics requests = new IntSummaryStatistics();
        IntSummaryStatistics hops = new IntSummaryStatistics();
        IntSummaryStatistics tracked = new IntSummaryStatistics();
        IntSummaryStatistics found = new IntSummaryStatistics();
        SeededProperty.forAll(6, random -> {
            SimulatedNetwork network = new SimulatedNetwork(random, 500, 20, 3, 0.10, 0.05);
            PeerId local = RandomPeers.peer(random);
            RoutingTable table = tableOf(local, network, random);

            for (int i = 0; i < 25; i++) {
                KadKey target = i == 0 ? KadKey.of(local) : KadKey.fromHash(SeededProperty.bytes(random, KadKey.BYTES));
                ClosestPeersLookup lookup = new ClosestPeersLookup(target, local, table.closest(target, K));

                Instant end = drive(lookup, network, local, random);

                List<PeerId> expected = network.closestAnswering(target, K);
                List<PeerId> result = lookup.result();
                ClosestPeersLookup.Stats stats = lookup.stats();
                assertThat(result).hasSize(K).doesNotHaveDuplicates().doesNotContain(local);
                assertThat(result).isEqualTo(network.closestTo(target, result, K)); // closest first
                assertThat(result).allSatisfy(p -> assertThat(network.behaviour(p)).isEqualTo(Behaviour.ANSWERS));
                long overlap = result.stream().filter(expected::contains).count();
                assertThat(overlap).as("true closest found, stats %s", stats).isGreaterThanOrEqualTo(18);
                assertThat(stats.hops()).isBetween(1, stats.maxDepth());
                assertThat(stats.requestsSent()).isLessThanOrEqualTo(lookup.config().maxTrackedPeers());
                assertThat(stats.requestsSent()).isEqualTo(stats.responses() + stats.requestsFailed()
                        + stats.requestsTimedOut() + lookup.inFlight());
                assertThat(end).isAfter(T0);
                requests.accept(stats.requestsSent());
                hops.accept(stats.hops());
                tracked.accept(stats.trackedPeers());
                found.accept((int) overlap);
            }
        });
        System.out.printf("simulated lookups: requests %s, hops %s, tracked %s, true closest found %s%n",
                requests, hops, tracked, found);
    }

    /** The local node knows its 20 closest and 30 random peers that answer, as after a bootstrap. */
    private static RoutingTable tableOf(PeerId local, SimulatedNetwork network, Random random) {
        RoutingTable table = new RoutingTable(local);
        List<PeerId> known = new ArrayList<>(network.closestTo(KadKey.of(local), network.peers(), 20));
        for (int i = 0; i < 30; i++) known.add(network.peers().get(random.nextInt(network.peers().size())));
        for (PeerId peer : known) {
            if (network.behaviour(peer) == Behaviour.ANSWERS) table.peerResponded(peer, T0);
        }
        return table;
    }

    /**
     * Runs {@code lookup} to its end: delivers one outstanding answer or failure at a time, in a
     * random order, and jumps to the next deadline when only silent peers are left in flight.
     * Checks at every step that at most alpha requests are in flight and that nobody, the local
     * peer least of all, is asked twice.
     *
     * @return the time the lookup ended
     */
    static Instant drive(ClosestPeersLookup lookup, SimulatedNetwork network, PeerId local, Random random) {
        Instant now = T0;
        List<PeerId> outstanding = new ArrayList<>();
        Set<PeerId> asked = new HashSet<>();
        for (int step = 0; !lookup.isFinished(); step++) {
            if (step > 10_000) fail("the lookup did not finish: " + lookup.stats());
            for (PeerId peer : lookup.nextRequests(now)) {
                assertThat(peer).isNotEqualTo(local);
                assertThat(asked.add(peer)).as("asked twice: %s", peer).isTrue();
                if (network.behaviour(peer) != Behaviour.SILENT) outstanding.add(peer);
            }
            assertThat(lookup.inFlight()).isLessThanOrEqualTo(ALPHA);
            if (lookup.isFinished()) break;
            if (!outstanding.isEmpty()) {
                PeerId peer = outstanding.remove(random.nextInt(outstanding.size()));
                now = now.plusMillis(1 + random.nextInt(200));
                if (network.behaviour(peer) == Behaviour.ANSWERS) {
                    lookup.onResponse(peer, network.closerPeers(peer, lookup.target(), K), now);
                } else {
                    lookup.onFailure(peer, now);
                }
            } else {
                now = lookup.nextDeadline().orElseThrow(() -> new AssertionError("nothing to wait for: " + lookup.stats()));
            }
        }
        return now;
    }
}
