package dev.ferry.pubsub.router;

import static dev.ferry.pubsub.router.PubSubTestNetwork.WAIT;
import static dev.ferry.pubsub.router.PubSubTestNetwork.connect;
import static dev.ferry.pubsub.router.PubSubTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.message.Rpc;
import dev.ferry.pubsub.router.GossipSubMetrics.ScoreBand;
import dev.ferry.pubsub.router.PubSubTestNetwork.Node;
import dev.ferry.pubsub.score.PeerScoreThresholds;
import dev.ferry.pubsub.score.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hand-driven attacker against a small honest network: it is penalised and, past the graylist
 * threshold, ignored, while honest messages keep reaching everyone.
 */
class GossipSubAttackTest {
    private static final String TOPIC = "ferry/attack-test";
    private static final int HONEST = 6;
    private static final PeerScoreThresholds THRESHOLDS = PeerScoreThresholds.DEFAULT;

    private final PubSubTestNetwork network = new PubSubTestNetwork();
    private final List<Node> honest = new ArrayList<>();
    private Node target;
    private HandDrivenPeer attacker;

    @BeforeEach
    void honestNetwork() {
        // A ring with one chord: every node has two or three honest neighbours.
        for (int i = 0; i < HONEST; i++) {
            Node node = network.start(GossipSubConfig.defaults());
            node.subscribe(TOPIC);
            honest.add(node);
        }
        for (int i = 0; i < HONEST; i++) connect(honest.get(i), honest.get((i + 1) % HONEST));
        connect(honest.get(0), honest.get(HONEST / 2));
        await().atMost(WAIT).until(() -> honest.stream().allMatch(n -> join(n.router().meshPeers(TOPIC)).size() >= 2));
        target = honest.getFirst();
        attacker = new HandDrivenPeer(network);
        attacker.connect(target);
        attacker.subscribe(target, TOPIC);
        await().atMost(WAIT).until(() -> join(target.router().topicPeers(TOPIC)).contains(attacker.peerId()));
    }

    @AfterEach
    void stop() {
        attacker.close();
        network.close();
    }

    private double targetsScoreOfAttacker() {
        return join(target.router().score(attacker.peerId()));
    }

    private static boolean anyReceived(Node node, String prefix) {
        return node.received(TOPIC).stream().anyMatch(m -> new String(m.data(), StandardCharsets.UTF_8).startsWith(prefix));
    }

    /** Honest nodes publish a few messages; every honest node gets every one of the others'. */
    private void assertHonestDeliveryComplete() {
        List<Integer> before = honest.stream().map(n -> n.received(TOPIC).size()).toList();
        int perNode = 3;
        for (Node node : honest) {
            for (int i = 0; i < perNode; i++) node.publish(TOPIC, "honest " + i + " from " + node.peerId());
        }
        for (int i = 0; i < HONEST; i++) {
            Node node = honest.get(i);
            int expected = before.get(i) + perNode * (HONEST - 1);
            await().atMost(WAIT).until(() -> node.received(TOPIC).size() >= expected);
            assertThat(node.received(TOPIC)).hasSize(expected);
        }
    }

    @Test
    void shouldGraylistAPeerFloodingInvalidMessagesAndStopWhatItSendsFromSpreading() {
        attacker.send(target, Rpc.ofMessages(List.of(attacker.signed(TOPIC, "before the flood"))));
        await().atMost(WAIT).until(() -> honest.stream().allMatch(n -> anyReceived(n, "before the flood")));

        for (int i = 0; i < 20; i++) attacker.send(target, Rpc.ofMessages(List.of(attacker.forged(TOPIC, "invalid " + i))));
        await().atMost(WAIT).until(() -> targetsScoreOfAttacker() < THRESHOLDS.graylistThreshold());

        long graylistedBefore = target.router().metrics().rpcsGraylisted();
        for (int i = 0; i < 5; i++) attacker.send(target, Rpc.ofMessages(List.of(attacker.signed(TOPIC, "after the flood " + i))));
        await().atMost(WAIT).until(() -> target.router().metrics().rpcsGraylisted() >= graylistedBefore + 5);

        assertThat(honest).noneMatch(n -> anyReceived(n, "after the flood") || anyReceived(n, "forged"));
        assertThat(target.router().metrics().messagesRejected(RejectReason.INVALID_SIGNATURE)).isPositive();
        assertThat(join(target.router().meshPeers(TOPIC))).doesNotContain(attacker.peerId());
        await().atMost(WAIT).until(() -> target.router().metrics().scoreBands().getOrDefault(ScoreBand.GRAYLISTED, 0) == 1);
        assertHonestDeliveryComplete();
    }

    @Test
    void shouldPenaliseAnIWantFlood() {
        List<MessageId> ids = List.of(MessageId.of("nothing we advertised".getBytes(StandardCharsets.UTF_8)));
        Rpc iwant = Rpc.ofControl(new Rpc.Control(List.of(), List.of(new Rpc.IWant(ids)), List.of(), List.of()));
        for (int i = 0; i < 60; i++) attacker.send(target, iwant);

        await().atMost(WAIT).until(() -> targetsScoreOfAttacker() < THRESHOLDS.gossipThreshold());
        assertThat(target.router().metrics().behaviourPenalties()).isPositive();
        assertHonestDeliveryComplete();
    }

    @Test
    void shouldRefuseAndPenaliseGraftsDuringBackoff() {
        Rpc graft = Rpc.ofControl(new Rpc.Control(List.of(), List.of(), List.of(new Rpc.Graft(TOPIC)), List.of()));
        Rpc prune = Rpc.ofControl(new Rpc.Control(List.of(), List.of(), List.of(),
                List.of(new Rpc.Prune(TOPIC, List.of(), OptionalLong.of(60)))));
        attacker.send(target, graft);
        await().atMost(WAIT).until(() -> join(target.router().meshPeers(TOPIC)).contains(attacker.peerId()));
        attacker.send(target, prune); // the target now backs off from us for 60 s
        await().atMost(WAIT).until(() -> !join(target.router().meshPeers(TOPIC)).contains(attacker.peerId()));

        for (int i = 0; i < 6; i++) attacker.send(target, graft);

        await().atMost(WAIT).until(() -> attacker.prunes(TOPIC).size() >= 6);
        assertThat(attacker.prunes(TOPIC)).allSatisfy(p -> assertThat(p.backoffSeconds().orElse(0))
                .isGreaterThanOrEqualTo(Duration.ofMinutes(1).toSeconds()));
        await().atMost(WAIT).until(() -> targetsScoreOfAttacker() < 0);
        assertThat(join(target.router().meshPeers(TOPIC))).doesNotContain(attacker.peerId());
        assertThat(target.router().metrics().behaviourPenalties()).isGreaterThanOrEqualTo(6);
        assertHonestDeliveryComplete();
    }

    @Test
    void shouldDropMalformedRpcsWholeAndKeepTheStream() {
        long before = target.router().metrics().rpcsMalformed();
        attacker.sendRaw(target, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02});
        await().atMost(WAIT).until(() -> target.router().metrics().rpcsMalformed() == before + 1);

        attacker.send(target, Rpc.ofMessages(List.of(attacker.signed(TOPIC, "still heard"))));
        await().atMost(WAIT).until(() -> honest.stream().allMatch(n -> anyReceived(n, "still heard")));
        assertThat(target.router().metrics().internalErrors()).isZero();
    }
}
