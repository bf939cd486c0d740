package dev.ferry.dht.service;

import static dev.ferry.dht.service.DhtTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.lookup.ClosestPeersLookup;
import dev.ferry.dht.message.DecodeResult;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtMessages;
import dev.ferry.dht.proto.DhtProto;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.service.DhtTestNetwork.Node;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that lie: one answers every request with thousands of made-up peers, itself and the
 * asker; one announces an answer far over the size limit; one serves a forged record. An honest
 * node that bootstrapped from them still finds the honest network, counts what it refused, and
 * follows nothing past its limits.
 */
class DhtHostilePeersTest {
    private static final int HONEST = 12;
    private static final int FAKE_PEERS = 5000;

    private final DhtTestNetwork net = new DhtTestNetwork();
    private final List<Node> honest = new ArrayList<>();

    @BeforeEach
    void startHonestNetwork() {
        for (int i = 0; i < HONEST; i++) honest.add(net.start(DhtConfig.defaults()));
        for (Node node : honest.subList(1, HONEST)) join(node.dht().bootstrap(List.of(honest.getFirst().fullAddress())));
    }

    @AfterEach
    void stop() {
        net.close();
    }

    private Set<PeerId> honestIds() {
        return new HashSet<>(honest.stream().map(Node::peerId).toList());
    }

    /** How a hostile host answers a request: it knows who it is, who asks, and what; null resets the stream. */
    private interface Answer {
        ByteBuf to(PeerId self, PeerId asker, DhtMessage request);
    }

    /** A host that answers each DHT request on the default protocol as {@code answer} says. */
    private OverlayNode hostile(Answer answer) {
        OverlayNode host = net.bareHost();
        DhtMessages codec = DhtMessages.withDefaultLimit();
        host.host().setProtocolHandler(DhtConfig.defaults().protocolId(), stream ->
                stream.setReceiver(new MessageReceiver(codec.maxMessageSize()) {
                    @Override
                    protected void onMessage(Stream s, ByteBuf message) {
                        if (codec.decodeRequest(ByteBufUtil.getBytes(message)) instanceof DecodeResult.Decoded d) {
                            ByteBuf reply = answer.to(host.host().peerId(), s.remotePeer(), d.message());
                            if (reply == null) s.reset();
                            else s.write(reply);
                        }
                    }
                }));
        return host;
    }

    private static Multiaddr fullAddress(OverlayNode host) {
        return host.host().listenAddresses().getFirst().withPeerId(host.host().peerId());
    }

    private static DhtProto.Message.Peer peer(PeerId id) {
        return DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(id.toBytes()))
                .addAddrs(ByteString.copyFrom(Multiaddr.parse("/ip4/127.0.0.1/tcp/1").toBytes())).build();
    }

    @Test
    void shouldFollowNoMoreThanItsLimitsOfAPeerThatAnswersWithThousandsOfPeersItselfAndTheAsker() {
        Node asker = net.start(DhtConfig.defaults());
        OverlayNode liar = hostile((self, from, request) -> {
            DhtProto.Message.Builder reply = DhtProto.Message.newBuilder()
                    .setTypeValue(request.type().number());
            reply.addCloserPeers(peer(self)).addCloserPeers(peer(from));
            for (int i = 0; i < FAKE_PEERS; i++) reply.addCloserPeers(peer(randomPeer()));
            return LengthPrefixed.encode(ByteBufAllocator.DEFAULT, reply.build().toByteArray());
        });
        join(asker.dht().bootstrap(List.of(honest.getFirst().fullAddress(), fullAddress(liar))));
        assertThat(join(asker.dht().routingTablePeers())).as("the liar answered, so it entered").contains(liar.host().peerId());

        byte[] key = new byte[32];
        DhtTestNetwork.RANDOM.nextBytes(key);
        LookupResult result = join(asker.dht().findClosest(key));

        assertThat(result.outcome()).isEqualTo(LookupOutcome.CONVERGED);
        assertThat(result.closest()).containsAll(honestIds()).doesNotContain(asker.peerId());
        assertThat(result.closest().stream().filter(p -> !honestIds().contains(p)).toList())
                .as("besides the honest peers, only the liar itself may answer").containsOnly(liar.host().peerId());
        ClosestPeersLookup.Stats stats = result.stats();
        assertThat(stats.refusedSelfOrLocal()).as("the liar named itself and the asker").isPositive();
        assertThat(stats.refusedOverResponseLimit()).as("peers past 2k in one answer").isPositive();
        assertThat(stats.requestsSent()).as("requests, bounded by the tracked-peer limit")
                .isLessThanOrEqualTo(ClosestPeersLookup.Config.DEFAULT_MAX_TRACKED_PEERS);
        assertThat(asker.dht().metrics().answerPeersDropped()).as("peers past the codec's 64 per answer")
                .isGreaterThanOrEqualTo((long) (FAKE_PEERS - 64) * 2);
        assertThat(asker.dht().metrics().peersRefused()).isPositive();
        assertThat(join(asker.dht().routingTablePeers())).as("made-up peers never answered")
                .allMatch(p -> honestIds().contains(p) || p.equals(liar.host().peerId()));
    }

    private static PeerId randomPeer() {
        byte[] bytes = new byte[34];
        DhtTestNetwork.RANDOM.nextBytes(bytes);
        bytes[0] = 0x12;
        bytes[1] = 0x20;
        return PeerId.fromBytes(bytes);
    }

    @Test
    void shouldRefuseAnOversizedAnswerAndDropThePeerThatSentIt() {
        Node asker = net.start(DhtConfig.defaults());
        boolean[] oversize = {false};
        OverlayNode liar = hostile((self, from, request) -> oversize[0]
                // a length prefix of 2^28 bytes, far over the 4 MiB limit
                ? Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01})
                : LengthPrefixed.encode(ByteBufAllocator.DEFAULT, DhtProto.Message.newBuilder()
                        .setTypeValue(request.type().number()).build().toByteArray()));
        join(asker.dht().bootstrap(List.of(honest.getFirst().fullAddress(), fullAddress(liar))));
        assertThat(join(asker.dht().routingTablePeers())).contains(liar.host().peerId());
        oversize[0] = true;

        LookupResult result = join(asker.dht().findClosest(liar.host().peerId().toBytes()));

        assertThat(result.closest()).containsAll(honestIds()).doesNotContain(liar.host().peerId());
        assertThat(asker.dht().metrics().answersRefused()).isPositive();
        assertThat(join(asker.dht().routingTablePeers())).doesNotContain(liar.host().peerId());
    }

    @Test
    void shouldKeepAPeerThatRefusesToStoreARecordItCannotValidateButRoutesWell() {
        Node writer = net.start(DhtConfig.defaults());
        // Like a stock js or go node given a /ferry/ record: closer peers for FIND_NODE, a reset for PUT_VALUE.
        OverlayNode picky = hostile((self, from, request) -> request instanceof DhtMessage.PutValue ? null
                : LengthPrefixed.encode(ByteBufAllocator.DEFAULT, DhtProto.Message.newBuilder()
                        .setTypeValue(request.type().number())
                        .addCloserPeers(DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(honest.getFirst().peerId().toBytes()))
                                .addAddrs(ByteString.copyFrom(honest.getFirst().fullAddress().withoutPeerId().toBytes())))
                        .build().toByteArray()));
        join(writer.dht().bootstrap(List.of(honest.getFirst().fullAddress(), fullAddress(picky))));
        assertThat(join(writer.dht().routingTablePeers())).contains(picky.host().peerId());

        FerryRecord record = FerryRecord.sign(writer.identity(), "bundle", "mine".getBytes(StandardCharsets.UTF_8), 1);
        join(writer.dht().putValue(record.key(), record.encoded()));

        assertThat(writer.dht().metrics().requestsFailed()).as("the picky peer refused the record").isPositive();
        assertThat(join(writer.dht().routingTablePeers())).as("and routes still").contains(picky.host().peerId());
        assertThat(writer.dht().metrics().evictions()).isZero();
    }

    @Test
    void shouldIgnoreAForgedRecordInAnAnswerAndReturnTheValidOne() {
        Node owner = honest.get(3);
        FerryRecord genuine = FerryRecord.sign(owner.identity(), "bundle", "genuine".getBytes(StandardCharsets.UTF_8), 5);
        join(owner.dht().putValue(genuine.key(), genuine.encoded()));
        byte[] forged = FerryRecord.sign(owner.identity(), "bundle", "forged".getBytes(StandardCharsets.UTF_8), 9).encoded();
        forged[forged.length - 1] ^= 1; // a higher sequence, but the signature no longer holds
        Node reader = net.start(DhtConfig.defaults());
        OverlayNode liar = hostile((self, from, request) -> LengthPrefixed.encode(ByteBufAllocator.DEFAULT,
                DhtProto.Message.newBuilder().setTypeValue(request.type().number())
                        .setKey(ByteString.copyFrom(genuine.key()))
                        .setRecord(DhtProto.Record.newBuilder().setKey(ByteString.copyFrom(genuine.key()))
                                .setValue(ByteString.copyFrom(forged)))
                        .build().toByteArray()));
        join(reader.dht().bootstrap(List.of(honest.getFirst().fullAddress(), fullAddress(liar))));

        Optional<byte[]> read = join(reader.dht().getValue(genuine.key()));

        assertThat(read).hasValueSatisfying(v -> assertThat(v).isEqualTo(genuine.encoded()));
        assertThat(reader.dht().metrics().invalidRecordsReceived()).isPositive();
        assertThat(join(reader.dht().localValue(genuine.key()))).as("a reader stores nothing it read").isEmpty();
    }
}
