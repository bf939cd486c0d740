package dev.ferry.dht.service;

import static dev.ferry.dht.service.DhtTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.service.DhtTestNetwork.Node;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.yamux.YamuxConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The network of 200 DHT servers in one JVM, on loopback, sharing two event loop threads:
 * lookups checked against the global view, records and providers from any node, then 20% of the
 * nodes stop without warning and the rest must still find what they look for and heal their
 * routing tables. The tests run in order on the one network and print their figures (recall
 * against the true 20 closest, hops, table sizes) to the test output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DhtLargeNetworkTest {
    private static final int NODES = 200;
    private static final int K = 20;
    private static final int MIN_FOUND = 18;
    private static final int LOOKUPS = 100;
    private static final int STOPPED = NODES / 5;
    /** Lookups (or bootstraps) in flight at once, so two cores are not swamped. */
    private static final int BATCH = 10;
    private static final Duration REFRESH = Duration.ofSeconds(5);
    private static final DhtConfig CONFIG = DhtConfig.defaults().withRequestTimeout(Duration.ofSeconds(5))
            .withRefreshInterval(REFRESH).withMaintenanceInterval(Duration.ofMinutes(10)); // the test refreshes itself

    private final DhtTestNetwork net = new DhtTestNetwork();
    private final Random random = new Random(20261122);
    private final List<Node> live = new ArrayList<>();
    private final List<Node> stopped = new ArrayList<>();

    @BeforeAll
    void startNetwork() {
        long start = System.nanoTime();
        for (int i = 0; i < NODES; i++) {
            // Every peer is 127.0.0.1, so the per-IP handshake limit is lifted; idle connections
            // close fast so that 200 nodes do not hold a full mesh of sockets.
            live.add(net.start(CONFIG, Metrics.create(), b -> b.maxPendingHandshakesPerIp(1024)
                    .yamux(YamuxConfig.DEFAULTS.withIdleTimeout(Duration.ofSeconds(3)))));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 1; i < NODES; i++) order.add(i);
        inBatches(order, i -> {
            List<Node> earlier = live.subList(0, i);
            List<dev.ferry.overlay.multiaddr.Multiaddr> seeds = new ArrayList<>();
            for (int s = 0; s < 3; s++) seeds.add(earlier.get(random.nextInt(earlier.size())).fullAddress());
            return live.get(i).dht().bootstrap(seeds);
        });
        // What each node's first maintenance round would do: refresh every bucket.
        inBatches(live, node -> node.dht().refresh());
        System.out.printf("200-node DHT: started and refreshed in %.1f s; routing table sizes %s%n",
                (System.nanoTime() - start) / 1e9, summary(live.stream().map(n -> join(n.dht().routingTablePeers()).size()).toList()));
    }

    @AfterAll
    void stopNetwork() {
        net.close();
    }

    @Test
    @Order(1)
    void shouldFindAtLeastEighteenOfTheTrueTwentyClosestInEveryLookup() {
        Stats stats = lookups(live, LOOKUPS);

        System.out.printf("200 nodes, %d lookups: found of true 20 closest %s; hops %s%n", LOOKUPS, summary(stats.found), summary(stats.hops));
        assertThat(Collections.min(stats.found)).as("worst lookup").isGreaterThanOrEqualTo(MIN_FOUND);
    }

    @Test
    @Order(2)
    void shouldPutAndGetRecordsAndFindProvidersFromAnyNode() {
        for (int i = 0; i < 10; i++) {
            Node owner = pick(live);
            Node reader = pick(live);
            FerryRecord record = FerryRecord.sign(owner.identity(), "r" + i, ("value " + i).getBytes(StandardCharsets.UTF_8), 1);
            int stored = join(owner.dht().putValue(record.key(), record.encoded()));
            assertThat(stored).as("peers that stored record %d", i).isGreaterThanOrEqualTo(MIN_FOUND);
            Optional<byte[]> read = join(reader.dht().getValue(record.key()));
            assertThat(read).as("record %d read elsewhere", i).hasValueSatisfying(v -> assertThat(v).isEqualTo(record.encoded()));

            byte[] content = ("content " + i).getBytes(StandardCharsets.UTF_8);
            byte[] key = new byte[34];
            key[0] = 0x12;
            key[1] = 0x20;
            System.arraycopy(dev.ferry.dht.KadKey.of(content).hash(), 0, key, 2, 32);
            join(owner.dht().provide(key));
            List<DhtPeer> providers = join(pick(live).dht().findProviders(key, 1));
            assertThat(providers).as("providers of key %d", i).extracting(DhtPeer::id).contains(owner.peerId());
        }
    }

    @Test
    @Order(3)
    void shouldStillFindTheClosestAndHealAfterAFifthOfTheNodesStopWithoutWarning() throws Exception {
        Collections.shuffle(live, random);
        for (int i = 0; i < STOPPED; i++) {
            Node node = live.removeLast();
            net.stop(node);
            stopped.add(node);
        }
        Set<PeerId> gone = new HashSet<>(stopped.stream().map(Node::peerId).toList());
        long staleBefore = staleEntries(gone);

        Stats after = lookups(live, LOOKUPS / 2);
        System.out.printf("after %d of %d stopped: found of true 20 closest %s; hops %s; stale table entries %d%n",
                STOPPED, NODES, summary(after.found), summary(after.hops), staleBefore);
        // Before anyone has noticed, every table still names the stopped nodes near each key, so
        // the live peers just past them are named by nobody: lookups still end well, with only
        // live peers and most of the true closest, and fully recover once the tables heal.
        assertThat(after.outcomes).as("outcomes after churn").containsOnly(LookupOutcome.CONVERGED);
        assertThat(after.deadReturned).as("stopped peers returned by lookups").isZero();
        long good = after.found.stream().filter(f -> f >= MIN_FOUND).count();
        System.out.printf("after churn, before healing: %d of %d lookups found at least %d of the true 20%n",
                good, after.found.size(), MIN_FOUND);
        assertThat(median(after.found)).as("median lookup after churn").isGreaterThanOrEqualTo(MIN_FOUND);
        assertThat(good).as("lookups finding at least 18 after churn").isGreaterThanOrEqualTo(after.found.size() * 4L / 5);

        Thread.sleep(REFRESH.toMillis()); // so that every peer not heard from since the churn is due a check
        inBatches(live, node -> node.dht().refresh());
        long staleAfter = staleEntries(gone);
        List<Integer> sizes = live.stream().map(n -> join(n.dht().routingTablePeers()).size()).toList();
        System.out.printf("healed: stale table entries %d -> %d; routing table sizes %s%n", staleBefore, staleAfter, summary(sizes));

        assertThat(staleBefore).as("the churn left dead peers in tables").isPositive();
        assertThat(staleAfter).as("dead peers left in tables after a refresh").isZero();
        assertThat(Collections.min(sizes)).as("smallest table").isGreaterThanOrEqualTo(K);
        Stats healed = lookups(live, LOOKUPS / 2);
        System.out.printf("after healing: found of true 20 closest %s; hops %s%n", summary(healed.found), summary(healed.hops));
        assertThat(Collections.min(healed.found)).as("worst lookup after healing").isGreaterThanOrEqualTo(MIN_FOUND);
    }

    private record Stats(List<Integer> found, List<Integer> hops, List<LookupOutcome> outcomes, long deadReturned) {}

    /** {@code count} lookups of random keys from random nodes of {@code nodes}, checked against them all. */
    private Stats lookups(List<Node> nodes, int count) {
        List<PeerId> ids = nodes.stream().map(Node::peerId).toList();
        List<byte[]> keys = new ArrayList<>();
        List<Node> askers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            keys.add(key);
            askers.add(pick(nodes));
        }
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < count; i++) indexes.add(i);
        List<LookupResult> results = inBatches(indexes, i -> askers.get(i).dht().findClosest(keys.get(i)));
        List<Integer> found = new ArrayList<>();
        List<Integer> hops = new ArrayList<>();
        List<LookupOutcome> outcomes = new ArrayList<>();
        Set<PeerId> gone = new HashSet<>(stopped.stream().map(Node::peerId).toList());
        long deadReturned = 0;
        for (int i = 0; i < count; i++) {
            PeerId self = askers.get(i).peerId();
            List<PeerId> others = ids.stream().filter(p -> !p.equals(self)).toList();
            Set<PeerId> truth = new HashSet<>(DhtTestNetwork.trueClosest(keys.get(i), others, K));
            found.add((int) results.get(i).closest().stream().filter(truth::contains).count());
            hops.add(results.get(i).hops());
            outcomes.add(results.get(i).outcome());
            deadReturned += results.get(i).closest().stream().filter(gone::contains).count();
        }
        return new Stats(found, hops, outcomes, deadReturned);
    }

    private long staleEntries(Set<PeerId> gone) {
        long stale = 0;
        for (Node node : live) stale += join(node.dht().routingTablePeers()).stream().filter(gone::contains).count();
        return stale;
    }

    private Node pick(List<Node> nodes) {
        return nodes.get(random.nextInt(nodes.size()));
    }

    /** Runs {@code work} for every item, {@link #BATCH} at a time, and returns the results in order. */
    private static <T, R> List<R> inBatches(List<T> items, Function<T, CompletableFuture<R>> work) {
        List<R> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += BATCH) {
            List<CompletableFuture<R>> batch = new ArrayList<>();
            for (T item : items.subList(from, Math.min(items.size(), from + BATCH))) batch.add(work.apply(item));
            for (CompletableFuture<R> f : batch) out.add(join(f));
        }
        return out;
    }

    private static int median(List<Integer> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    /** min / median / p90 / max of {@code values}. */
    private static String summary(List<Integer> values) {
        List<Integer> sorted = values.stream().sorted().toList();
        return String.format("min %d, median %d, p90 %d, max %d", sorted.getFirst(), sorted.get(sorted.size() / 2),
                sorted.get((int) Math.min(sorted.size() - 1, Math.round(sorted.size() * 0.9))), sorted.getLast());
    }
}
