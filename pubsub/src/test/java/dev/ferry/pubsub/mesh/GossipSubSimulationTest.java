package dev.ferry.pubsub.mesh;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.RandomPeerIds;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.pubsub.cache.MessageCache;
import dev.ferry.pubsub.cache.SeenCache;
import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.score.PeerScoreThresholds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole networks of {@link GossipSubState}s, each in its own simulated router, exchanging the
 * actions they return in memory: GRAFTs, PRUNEs (and the PRUNEs that refused GRAFTs), messages,
 * IHAVE and IWANT. Delivery is synchronous and reliable; time moves a heartbeat at a time.
 */
class GossipSubSimulationTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String TOPIC = "chat";
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    /** One simulated router: the mesh state, its caches, and what it has delivered. */
    private static final class Node {
        final PeerId id;
        final GossipSubState state;
        final MessageCache<String> cache = new MessageCache<>();
        final SeenCache seen = new SeenCache();
        final Set<String> delivered = new HashSet<>();

        Node(PeerId id, GossipSubParams params, Random random) {
            this.id = id;
            this.state = new GossipSubState(id, params, p -> 0.0, PeerScoreThresholds.NO_SCORING, random);
        }
    }

    /** A message on its way: to whom, from whom, and its body (which is also its id). */
    private record Delivery(PeerId to, PeerId from, String body) {}

    private static final class Network {
        final Map<PeerId, Node> nodes = new LinkedHashMap<>();
        final ArrayDeque<Delivery> inFlight = new ArrayDeque<>();
        final Random random;
        Instant now = T0;
        int messagesSent;
        /** Share of message deliveries lost, to exercise gossip. */
        double lossRate;
        int refusedGrafts;

        Network(Random random, int size, int dialsPerNode, GossipSubParams params) {
            this.random = random;
            for (PeerId id : RandomPeerIds.peers(random, size)) nodes.put(id, new Node(id, params, new Random(random.nextLong())));
            List<PeerId> ids = new ArrayList<>(nodes.keySet());
            for (PeerId dialer : ids) {
                List<PeerId> others = new ArrayList<>(ids);
                others.remove(dialer);
                Collections.shuffle(others, random);
                int dialled = 0;
                for (PeerId other : others) {
                    if (dialled == dialsPerNode) break;
                    if (node(dialer).state.hasPeer(other)) continue;
                    connect(dialer, other);
                    dialled++;
                }
            }
        }

        Node node(PeerId id) {
            return nodes.get(id);
        }

        /** {@code dialer} dials {@code listener}; both exchange their subscriptions. */
        void connect(PeerId dialer, PeerId listener) {
            node(dialer).state.addPeer(listener, true);
            node(listener).state.addPeer(dialer, false);
            if (node(listener).state.isSubscribed(TOPIC)) node(dialer).state.peerSubscribed(listener, TOPIC);
            if (node(dialer).state.isSubscribed(TOPIC)) node(listener).state.peerSubscribed(dialer, TOPIC);
        }

        void subscribeAll() {
            for (Node node : nodes.values()) {
                // Announce the subscription, then join, as a router does.
                for (Node other : nodes.values()) {
                    if (other.state.hasPeer(node.id)) other.state.peerSubscribed(node.id, TOPIC);
                }
                node.state.join(TOPIC, now).forEach(g -> sendGraft(node.id, g));
            }
        }

        void sendGraft(PeerId from, Graft graft) {
            Node to = node(graft.peer());
            if (to.state.handleGraft(from, graft.topic(), now) instanceof GraftResult.Refused refused) {
                refusedGrafts++;
                sendPrune(to.id, refused.prune());
            }
        }

        void sendPrune(PeerId from, Prune prune) {
            node(prune.peer()).state.handlePrune(from, prune.topic(), prune.backoff(), prune.peerExchange(), now);
        }

        void heartbeat() {
            now = now.plus(HEARTBEAT);
            List<Node> order = new ArrayList<>(nodes.values());
            Collections.shuffle(order, random);
            for (Node node : order) {
                HeartbeatActions actions = node.state.heartbeat(now, node.cache::gossipIds);
                actions.prunes().forEach(p -> sendPrune(node.id, p));
                actions.grafts().forEach(g -> sendGraft(node.id, g));
                actions.gossip().forEach((peer, ihaves) -> deliverIHave(node, peer, ihaves));
                node.cache.shift();
                drain();
                // Right after its own heartbeat, before others prune it, a node's mesh is in bounds
                // or it has no peer left that it may graft.
                assertMeshWithinBoundsOrOutOfGraftablePeers(node);
            }
        }

        void publish(PeerId origin, String body, boolean flood) {
            Node node = node(origin);
            node.seen.add(key(body), now);
            node.delivered.add(body);
            node.cache.put(key(body), TOPIC, body, body.length());
            for (PeerId peer : node.state.publishTargets(TOPIC, flood, now)) inFlight.add(new Delivery(peer, origin, body));
            drain();
        }

        void drain() {
            while (!inFlight.isEmpty()) {
                Delivery d = inFlight.poll();
                messagesSent++;
                if (lossRate > 0 && random.nextDouble() < lossRate) continue;
                Node node = node(d.to());
                node.state.messageArrived(key(d.body()));
                if (!node.seen.add(key(d.body()), now)) continue;
                node.delivered.add(d.body());
                node.cache.put(key(d.body()), TOPIC, d.body(), d.body().length());
                for (PeerId peer : node.state.forwardTargets(TOPIC, d.from(), null)) {
                    inFlight.add(new Delivery(peer, node.id, d.body()));
                }
            }
        }

        void deliverIHave(Node from, PeerId to, List<IHave> ihaves) {
            Node node = node(to);
            List<MessageId> wanted = node.state.handleIHave(from.id, ihaves, id -> node.seen.contains(id, now), now);
            if (wanted.isEmpty()) return;
            for (String body : from.state.handleIWant(to, wanted, from.cache)) inFlight.add(new Delivery(to, from.id, body));
        }

        void remove(PeerId gone) {
            nodes.remove(gone);
            for (Node node : nodes.values()) node.state.removePeer(gone);
        }

        IntSummaryStatistics meshSizes() {
            return nodes.values().stream().mapToInt(n -> n.state.meshPeers(TOPIC).size()).summaryStatistics();
        }

        /**
         * The node's mesh is within [D_lo, D_hi], or below D_lo with no topic peer left that it
         * may graft. A mesh at D_hi is not pruned, yet still tops its outbound peers up to D_out
         * (as go-libp2p does), so it may pass D_hi by those grafts until its next heartbeat.
         */
        void assertMeshWithinBoundsOrOutOfGraftablePeers(Node node) {
            GossipSubParams params = GossipSubParams.DEFAULTS;
            Set<PeerId> mesh = node.state.meshPeers(TOPIC);
            if (mesh.size() > params.dHi()) {
                assertThat(mesh.size()).as("mesh past D_hi").isLessThanOrEqualTo(params.dHi() + params.dOut());
                assertThat(mesh.stream().filter(node.state::isOutbound).count())
                        .as("outbound peers of a mesh past D_hi, of %d", mesh.size()).isLessThanOrEqualTo(params.dOut());
            }
            if (mesh.size() >= 4) return;
            long graftable = node.state.topicPeers(TOPIC).stream()
                    .filter(p -> !mesh.contains(p))
                    .filter(p -> node.state.backoffUntil(p, TOPIC).map(until -> !until.plus(HEARTBEAT).isAfter(now)).orElse(true))
                    .count();
            assertThat(graftable).as("graftable peers left to a node with a mesh of %d", mesh.size()).isZero();
        }

        void assertMeshesSymmetric() {
            for (Node node : nodes.values()) {
                for (PeerId peer : node.state.meshPeers(TOPIC)) {
                    assertThat(node(peer).state.meshPeers(TOPIC)).as("mesh link %s -> %s", node.id, peer).contains(node.id);
                }
            }
        }
    }

    private static MessageId key(String body) {
        return MessageId.of(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldFormMeshesWithinDLoAndDHiAfterAFewHeartbeats() {
        IntSummaryStatistics all = new IntSummaryStatistics();
        SeededProperty.forAll(10, random -> {
            Network network = new Network(random, 50, 5, GossipSubParams.DEFAULTS);
            network.subscribeAll();

            for (int i = 0; i < 5; i++) network.heartbeat();

            IntSummaryStatistics sizes = network.meshSizes();
            assertThat(sizes.getMin()).as("smallest mesh, %s", sizes).isGreaterThanOrEqualTo(4);
            network.assertMeshesSymmetric();
            for (Node node : network.nodes.values()) {
                // Past D_hi a node accepts GRAFTs only from peers it dialled (v1.1), so others'
                // heartbeats after its own may push it over D_hi, but only with such peers.
                assertThat(node.state.meshPeers(TOPIC).stream().filter(p -> !node.state.isOutbound(p)).count())
                        .as("mesh peers %s did not dial, of %s", node.id, sizes).isLessThanOrEqualTo(GossipSubParams.DEFAULTS.dHi());
                assertThat(node.state.meshPeers(TOPIC).stream().filter(node.state::isOutbound).count())
                        .as("outbound mesh peers of a node with outbound peers").isGreaterThanOrEqualTo(2);
            }
            all.combine(sizes);
        });
        System.out.printf("simulated meshes of 50 nodes after 5 heartbeats: %s%n", all);
    }

    @Test
    void shouldDeliverEveryMessageToEveryNodeThroughTheMeshAlone() {
        SeededProperty.forAll(5, random -> {
            Network network = new Network(random, 50, 5, GossipSubParams.DEFAULTS);
            network.subscribeAll();
            for (int i = 0; i < 5; i++) network.heartbeat();
            List<PeerId> ids = new ArrayList<>(network.nodes.keySet());

            for (int m = 0; m < 10; m++) network.publish(ids.get(random.nextInt(ids.size())), "m" + m, false);

            for (Node node : network.nodes.values()) {
                assertThat(node.delivered).as("delivered at %s", node.id).hasSize(10);
            }
            // Mesh forwarding sends each message about D times per node, not to every peer.
            assertThat(network.messagesSent).isLessThan(10 * 50 * 12);
        });
    }

    @Test
    void shouldRepairTheMeshesAfterAFifthOfTheNodesLeave() {
        SeededProperty.forAll(5, random -> {
            Network network = new Network(random, 50, 5, GossipSubParams.DEFAULTS);
            network.subscribeAll();
            for (int i = 0; i < 5; i++) network.heartbeat();
            List<PeerId> ids = new ArrayList<>(network.nodes.keySet());
            Collections.shuffle(ids, random);

            ids.subList(0, 10).forEach(network::remove);
            for (int i = 0; i < 3; i++) network.heartbeat();

            // Every heartbeat checked that a node below D_lo had no peer left to graft.
            // A node left with few peers may have pruned some of them within the minute; once every
            // backoff is over, only the peers it has left bound its mesh.
            for (int i = 0; i < 62; i++) network.heartbeat();
            for (Node node : network.nodes.values()) {
                int available = node.state.topicPeers(TOPIC).size();
                assertThat(node.state.meshPeers(TOPIC).size()).isBetween(Math.min(4, available), 12);
            }
            network.assertMeshesSymmetric();
        });
    }

    @Test
    void shouldRecoverMessagesLostInTransitThroughGossip() {
        SeededProperty.forAll(5, random -> {
            Network network = new Network(random, 50, 10, GossipSubParams.DEFAULTS);
            network.subscribeAll();
            for (int i = 0; i < 5; i++) network.heartbeat();
            List<PeerId> ids = new ArrayList<>(network.nodes.keySet());

            network.lossRate = 0.8;
            network.publish(ids.getFirst(), "lossy", false);
            network.lossRate = 0;
            long before = network.nodes.values().stream().filter(n -> n.delivered.contains("lossy")).count();
            // Three heartbeats: the message is gossiped from the three newest cache windows.
            for (int i = 0; i < 3; i++) network.heartbeat();

            long after = network.nodes.values().stream().filter(n -> n.delivered.contains("lossy")).count();
            assertThat(before).isLessThan(50);
            assertThat(after).as("reached before gossip: %d", before).isEqualTo(50);
        });
    }
}
