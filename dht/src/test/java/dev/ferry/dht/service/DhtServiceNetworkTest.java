package dev.ferry.dht.service;

import static dev.ferry.dht.service.DhtTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DecodeResult;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtMessages;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.service.DhtTestNetwork.Node;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A network of 30 DHT servers on loopback, each bootstrapped from node 0. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DhtServiceNetworkTest {
    private static final int SERVERS = 30;
    private static final int K = 20;
    /** Of the true k closest, a lookup must find at least this many. */
    private static final int MIN_FOUND = 18;

    private final DhtTestNetwork net = new DhtTestNetwork();
    private final List<Node> servers = new ArrayList<>();

    @BeforeAll
    void startNetwork() {
        for (int i = 0; i < SERVERS; i++) servers.add(net.start(DhtConfig.defaults()));
        Node first = servers.getFirst();
        for (Node node : servers.subList(1, SERVERS)) join(node.dht().bootstrap(List.of(first.fullAddress())));
    }

    @AfterAll
    void stopNetwork() {
        net.close();
    }

    private List<PeerId> serverIds() {
        return servers.stream().map(Node::peerId).toList();
    }

    @Test
    void shouldFindAtLeastEighteenOfTheTrueTwentyClosestFromEveryNode() {
        List<CompletableFuture<LookupResult>> lookups = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        for (Node node : servers) {
            byte[] key = new byte[32];
            DhtTestNetwork.RANDOM.nextBytes(key);
            keys.add(key);
            lookups.add(node.dht().findClosest(key));
        }
        int worst = K;
        int maxHops = 0;
        for (int i = 0; i < SERVERS; i++) {
            LookupResult result = join(lookups.get(i));
            PeerId self = servers.get(i).peerId();
            List<PeerId> others = serverIds().stream().filter(p -> !p.equals(self)).toList();
            Set<PeerId> truth = new HashSet<>(DhtTestNetwork.trueClosest(keys.get(i), others, K));
            long found = result.closest().stream().filter(truth::contains).count();
            assertThat(found).as("node %d found %d of the true %d closest", i, found, K).isGreaterThanOrEqualTo(MIN_FOUND);
            assertThat(result.hops()).as("hops of node %d", i).isBetween(1, SERVERS);
            worst = Math.min(worst, (int) found);
            maxHops = Math.max(maxHops, result.hops());
        }
        System.out.printf("findClosest: worst %d of %d true closest, at most %d hops%n", worst, K, maxHops);
    }

    @Test
    void shouldReadFromAnotherNodeARecordPutByOne() {
        IdentityKeyPair publisher = servers.get(3).identity();
        FerryRecord first = FerryRecord.sign(publisher, "greeting", "hello".getBytes(StandardCharsets.UTF_8), 1);
        int stored = join(servers.get(3).dht().putValue(first.key(), first.encoded()));
        assertThat(stored).isGreaterThanOrEqualTo(MIN_FOUND);

        Optional<byte[]> read = join(servers.get(17).dht().getValue(first.key()));
        assertThat(read).hasValueSatisfying(v -> assertThat(v).isEqualTo(first.encoded()));

        FerryRecord second = FerryRecord.sign(publisher, "greeting", "hello again".getBytes(StandardCharsets.UTF_8), 2);
        join(servers.get(9).dht().putValue(second.key(), second.encoded()));
        Optional<byte[]> newer = join(servers.get(25).dht().getValue(second.key()));
        assertThat(newer).hasValueSatisfying(v -> assertThat(v).isEqualTo(second.encoded()));
    }

    @Test
    void shouldFindNothingUnderAKeyNobodyPut() {
        FerryRecord never = FerryRecord.sign(servers.get(1).identity(), "never-put", new byte[] {1}, 1);
        assertThat(join(servers.get(2).dht().getValue(never.key()))).isEmpty();
    }

    @Test
    void shouldFindAProviderAnnouncedByAnotherNode() throws Exception {
        byte[] key = sha256Multihash("content".getBytes(StandardCharsets.UTF_8));
        Node provider = servers.get(5);
        int sentTo = join(provider.dht().provide(key));
        assertThat(sentTo).isGreaterThanOrEqualTo(MIN_FOUND);

        List<DhtPeer> found = join(servers.get(20).dht().findProviders(key, 5));
        assertThat(found).extracting(DhtPeer::id).contains(provider.peerId());
        DhtPeer announced = found.stream().filter(p -> p.id().equals(provider.peerId())).findFirst().orElseThrow();
        assertThat(announced.addresses()).isNotEmpty();
    }

    @Test
    void shouldFindAPeersAddresses() {
        Node wanted = servers.get(11);
        List<dev.ferry.overlay.multiaddr.Multiaddr> addresses = join(servers.get(27).dht().findPeer(wanted.peerId()));
        assertThat(addresses).contains(wanted.overlay().host().listenAddresses().getFirst());
    }

    @Test
    void shouldLetAClientLookUpWithoutEverEnteringARoutingTable() {
        Node client = net.start(DhtConfig.defaults().withMode(DhtMode.CLIENT));
        LookupResult joined = join(client.dht().bootstrap(List.of(servers.getFirst().fullAddress())));
        assertThat(joined.closest()).isNotEmpty();

        byte[] key = new byte[32];
        DhtTestNetwork.RANDOM.nextBytes(key);
        LookupResult result = join(client.dht().findClosest(key));
        Set<PeerId> truth = new HashSet<>(DhtTestNetwork.trueClosest(key, serverIds(), K));
        assertThat(result.closest().stream().filter(truth::contains).count()).isGreaterThanOrEqualTo(MIN_FOUND);
        assertThat(client.overlay().host().protocols()).doesNotContain(DhtConfig.defaults().protocolId());

        // Servers it asked probed it back; wait until every probe is over before looking.
        for (Node server : servers) {
            org.awaitility.Awaitility.await().atMost(DhtTestNetwork.WAIT)
                    .until(() -> server.dht().metrics().probesFinished() == server.dht().metrics().probesSent());
        }
        for (Node server : servers) {
            assertThat(join(server.dht().routingTablePeers())).doesNotContain(client.peerId());
        }
        long probes = servers.stream().mapToLong(s -> s.dht().metrics().probesSent()).sum();
        assertThat(probes).isPositive();
    }

    @Test
    void shouldResetAMalformedRequestAndKeepServing() {
        Node target = servers.get(7);
        Node sender = servers.get(8);
        long malformedBefore = target.dht().metrics().malformedRequests();

        Stream stream = join(sender.overlay().host().newStream(target.peerId(), DhtConfig.defaults().protocolId()));
        stream.setReceiver(new StreamReceiver() {
            @Override
            public void onData(Stream s, ByteBuf data) {}
        });
        // A protobuf Message with type 99, which the spec does not define.
        join(stream.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, new byte[] {0x08, 0x63, 0x52, 0x01, 0x01})));
        join(stream.closeFuture().handle((v, e) -> null));

        Stream oversized = join(sender.overlay().host().newStream(target.peerId(), DhtConfig.defaults().protocolId()));
        oversized.setReceiver((s, data) -> {});
        // A length prefix of 2^28 bytes, far over the 4 MiB limit.
        join(oversized.write(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01})));
        join(oversized.closeFuture().handle((v, e) -> null));

        assertThat(target.dht().metrics().malformedRequests()).isGreaterThanOrEqualTo(malformedBefore + 2);
        DhtMessage answer = join(sender.dht().request(target.peerId(), DhtMessage.FindNode.request(new byte[] {1, 2, 3})));
        assertThat(((DhtMessage.FindNode) answer).closerPeers()).isNotEmpty();
    }

    @Test
    void shouldAnswerSeveralRequestsOnOneStreamInOrder() {
        Node target = servers.get(12);
        Node sender = servers.get(13);
        DhtMessages codec = DhtMessages.withDefaultLimit();
        DhtMessage first = DhtMessage.FindNode.request(new byte[] {1});
        DhtMessage second = new DhtMessage.Ping();
        List<DhtMessage> requests = List.of(first, second);
        CopyOnWriteArrayList<DhtMessage> answers = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> both = new CompletableFuture<>();

        Stream stream = join(sender.overlay().host().newStream(target.peerId(), DhtConfig.defaults().protocolId()));
        stream.setReceiver(new MessageReceiver(codec.maxMessageSize()) {
            @Override
            protected void onMessage(Stream s, ByteBuf message) {
                DhtMessage request = requests.get(answers.size());
                if (codec.decodeResponse(ByteBufUtil.getBytes(message), request) instanceof DecodeResult.Decoded d) {
                    answers.add(d.message());
                } else {
                    both.completeExceptionally(new AssertionError("answer did not decode"));
                }
                if (answers.size() == 2) both.complete(null);
            }
        });
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(codec.frame(ByteBufAllocator.DEFAULT, first));
        out.writeBytes(codec.frame(ByteBufAllocator.DEFAULT, second));
        join(stream.write(out)); // both requests in one write
        join(both);
        stream.closeWrite();

        assertThat(answers.get(0)).isInstanceOf(DhtMessage.FindNode.class);
        assertThat(answers.get(1)).isInstanceOf(DhtMessage.Ping.class);
    }

    @Test
    void shouldRefuseAnInvalidRecordByResettingTheStreamAndKeepServing() {
        Node target = servers.get(15);
        Node sender = servers.get(16);
        long refusedBefore = target.dht().metrics().refusedRequests();
        FerryRecord signed = FerryRecord.sign(sender.identity(), "forged", new byte[] {1, 2, 3}, 1);
        byte[] tampered = signed.encoded();
        tampered[tampered.length - 1] ^= 1; // breaks the signature

        CompletableFuture<DhtMessage> put = sender.dht().request(target.peerId(),
                DhtMessage.PutValue.request(dev.ferry.dht.message.DhtRecord.of(signed.key(), tampered)));

        Throwable failure = join(put.handle((answer, thrown) -> thrown));
        assertThat(failure).isNotNull();
        assertThat(target.dht().metrics().refusedRequests()).isEqualTo(refusedBefore + 1);
        DhtMessage get = join(sender.dht().request(target.peerId(), DhtMessage.GetValue.request(signed.key())));
        assertThat(((DhtMessage.GetValue) get).record()).isEmpty();
    }

    @Test
    void shouldStoreOnlyTheSenderAsAProvider() throws Exception {
        Node target = servers.get(18);
        Node sender = servers.get(19);
        Node other = servers.get(21);
        byte[] key = sha256Multihash("someone else's content".getBytes(StandardCharsets.UTF_8));

        join(sender.dht().request(target.peerId(), DhtMessage.AddProvider.request(key,
                List.of(DhtPeer.of(other.peerId(), other.overlay().host().listenAddresses())))));
        DhtMessage answer = join(sender.dht().request(target.peerId(), DhtMessage.GetProviders.request(key)));
        assertThat(((DhtMessage.GetProviders) answer).providerPeers()).isEmpty();

        join(sender.dht().request(target.peerId(), DhtMessage.AddProvider.request(key,
                List.of(DhtPeer.of(sender.peerId(), sender.overlay().host().listenAddresses())))));
        DhtMessage after = join(sender.dht().request(target.peerId(), DhtMessage.GetProviders.request(key)));
        assertThat(((DhtMessage.GetProviders) after).providerPeers()).extracting(DhtPeer::id).containsExactly(sender.peerId());
    }

    private static byte[] sha256Multihash(byte[] data) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
        byte[] out = new byte[2 + digest.length];
        out[0] = 0x12;
        out[1] = 0x20;
        System.arraycopy(digest, 0, out, 2, digest.length);
        return out;
    }
}
