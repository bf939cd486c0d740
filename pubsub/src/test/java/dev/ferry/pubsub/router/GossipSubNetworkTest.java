package dev.ferry.pubsub.router;

import static dev.ferry.pubsub.router.PubSubTestNetwork.RANDOM;
import static dev.ferry.pubsub.router.PubSubTestNetwork.connect;
import static dev.ferry.pubsub.router.PubSubTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.router.PubSubTestNetwork.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fifty routers in one JVM on a random sparse graph: every message from random publishers reaches
 * every other subscriber exactly once at the application. The figures (duplicates and copies per
 * delivery) go to the test output.
 */
class GossipSubNetworkTest {
    private static final String TOPIC = "ferry/network-test";
    private static final int NODES = 50;
    private static final int MESSAGES = 1000;
    /** Each node dials this many random earlier nodes (the first few dial all before them). */
    private static final int DIALS = 3;

    private final PubSubTestNetwork network = new PubSubTestNetwork();

    @AfterEach
    void stop() {
        network.close();
    }

    @Test
    void shouldDeliverEveryMessageToEverySubscriberExactlyOnce() {
        long seed = RANDOM.nextLong();
        Random random = new Random(seed);
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            Node node = network.start(GossipSubConfig.defaults());
            node.subscribe(TOPIC);
            // Random earlier nodes: the graph stays connected and sparse (about 2 * DIALS links per node).
            Set<Integer> dialled = new HashSet<>();
            while (dialled.size() < Math.min(DIALS, i)) dialled.add(random.nextInt(i));
            for (int j : dialled) connect(node, nodes.get(j));
            nodes.add(node);
        }
        // Meshes form from the subscriptions and a few heartbeats.
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
                .allMatch(n -> !join(n.router().meshPeers(TOPIC)).isEmpty()));

        Map<MessageId, Node> published = new HashMap<>();
        long started = System.nanoTime();
        for (int m = 0; m < MESSAGES; m++) {
            Node publisher = nodes.get(random.nextInt(NODES));
            PublishResult result = publisher.publish(TOPIC, "message " + m + " from " + publisher.peerId());
            assertThat(result.peers()).as("message %d found topic peers", m).isPositive();
            published.put(result.id(), publisher);
            if (m % 50 == 49) pause(); // about 1,000 messages in 5 s; the test is not a load test
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream()
                .allMatch(n -> n.received(TOPIC).size() >= expectedAt(n, published)));
        double seconds = (System.nanoTime() - started) / 1e9;

        long deliveries = 0, duplicates = 0, received = 0;
        for (Node node : nodes) {
            List<ReceivedMessage> got = node.received(TOPIC);
            Set<MessageId> ids = new HashSet<>();
            for (ReceivedMessage m : got) ids.add(m.id());
            assertThat(ids).as("distinct messages at %s", node.peerId()).hasSize(got.size());
            Set<MessageId> expected = new HashSet<>();
            published.forEach((id, publisher) -> {
                if (publisher != node) expected.add(id);
            });
            assertThat(ids).as("messages at %s", node.peerId()).isEqualTo(expected);
            deliveries += node.router().metrics().messagesDelivered();
            duplicates += node.router().metrics().messagesDuplicate();
            received += node.router().metrics().messagesReceived();
        }
        assertThat(deliveries).isEqualTo((long) MESSAGES * (NODES - 1));
        System.out.printf("gossipsub network: %d nodes, %d messages, seed %d: %d deliveries in %.1f s,"
                        + " %.2f duplicates per delivery, %.2f copies received per delivery%n",
                NODES, MESSAGES, seed, deliveries, seconds, (double) duplicates / deliveries, (double) received / deliveries);
    }

    private static long expectedAt(Node node, Map<MessageId, Node> published) {
        return published.values().stream().filter(p -> p != node).count();
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
