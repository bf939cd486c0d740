package dev.ferry.pubsub.router;

import static dev.ferry.pubsub.router.PubSubTestNetwork.WAIT;
import static dev.ferry.pubsub.router.PubSubTestNetwork.connect;
import static dev.ferry.pubsub.router.PubSubTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.monitoring.Metrics;
import dev.ferry.pubsub.mesh.GossipSubParams;
import dev.ferry.pubsub.message.MessageIdFunction;
import dev.ferry.pubsub.message.Rpc;
import dev.ferry.pubsub.message.RpcCodec;
import dev.ferry.pubsub.message.RpcDecodeResult;
import dev.ferry.pubsub.message.RpcLimits;
import dev.ferry.pubsub.message.SignaturePolicy;
import dev.ferry.pubsub.router.GossipSubMetrics.Control;
import dev.ferry.pubsub.router.PubSubTestNetwork.Node;
import dev.ferry.pubsub.score.RejectReason;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.yamux.YamuxConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A few routers on loopback: subscriptions, delivery, policies, validators, unsubscribing. */
class GossipSubRouterTest {
    private static final String TOPIC = "ferry/test";
    private final PubSubTestNetwork network = new PubSubTestNetwork();

    @AfterEach
    void stop() {
        network.close();
    }

    private static String text(ReceivedMessage m) {
        return new String(m.data(), StandardCharsets.UTF_8);
    }

    /** A line a - b - c, all subscribed, each having seen the others' subscriptions. */
    private List<Node> line(GossipSubConfig config) {
        Node a = network.start(config);
        Node b = network.start(config);
        Node c = network.start(config);
        for (Node n : List.of(a, b, c)) n.subscribe(TOPIC);
        connect(a, b);
        connect(b, c);
        await().atMost(WAIT).until(() -> join(b.router().meshPeers(TOPIC)).size() == 2
                && join(a.router().meshPeers(TOPIC)).size() == 1 && join(c.router().meshPeers(TOPIC)).size() == 1);
        return List.of(a, b, c);
    }

    @Test
    void shouldDeliverSignedMessagesAcrossTheMeshExactlyOnce() {
        List<Node> nodes = line(GossipSubConfig.defaults());
        Node a = nodes.get(0), b = nodes.get(1), c = nodes.get(2);

        PublishResult result = a.publish(TOPIC, "hello");
        assertThat(result.peers()).isEqualTo(1);

        await().atMost(WAIT).until(() -> c.received(TOPIC).size() == 1);
        ReceivedMessage got = c.received(TOPIC).getFirst();
        assertThat(text(got)).isEqualTo("hello");
        assertThat(got.author()).contains(a.peerId());
        assertThat(got.receivedFrom()).isEqualTo(b.peerId());
        assertThat(got.id()).isEqualTo(result.id());
        assertThat(b.received(TOPIC)).hasSize(1);
        assertThat(a.received(TOPIC)).isEmpty(); // our own messages are not handed back
        assertThat(c.router().metrics().messagesDelivered()).isEqualTo(1);
        assertThat(b.router().metrics().messagesForwarded()).isEqualTo(1);
    }

    @Test
    void shouldCarryAnonymousMessagesUnderStrictNoSignAndRefuseRepublishingTheSameContent() {
        GossipSubConfig noSign = GossipSubConfig.builder().signaturePolicy(SignaturePolicy.STRICT_NO_SIGN).build();
        List<Node> nodes = line(noSign);
        Node a = nodes.get(0), c = nodes.get(2);

        a.publish(TOPIC, "anonymous");

        await().atMost(WAIT).until(() -> c.received(TOPIC).size() == 1);
        ReceivedMessage got = c.received(TOPIC).getFirst();
        assertThat(got.author()).isEmpty();
        assertThat(got.message().from()).isEmpty();
        assertThat(got.message().signature()).isEmpty();
        assertThat(got.id()).isEqualTo(MessageIdFunction.dataSha256().idOf(got.message()));
        assertThatThrownBy(() -> a.router().publish(TOPIC, "anonymous".getBytes(StandardCharsets.UTF_8)).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(PubSubException.class);
    }

    @Test
    void shouldNeitherDeliverNorForwardWhatAValidatorRejectsAndBlameTheSender() {
        List<Node> nodes = line(GossipSubConfig.defaults());
        Node a = nodes.get(0), b = nodes.get(1), c = nodes.get(2);
        join(b.router().addValidator(TOPIC, m -> text(m).startsWith("bad") ? ValidationResult.REJECT
                : text(m).startsWith("stale") ? ValidationResult.IGNORE : ValidationResult.ACCEPT));

        a.publish(TOPIC, "bad one");
        a.publish(TOPIC, "stale one");
        a.publish(TOPIC, "good one");

        await().atMost(WAIT).until(() -> c.received(TOPIC).size() == 1);
        assertThat(text(c.received(TOPIC).getFirst())).isEqualTo("good one");
        assertThat(b.received(TOPIC)).extracting(GossipSubRouterTest::text).containsExactly("good one");
        assertThat(b.router().metrics().messagesRejected(RejectReason.VALIDATION_FAILED)).isEqualTo(1);
        assertThat(b.router().metrics().messagesRejected(RejectReason.VALIDATION_IGNORED)).isEqualTo(1);
        assertThat(join(b.router().score(a.peerId()))).isNegative();
    }

    @Test
    void shouldStopDeliveringAfterUnsubscribingAndTellThePeers() {
        List<Node> nodes = line(GossipSubConfig.defaults());
        Node a = nodes.get(0), b = nodes.get(1), c = nodes.get(2);

        join(c.router().unsubscribe(TOPIC));

        await().atMost(WAIT).until(() -> !join(b.router().topicPeers(TOPIC)).contains(c.peerId())
                && !join(b.router().meshPeers(TOPIC)).contains(c.peerId()));
        a.publish(TOPIC, "after");
        await().atMost(WAIT).until(() -> b.received(TOPIC).size() == 1);
        assertThat(c.received(TOPIC)).isEmpty();
    }

    @Test
    void shouldPublishToTopicPeersWithoutSubscribing() {
        Node publisher = network.start(GossipSubConfig.defaults());
        Node reader = network.start(GossipSubConfig.defaults());
        reader.subscribe(TOPIC);
        connect(publisher, reader);
        await().atMost(WAIT).until(() -> join(publisher.router().topicPeers(TOPIC)).contains(reader.peerId()));

        assertThat(publisher.publish(TOPIC, "from outside").peers()).isEqualTo(1);

        await().atMost(WAIT).until(() -> reader.received(TOPIC).size() == 1);
    }

    @Test
    void shouldSendWhatWasPublishedBeforeClosingToASlowReader() throws Exception {
        Node publisher = network.start(GossipSubConfig.defaults());
        // A reader that holds its stream paused: what the publisher sent is still unread when the
        // router closes, and must reach the reader all the same (a reset would discard it).
        OverlayNode reader = network.bareHost();
        AtomicReference<Stream> fromPublisher = new AtomicReference<>();
        AtomicInteger messages = new AtomicInteger();
        reader.host().setProtocolHandler(GossipSubConfig.MESHSUB_V11, stream -> {
            stream.pauseReading();
            stream.setReceiver(new MessageReceiver(RpcLimits.DEFAULT_MAX_RPC_BYTES) {
                @Override
                protected void onMessage(Stream s, ByteBuf rpc) {
                    if (RpcCodec.withDefaultLimits().decode(ByteBufUtil.getBytes(rpc)) instanceof RpcDecodeResult.Decoded d) {
                        messages.addAndGet(d.rpc().messages().size());
                    }
                }
            });
            fromPublisher.set(stream);
        });
        join(reader.host().dial(publisher.fullAddress()));
        Stream toPublisher = join(reader.host().newStream(publisher.peerId(), GossipSubConfig.MESHSUB_V11));
        byte[] subscribe = RpcCodec.withDefaultLimits().encode(Rpc.ofSubscriptions(List.of(new Rpc.Subscription(true, TOPIC))));
        join(toPublisher.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, subscribe)));
        await().atMost(WAIT).until(() -> fromPublisher.get() != null
                && join(publisher.router().topicPeers(TOPIC)).contains(reader.host().peerId()));

        byte[] chunk = new byte[512 * 1024];
        for (int i = 0; i < 4; i++) join(publisher.router().publish(TOPIC, withIndex(chunk, i)));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(publisher.router()::close);
        join(closing);
        Thread.sleep(300);
        fromPublisher.get().resumeReading();

        await().atMost(WAIT).until(() -> messages.get() == 4);
        assertThatThrownBy(() -> publisher.router().publish(TOPIC, new byte[1]).get()).hasCauseInstanceOf(PubSubException.class);
    }

    private static byte[] withIndex(byte[] data, int index) {
        byte[] copy = data.clone();
        copy[0] = (byte) index;
        return copy;
    }

    @Test
    void shouldRefuseMessagesOverTheSizeLimitAndBadTopics() {
        Node node = network.start(GossipSubConfig.defaults());
        byte[] big = new byte[GossipSubConfig.defaults().rpcLimits().maxMessageDataBytes() + 1];

        assertThatThrownBy(() -> node.router().publish(TOPIC, big).get()).hasCauseInstanceOf(PubSubException.class)
                .hasMessageContaining("over the limit");
        assertThatThrownBy(() -> node.router().subscribe("", m -> {}).get()).hasCauseInstanceOf(PubSubException.class);
        assertThat(node.publish(TOPIC, "nobody listens").peers()).isZero();
    }

    @Test
    void shouldReachPeersOutsideTheMeshThroughIHaveAndIWant() {
        // A hub whose mesh holds one peer and who does not flood: the other two hear of its
        // message only from the IHAVE of its next heartbeat, and fetch it with IWANT.
        GossipSubParams narrow = GossipSubParams.builder().degrees(1, 1, 1).dScore(0).dOut(0).floodPublish(false).build();
        Node hub = network.start(GossipSubConfig.builder().params(narrow).build());
        hub.subscribe(TOPIC);
        List<Node> spokes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Node spoke = network.start(GossipSubConfig.defaults());
            spoke.subscribe(TOPIC);
            connect(spoke, hub);
            spokes.add(spoke);
        }
        await().atMost(WAIT).until(() -> join(hub.router().meshPeers(TOPIC)).size() == 1
                && join(hub.router().topicPeers(TOPIC)).size() == 3);

        assertThat(hub.publish(TOPIC, "gossiped").peers()).isEqualTo(1);

        await().atMost(WAIT).until(() -> spokes.stream().allMatch(n -> n.received(TOPIC).size() == 1));
        assertThat(hub.router().metrics().controlSent(Control.IHAVE)).isPositive();
        assertThat(hub.router().metrics().controlReceived(Control.IWANT)).isGreaterThanOrEqualTo(2);
        assertThat(spokes).allSatisfy(n -> assertThat(n.router().metrics().messagesDelivered()).isEqualTo(1));
    }

    @Test
    void shouldTalkToAPeerThatSpeaksOnlyMeshsub10() {
        Node old = network.start(GossipSubConfig.builder().protocols(List.of(GossipSubConfig.MESHSUB_V10)).build());
        Node current = network.start(GossipSubConfig.defaults());
        old.subscribe(TOPIC);
        current.subscribe(TOPIC);
        connect(current, old);
        await().atMost(WAIT).until(() -> join(current.router().meshPeers(TOPIC)).contains(old.peerId()));

        current.publish(TOPIC, "to the old one");
        old.publish(TOPIC, "from the old one");

        await().atMost(WAIT).until(() -> old.received(TOPIC).size() == 1 && current.received(TOPIC).size() == 1);
    }

    @Test
    void shouldExportItsMetricsInThePrometheusRegistry() {
        Metrics metrics = Metrics.create();
        Node a = network.start(GossipSubConfig.defaults(), metrics);
        Node b = network.start(GossipSubConfig.defaults());
        a.subscribe(TOPIC);
        b.subscribe(TOPIC);
        connect(a, b);
        await().atMost(WAIT).until(() -> a.router().metrics().meshPeers().getOrDefault(TOPIC, 0) == 1);
        b.publish(TOPIC, "counted");
        await().atMost(WAIT).until(() -> a.received(TOPIC).size() == 1);

        String text = metrics.scrapeText();
        assertThat(text).contains("ferry_pubsub_mesh_peers 1.0")
                .contains("ferry_pubsub_topics_joined{mesh=\"below_d_lo\"} 1.0")
                .contains("ferry_pubsub_topics_joined{mesh=\"empty\"} 0.0")
                .doesNotContain("ferry/test")
                .contains("ferry_pubsub_messages_delivered_total 1.0")
                .contains("ferry_pubsub_messages_received_total 1.0")
                .contains("ferry_pubsub_control_messages_total{direction=\"sent\",type=\"graft\"}")
                .contains("ferry_pubsub_peers_by_score{band=\"non_negative\"} 1.0")
                .contains("ferry_pubsub_peers 1.0");
    }

    @Test
    void shouldKeepConnectionsToTopicPeersOpenAndLetOthersIdleOut() throws InterruptedException {
        Duration idle = Duration.ofMillis(1500);
        UnaryOperator<HostConfig.Builder> shortIdle = b -> b.yamux(YamuxConfig.DEFAULTS.withIdleTimeout(idle));
        Node a = network.start(GossipSubConfig.defaults(), Metrics.create(), shortIdle);
        Node sharing = network.start(GossipSubConfig.defaults(), Metrics.create(), shortIdle);
        Node stranger = network.start(GossipSubConfig.defaults(), Metrics.create(), shortIdle);
        a.subscribe(TOPIC);
        sharing.subscribe(TOPIC);
        stranger.subscribe("ferry/elsewhere");
        connect(a, sharing);
        connect(a, stranger);
        await().atMost(WAIT).until(() -> join(a.router().peers()).size() == 2);

        // Only pubsub streams run on both connections; the one to the stranger serves no topic of ours.
        await().atMost(WAIT).until(() -> a.overlay().host().connections(stranger.peerId()).isEmpty());
        Thread.sleep(idle.multipliedBy(2).toMillis());
        assertThat(a.overlay().host().connections(sharing.peerId())).isNotEmpty();
        assertThat(join(a.router().meshPeers(TOPIC))).containsExactly(sharing.peerId());
    }
}
