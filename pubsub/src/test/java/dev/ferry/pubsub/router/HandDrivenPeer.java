package dev.ferry.pubsub.router;

import static dev.ferry.pubsub.router.PubSubTestNetwork.WAIT;
import static dev.ferry.pubsub.router.PubSubTestNetwork.join;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.pubsub.message.MessageAuthor;
import dev.ferry.pubsub.message.PubSubMessage;
import dev.ferry.pubsub.message.Rpc;
import dev.ferry.pubsub.message.RpcCodec;
import dev.ferry.pubsub.message.RpcDecodeResult;
import dev.ferry.pubsub.router.PubSubTestNetwork.Node;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A pubsub peer the test drives by hand, RPC by RPC, over real streams: the attacker of the
 * attack tests. It runs no router, so it sends exactly what the test says, and records every RPC
 * it receives.
 */
final class HandDrivenPeer {
    private final OverlayNode host;
    private final IdentityKeyPair identity;
    private final RpcLinks links;
    private final RpcCodec codec = RpcCodec.withDefaultLimits();
    private final MessageAuthor author;
    private final Set<PeerId> up = ConcurrentHashMap.newKeySet();
    final List<Rpc> received = new CopyOnWriteArrayList<>();

    HandDrivenPeer(PubSubTestNetwork network) {
        this.host = network.bareHost();
        this.identity = network.identityOf(host);
        this.author = MessageAuthor.strictSign(identity, MessageAuthor.seqnoSeed(Instant.now()));
        this.links = new RpcLinks(host.host(), List.of(GossipSubConfig.MESHSUB_V11), RpcLinks.Limits.DEFAULT,
                new RpcLinks.Listener() {
                    @Override
                    public void peerUp(PeerId peer, String protocol) {
                        up.add(peer);
                    }

                    @Override
                    public void peerDown(PeerId peer) {
                        up.remove(peer);
                    }

                    @Override
                    public void rpc(PeerId peer, byte[] rpc) {
                        if (codec.decode(rpc) instanceof RpcDecodeResult.Decoded decoded) received.add(decoded.rpc());
                    }
                });
        links.start();
    }

    PeerId peerId() {
        return host.host().peerId();
    }

    /** Connects to {@code node} and waits until our stream to it is up. */
    void connect(Node node) {
        join(host.host().dial(node.fullAddress()));
        await().atMost(WAIT).until(() -> up.contains(node.peerId()));
    }

    void send(Node to, Rpc rpc) {
        sendRaw(to, codec.encode(rpc));
    }

    /** Sends {@code bytes} as one length-prefixed RPC, whatever they are. */
    void sendRaw(Node to, byte[] bytes) {
        if (!links.send(to.peerId(), bytes, false)) throw new AssertionError("could not queue an RPC for " + to.peerId());
    }

    void subscribe(Node to, String topic) {
        send(to, Rpc.ofSubscriptions(List.of(new Rpc.Subscription(true, topic))));
    }

    /** A message signed by us, valid under StrictSign. */
    PubSubMessage signed(String topic, String text) {
        return author.publish(topic, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A message signed by us whose data was changed afterwards: its signature fails. */
    PubSubMessage forged(String topic, String text) {
        return signed(topic, text).toBuilder().data(("forged " + text).getBytes(StandardCharsets.UTF_8)).build();
    }

    /** The PRUNEs received so far for {@code topic}. */
    List<Rpc.Prune> prunes(String topic) {
        return received.stream().flatMap(r -> r.control().prune().stream()).filter(p -> p.topic().equals(topic)).toList();
    }

    void close() {
        links.close();
    }
}
