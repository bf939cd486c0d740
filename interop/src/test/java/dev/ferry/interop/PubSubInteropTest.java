package dev.ferry.interop;

import static dev.ferry.interop.FerryPeer.resultOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.PeerId;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.pubsub.message.SignaturePolicy;
import dev.ferry.pubsub.router.GossipSubConfig;
import dev.ferry.pubsub.router.GossipSubRouter;
import dev.ferry.pubsub.router.PublishResult;
import dev.ferry.pubsub.router.ReceivedMessage;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GossipSub between js-libp2p ({@code @libp2p/gossipsub} 17) and Ferry's {@link GossipSubRouter}:
 * six nodes in a ring, Ferry and js alternating (ferry0, js1, ferry2, js3, ferry4, js5), each
 * connected only to its two neighbours; every edge is dialed by its lower-numbered end, so three
 * edges are Ferry dialing js and three js dialing Ferry. With fewer topic peers than D_lo every
 * mesh holds both neighbours. Both sides flood-publish, which here reaches only the publisher's
 * two neighbours: every other subscriber gets the message by mesh forwarding, and a message
 * from a node to the one opposite crosses the implementation boundary on each of its three hops
 * (in both directions round the ring, so the antipode sees it twice and delivers it once).
 *
 * <p>Each node publishes three messages; every node must deliver each of the other fifteen
 * exactly once, intact, with the publisher as author under StrictSign and no author under
 * StrictNoSign, from one of its ring neighbours, and all receivers (and a Ferry publisher) must
 * agree on the message id, which is the spec'd one: the author's protobuf public key and the
 * seqno under StrictSign, SHA-256 of the data under StrictNoSign (js-libp2p's defaults).
 */
@Tag("interop")
class PubSubInteropTest {
    private static final int RING = 6;
    private static final int MESSAGES_EACH = 3;
    private static final int EXPECTED = (RING - 1) * MESSAGES_EACH;
    /** A heartbeat (1 s on both sides) grafts the neighbours; a few for a loaded CI box. */
    private static final Duration MESH_TIMEOUT = Duration.ofSeconds(15);
    /** Mesh forwarding over at most three loopback hops; no heartbeat needed. */
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);
    /** How long the deliveries must stay as they are once complete: no late duplicates. */
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final HexFormat HEX = HexFormat.of();

    /** One message as a subscriber got it, on either side. */
    private record Delivery(String text, Optional<PeerId> author, PeerId receivedFrom, byte[] id,
            Optional<byte[]> seqno) {
    }

    /** One ring member, Ferry or js. */
    private interface Member extends AutoCloseable {
        String label();

        PeerId peerId();

        Multiaddr address();

        /** Dials {@code other}. */
        void dial(Member other);

        Set<PeerId> meshPeers(String topic);

        /** Publishes {@code text}; the message id if this side reports it. */
        Optional<byte[]> publish(String topic, String text, Set<PeerId> expectedRecipients);

        List<Delivery> deliveries(String topic);

        String describe();

        @Override
        void close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(JsPubSubNode.Policy.class)
    void messagesCrossBothImplementationsRoundARing(JsPubSubNode.Policy policy) {
        String topic = "ferry-interop-ring-" + HEX.formatHex(randomBytes(4));
        List<Member> ring = new ArrayList<>();
        try {
            startRing(policy, topic, ring);
            for (int i = 0; i < RING; i++) ring.get(i).dial(ring.get((i + 1) % RING));
            awaitMeshes(ring, topic);

            // texts are unique per run: under StrictNoSign the id is the data's hash
            Map<String, Integer> publisherOf = new LinkedHashMap<>();
            Map<String, byte[]> publishedId = new LinkedHashMap<>();
            for (int k = 0; k < MESSAGES_EACH; k++) {
                for (int i = 0; i < RING; i++) {
                    Member m = ring.get(i);
                    String text = topic + " " + policy + " message " + k + " from " + m.label();
                    publisherOf.put(text, i);
                    m.publish(topic, text, neighbours(ring, i)).ifPresent(id -> publishedId.put(text, id));
                }
            }

            awaitAllDelivered(ring, topic, publisherOf);

            Map<String, List<byte[]>> idsOf = new LinkedHashMap<>();
            for (int i = 0; i < RING; i++) {
                Member m = ring.get(i);
                int self = i;
                List<Delivery> got = m.deliveries(topic);
                Set<String> expected = publisherOf.entrySet().stream().filter(e -> e.getValue() != self)
                        .map(Map.Entry::getKey).collect(Collectors.toSet());
                assertThat(got).extracting(Delivery::text).as("what %s delivered", m.label())
                        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
                for (Delivery d : got) {
                    Member publisher = ring.get(publisherOf.get(d.text()));
                    String what = m.label() + "'s copy of \"" + d.text() + "\"";
                    assertThat(d.receivedFrom()).as("%s came from", what).isIn(neighbours(ring, i));
                    if (policy == JsPubSubNode.Policy.STRICT_SIGN) {
                        assertThat(d.author()).as("author of %s", what).contains(publisher.peerId());
                        assertThat(d.seqno()).as("seqno of %s", what).isPresent();
                        assertThat(d.id()).as("id of %s (protobuf public key ++ seqno)", what)
                                .isEqualTo(concat(publicKeyOf(publisher.peerId()), d.seqno().orElseThrow()));
                    } else {
                        assertThat(d.author()).as("author of %s", what).isEmpty();
                        assertThat(d.seqno()).as("seqno of %s", what).isEmpty();
                        assertThat(d.id()).as("id of %s (SHA-256 of the data)", what)
                                .isEqualTo(sha256(d.text().getBytes(StandardCharsets.UTF_8)));
                    }
                    idsOf.computeIfAbsent(d.text(), t -> new ArrayList<>()).add(d.id());
                }
            }
            publishedId.forEach((text, id) -> idsOf.get(text).add(id));
            idsOf.forEach((text, ids) -> assertThat(ids).as("ids of \"%s\"", text)
                    .extracting(HEX::formatHex).containsOnly(HEX.formatHex(ids.getFirst())));
            for (Member m : ring) {
                if (m instanceof FerryMember f) {
                    assertThat(f.router.metrics().messagesDelivered()).as("%s delivered", m.label()).isEqualTo(EXPECTED);
                }
            }
        } finally {
            for (Member m : ring) m.close();
        }
    }

    // ------------------------------------------------------------------ the ring

    private static void startRing(JsPubSubNode.Policy policy, String topic, List<Member> ring) {
        List<String> jsLabels = List.of("js1", "js3", "js5");
        // all three js nodes load libp2p at once
        List<JsPubSubNode> js = JsPubSubNode.startAll(jsLabels, policy, List.of(topic));
        for (int i = 0; i < RING; i++) {
            if (i % 2 == 1) {
                ring.add(new JsMember(js.get(i / 2)));
            } else {
                FerryMember f = new FerryMember("ferry" + i, policy);
                ring.add(f);
                f.subscribe(topic);
            }
        }
    }

    private static void awaitMeshes(List<Member> ring, String topic) {
        try {
            await().atMost(MESH_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (int i = 0; i < RING; i++) {
                    if (!ring.get(i).meshPeers(topic).equals(neighbours(ring, i))) return false;
                }
                return true;
            });
        } catch (ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("the meshes did not form within " + MESH_TIMEOUT.toSeconds() + " s:\n");
            for (int i = 0; i < RING; i++) {
                why.append(ring.get(i).label()).append(" mesh ").append(ring.get(i).meshPeers(topic))
                        .append(", neighbours ").append(neighbours(ring, i)).append('\n');
            }
            throw new AssertionError(why + describeAll(ring), e);
        }
    }

    private static void awaitAllDelivered(List<Member> ring, String topic, Map<String, Integer> publisherOf) {
        try {
            await().atMost(DELIVERY_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> ring.stream().allMatch(m -> m.deliveries(topic).size() >= EXPECTED));
            // and no late copies
            await().during(QUIET).atMost(QUIET.multipliedBy(4)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ring.stream().allMatch(m -> m.deliveries(topic).size() == EXPECTED));
        } catch (ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("not every node delivered exactly the " + EXPECTED
                    + " messages of the others:\n");
            for (int i = 0; i < RING; i++) {
                Member m = ring.get(i);
                int self = i;
                List<String> got = m.deliveries(topic).stream().map(Delivery::text).toList();
                List<String> missing = publisherOf.entrySet().stream()
                        .filter(en -> en.getValue() != self && !got.contains(en.getKey())).map(Map.Entry::getKey).toList();
                why.append(m.label()).append(": ").append(got.size()).append(" delivered, missing ").append(missing)
                        .append('\n');
            }
            throw new AssertionError(why + describeAll(ring), e);
        }
    }

    private static Set<PeerId> neighbours(List<Member> ring, int i) {
        return Set.of(ring.get((i + RING - 1) % RING).peerId(), ring.get((i + 1) % RING).peerId());
    }

    private static String describeAll(List<Member> ring) {
        StringBuilder out = new StringBuilder();
        for (Member m : ring) out.append("=== ").append(m.label()).append(" (").append(m.peerId()).append(")\n")
                .append(m.describe()).append('\n');
        return out.toString();
    }

    // ------------------------------------------------------------------ the two sides

    private static final class FerryMember implements Member {
        private final String label;
        private final FerryPeer peer;
        private final Multiaddr address;
        private final GossipSubRouter router;
        private final List<ReceivedMessage> received = new CopyOnWriteArrayList<>();

        FerryMember(String label, JsPubSubNode.Policy policy) {
            this.label = label;
            this.peer = FerryPeer.start();
            try {
                this.address = peer.listenOnLoopback();
                GossipSubConfig config = policy == JsPubSubNode.Policy.STRICT_SIGN
                        ? GossipSubConfig.defaults()
                        : GossipSubConfig.builder().signaturePolicy(SignaturePolicy.STRICT_NO_SIGN).build();
                this.router = GossipSubRouter.create(peer.host(), peer.identity(), config, Metrics.create()).start();
            } catch (RuntimeException | Error e) {
                peer.close();
                throw e;
            }
        }

        void subscribe(String topic) {
            resultOf(router.subscribe(topic, received::add), JsPubSubNode.COMMAND_TIMEOUT);
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public PeerId peerId() {
            return peer.peerId();
        }

        @Override
        public Multiaddr address() {
            return address;
        }

        @Override
        public void dial(Member other) {
            peer.dial(other.address());
        }

        @Override
        public Set<PeerId> meshPeers(String topic) {
            return resultOf(router.meshPeers(topic), JsPubSubNode.COMMAND_TIMEOUT);
        }

        @Override
        public Optional<byte[]> publish(String topic, String text, Set<PeerId> expectedRecipients) {
            PublishResult result = resultOf(router.publish(topic, text.getBytes(StandardCharsets.UTF_8)),
                    JsPubSubNode.COMMAND_TIMEOUT);
            assertThat(result.peers()).as("peers %s published \"%s\" to", label, text).isEqualTo(expectedRecipients.size());
            return Optional.of(result.id().bytes());
        }

        @Override
        public List<Delivery> deliveries(String topic) {
            return received.stream().filter(r -> r.topic().equals(topic))
                    .map(r -> new Delivery(new String(r.data(), StandardCharsets.UTF_8), r.author(), r.receivedFrom(),
                            r.id().bytes(), r.message().seqno()))
                    .toList();
        }

        @Override
        public String describe() {
            var m = router.metrics();
            return "ferry router: received " + m.messagesReceived() + ", delivered " + m.messagesDelivered()
                    + ", duplicates " + m.messagesDuplicate() + ", forwarded " + m.messagesForwarded() + ", rejected "
                    + m.messagesRejected() + ", rpcs malformed " + m.rpcsMalformed() + ", graylisted " + m.rpcsGraylisted()
                    + ", peers " + resultOf(router.peers(), JsPubSubNode.COMMAND_TIMEOUT);
        }

        @Override
        public void close() {
            if (router != null) router.close();
            peer.close();
        }
    }

    private static final class JsMember implements Member {
        private final JsPubSubNode node;

        JsMember(JsPubSubNode node) {
            this.node = node;
        }

        @Override
        public String label() {
            return node.label();
        }

        @Override
        public PeerId peerId() {
            return node.peerId();
        }

        @Override
        public Multiaddr address() {
            return node.address();
        }

        @Override
        public void dial(Member other) {
            assertThat(node.connect(other.address())).isEqualTo(other.peerId());
        }

        @Override
        public Set<PeerId> meshPeers(String topic) {
            return Set.copyOf(node.meshPeers(topic));
        }

        @Override
        public Optional<byte[]> publish(String topic, String text, Set<PeerId> expectedRecipients) {
            assertThat(node.publish(topic, text)).as("peers %s published \"%s\" to", label(), text)
                    .containsExactlyInAnyOrderElementsOf(expectedRecipients);
            return Optional.empty(); // js does not say
        }

        @Override
        public List<Delivery> deliveries(String topic) {
            return node.messages(topic).stream().map(e -> {
                Object from = e.fields().get("from");
                Object seqno = e.fields().get("seqno");
                return new Delivery(e.string("data"), Optional.ofNullable(from).map(f -> PeerId.parse((String) f)),
                        e.peer("receivedFrom"), Base64.getDecoder().decode(e.string("msgId")),
                        Optional.ofNullable(seqno).map(s -> uint64(new BigInteger((String) s))));
            }).toList();
        }

        @Override
        public String describe() {
            return node.describe();
        }

        @Override
        public void close() {
            node.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** An Ed25519 PeerId is the identity multihash (0x00, length) of the protobuf PublicKey. */
    private static byte[] publicKeyOf(PeerId peer) {
        byte[] id = peer.toBytes();
        assertThat(id[0]).as("identity multihash").isZero();
        return Arrays.copyOfRange(id, 2, id.length);
    }

    /** js prints the seqno as a decimal bigint; on the wire it is 8 bytes big-endian. */
    private static byte[] uint64(BigInteger value) {
        return ByteBuffer.allocate(8).putLong(value.longValue()).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
