package dev.ferry.dht.service;

import static dev.ferry.dht.service.DhtTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.message.DhtRecord;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.service.DhtTestNetwork.Node;
import dev.ferry.monitoring.Metrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a DHT node does on its own, over time: republish what it owns, correct stale records it
 * reads, refresh its buckets, drop peers that stopped answering, give up on slow lookups, and
 * count all of it in its metrics. Small networks on loopback with short intervals.
 */
class DhtUpkeepTest {
    private static final Duration FAST_MAINTENANCE = Duration.ofMillis(100);

    private final DhtTestNetwork net = new DhtTestNetwork();

    @AfterEach
    void stop() {
        net.close();
    }

    /** {@code count} servers with {@code config}, each bootstrapped from the first. */
    private List<Node> network(int count, DhtConfig config) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) nodes.add(net.start(config));
        for (Node node : nodes.subList(1, count)) join(node.dht().bootstrap(List.of(nodes.getFirst().fullAddress())));
        return nodes;
    }

    @Test
    void shouldRepublishOwnedRecordsAndProvidersToPeersThatJoinedAfterThePut() {
        DhtConfig config = DhtConfig.defaults().withMaintenanceInterval(FAST_MAINTENANCE)
                .withRepublishIntervals(Duration.ofMillis(300), Duration.ofMillis(300));
        List<Node> nodes = network(5, config);
        Node owner = nodes.get(2);
        FerryRecord record = FerryRecord.sign(owner.identity(), "bundle", "v1".getBytes(StandardCharsets.UTF_8), 1);
        byte[] providedKey = record.key(); // any bytes up to the limit will do as a provider key
        join(owner.dht().putValue(record.key(), record.encoded()));
        join(owner.dht().provide(providedKey));

        Node late = net.start(config);
        join(late.dht().bootstrap(List.of(owner.fullAddress())));

        // k = 20 is more than the network, so the latecomer is among the closest and must get both.
        await().atMost(DhtTestNetwork.WAIT).until(() -> join(late.dht().localValue(record.key())).isPresent());
        await().atMost(DhtTestNetwork.WAIT).until(() -> join(late.dht().localProviders(providedKey)).stream()
                .map(DhtPeer::id).anyMatch(owner.peerId()::equals));
        assertThat(join(late.dht().localValue(record.key()))).hasValueSatisfying(v -> assertThat(v).isEqualTo(record.encoded()));
        assertThat(owner.dht().metrics().recordsRepublished()).isPositive();
        assertThat(owner.dht().metrics().providersRepublished()).isPositive();

        join(owner.dht().stopProviding(providedKey));
        long republished = owner.dht().metrics().providersRepublished();
        await().pollDelay(Duration.ofSeconds(1)).atMost(DhtTestNetwork.WAIT).until(() -> true);
        assertThat(owner.dht().metrics().providersRepublished()).isEqualTo(republished);
    }

    @Test
    void shouldSendTheBestRecordToPeersThatAnsweredAGetWithAnOlderOne() {
        List<Node> nodes = network(6, DhtConfig.defaults());
        Node owner = nodes.get(1);
        FerryRecord v1 = FerryRecord.sign(owner.identity(), "status", "old".getBytes(StandardCharsets.UTF_8), 1);
        FerryRecord v2 = FerryRecord.sign(owner.identity(), "status", "new".getBytes(StandardCharsets.UTF_8), 2);
        assertThat(join(owner.dht().putValue(v1.key(), v1.encoded()))).isEqualTo(5);
        // Only one peer hears of the newer record.
        Node informed = nodes.get(4);
        join(owner.dht().request(informed.peerId(), DhtMessage.PutValue.request(DhtRecord.of(v2.key(), v2.encoded()))));

        Node reader = nodes.get(3);
        Optional<byte[]> read = join(reader.dht().getValue(v1.key()));

        assertThat(read).hasValueSatisfying(v -> assertThat(v).isEqualTo(v2.encoded()));
        for (Node node : nodes) {
            await().atMost(DhtTestNetwork.WAIT).untilAsserted(() -> assertThat(join(node.dht().localValue(v1.key())))
                    .as("record at %s", node.peerId()).hasValueSatisfying(v -> assertThat(v).isEqualTo(v2.encoded())));
        }
        assertThat(reader.dht().metrics().recordCorrections()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldRefreshStaleBucketsOnItsOwnAndNotRepeatARefreshThatIsNotDue() {
        List<Node> nodes = network(8, DhtConfig.defaults());
        Node node = nodes.get(5);

        int first = join(node.dht().refresh());
        int second = join(node.dht().refresh());

        assertThat(first).as("a self-lookup and at least one bucket").isGreaterThanOrEqualTo(2);
        assertThat(second).as("nothing is due right after a refresh").isZero();

        Node ticking = net.start(DhtConfig.defaults().withMaintenanceInterval(FAST_MAINTENANCE)
                .withRefreshInterval(Duration.ofMillis(500)));
        join(ticking.dht().bootstrap(List.of(nodes.getFirst().fullAddress())));
        await().atMost(DhtTestNetwork.WAIT).until(() -> ticking.dht().metrics().refreshLookups() >= 4);
    }

    @Test
    void shouldDropAPeerThatStoppedAnsweringFromTheRoutingTable() {
        List<Node> nodes = network(8, DhtConfig.defaults().withRequestTimeout(Duration.ofSeconds(2)));
        Node gone = nodes.get(6);
        List<Node> rest = new ArrayList<>(nodes);
        rest.remove(gone);
        await().atMost(DhtTestNetwork.WAIT).until(() -> join(nodes.get(2).dht().routingTablePeers()).contains(gone.peerId()));

        net.stop(gone);
        for (Node node : rest) join(node.dht().findClosest(gone.peerId().toBytes()));

        for (Node node : rest) {
            assertThat(join(node.dht().routingTablePeers())).as("table of %s", node.peerId()).doesNotContain(gone.peerId());
        }
        assertThat(nodes.get(2).dht().metrics().evictions()).isPositive();
    }

    @Test
    void shouldEndALookupThatOutlivesItsTimeoutWithWhatItFound() throws Exception {
        List<Node> nodes = network(5, DhtConfig.defaults());
        Node stalled = nodes.get(3);
        Node asker = net.start(DhtConfig.defaults().withRequestTimeout(Duration.ofSeconds(30))
                .withLookupTimeout(Duration.ofMillis(700)));
        join(asker.dht().bootstrap(List.of(nodes.getFirst().fullAddress())));
        await().atMost(DhtTestNetwork.WAIT).until(() -> join(asker.dht().routingTablePeers()).contains(stalled.peerId()));

        CountDownLatch release = new CountDownLatch(1);
        stalled.dht().onServiceThread(() -> { // the stalled node's service thread takes no more requests
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        try {
            LookupResult result = join(asker.dht().findClosest(stalled.peerId().toBytes()));

            assertThat(result.outcome()).isEqualTo(LookupOutcome.TIMED_OUT);
            assertThat(result.closest()).isNotEmpty().doesNotContain(stalled.peerId());
            assertThat(asker.dht().metrics().lookups(LookupOutcome.TIMED_OUT)).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldExportItsFiguresAsPrometheusMetrics() {
        List<Node> nodes = network(4, DhtConfig.defaults());
        Metrics metrics = Metrics.create();
        Node watched = net.start(DhtConfig.defaults(), metrics);
        join(watched.dht().bootstrap(List.of(nodes.getFirst().fullAddress())));
        FerryRecord record = FerryRecord.sign(watched.identity(), "m", new byte[] {1}, 1);
        join(watched.dht().putValue(record.key(), record.encoded()));
        join(nodes.get(2).dht().getValue(record.key()));

        String text = metrics.scrapeText();

        assertThat(text).contains("ferry_dht_routing_table_peers 4", "ferry_dht_records_stored 1",
                "ferry_dht_lookups_total{outcome=\"converged\"}", "ferry_dht_lookup_duration_seconds_bucket",
                "ferry_dht_lookup_hops_bucket", "ferry_dht_provider_records_stored 0",
                "ferry_dht_outbound_requests_total{result=\"answered\",type=\"put_value\"} 4",
                "ferry_dht_inbound_requests_total{result=\"served\",type=\"get_value\"}");
        PeerId self = watched.peerId();
        assertThat(join(watched.dht().routingTablePeers())).doesNotContain(self).hasSize(4);
    }
}
