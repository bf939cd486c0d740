package dev.ferry.dht.message;

import static dev.ferry.dht.message.DhtFixtures.key;
import static dev.ferry.dht.message.DhtFixtures.peer;
import static dev.ferry.dht.message.DhtFixtures.peers;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.dht.message.DecodeResult.Decoded;
import dev.ferry.dht.message.DhtMessage.AddProvider;
import dev.ferry.dht.message.DhtMessage.FindNode;
import dev.ferry.dht.message.DhtMessage.GetProviders;
import dev.ferry.dht.message.DhtMessage.GetValue;
import dev.ferry.dht.message.DhtMessage.Ping;
import dev.ferry.dht.message.DhtMessage.PutValue;
import dev.ferry.dht.proto.DhtProto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DhtMessagesRoundTripTest {
    private final DhtMessages codec = DhtMessages.withDefaultLimit();
    private final byte[] key = DhtFixtures.PEERS.get(3).toBytes();

    private DhtMessage asRequest(DhtMessage request) {
        DecodeResult result = codec.decodeRequest(codec.encode(request));
        assertThat(result).isEqualTo(new Decoded(request, Dropped.NONE));
        return ((Decoded) result).message();
    }

    private DhtMessage asResponse(DhtMessage response, DhtMessage request) {
        DecodeResult result = codec.decodeResponse(codec.encode(response), request);
        assertThat(result).isEqualTo(new Decoded(response, Dropped.NONE));
        return ((Decoded) result).message();
    }

    @Test
    void findNodeRequestAndResponseRoundTrip() {
        FindNode request = FindNode.request(key);
        asRequest(request);
        asResponse(FindNode.response(key, peers(DhtProtocol.K)), request);
    }

    @Test
    void getValueRequestAndResponsesWithAndWithoutARecordRoundTrip() {
        GetValue request = GetValue.request(key("/pk/abc"));
        asRequest(request);
        DhtRecord record = DhtRecord.of(key("/pk/abc"), new byte[] {1, 2, 3}).receivedAt(Instant.parse("2024-05-06T07:08:09.123Z"));
        asResponse(GetValue.response(key("/pk/abc"), Optional.of(record), peers(5)), request);
        asResponse(GetValue.response(key("/pk/abc"), Optional.empty(), peers(DhtProtocol.K)), request);
    }

    @Test
    void putValueRequestAndItsEchoRoundTrip() {
        PutValue request = PutValue.request(DhtRecord.of(key("/ferry/x"), new byte[] {9, 8, 7}));
        asRequest(request);
        asResponse(request, request);
    }

    @Test
    void addProviderRequestRoundTrips() {
        asRequest(AddProvider.request(key, List.of(peer(0))));
    }

    @Test
    void getProvidersRequestAndResponseRoundTrip() {
        GetProviders request = GetProviders.request(key);
        asRequest(request);
        asResponse(GetProviders.response(key, peers(30), peers(DhtProtocol.K)), request);
    }

    @Test
    void pingRoundTripsBothWays() {
        asRequest(new Ping());
        asResponse(new Ping(), new Ping());
    }

    @Test
    void everyConnectionTypeRoundTrips() {
        List<DhtPeer> peers = List.of(
                new DhtPeer(DhtFixtures.PEERS.get(0), List.of(), ConnectionType.NOT_CONNECTED),
                new DhtPeer(DhtFixtures.PEERS.get(1), List.of(), ConnectionType.CONNECTED),
                new DhtPeer(DhtFixtures.PEERS.get(2), List.of(), ConnectionType.CAN_CONNECT),
                new DhtPeer(DhtFixtures.PEERS.get(3), List.of(), ConnectionType.CANNOT_CONNECT));
        asResponse(FindNode.response(key, peers), FindNode.request(key));
    }

    @Test
    void randomValidMessagesRoundTrip() {
        SeededProperty.forAll("randomValidMessagesRoundTrip", 2_000, random -> {
            DhtMessage message = DhtFixtures.randomMessage(random);
            asResponse(message, DhtFixtures.requestFor(message));
        });
    }

    @Test
    void encodingIsWhatTheGeneratedClassesOfTheSpecProtoRead() throws Exception {
        DhtRecord record = DhtRecord.of(key("/pk/k"), new byte[] {5}).receivedAt(Instant.parse("2024-01-02T03:04:05Z"));
        DhtProto.Message parsed = DhtProto.Message.parseFrom(
                codec.encode(GetValue.response(key("/pk/k"), Optional.of(record), List.of(peer(7)))));

        assertThat(parsed.getType()).isEqualTo(DhtProto.Message.MessageType.GET_VALUE);
        assertThat(parsed.getKey().toStringUtf8()).isEqualTo("/pk/k");
        assertThat(parsed.getRecord().getValue().toByteArray()).containsExactly(5);
        assertThat(parsed.getRecord().getTimeReceived()).isEqualTo("2024-01-02T03:04:05.000000000Z");
        assertThat(parsed.getCloserPeers(0).getId().toByteArray()).isEqualTo(DhtFixtures.PEERS.get(7).toBytes());
        assertThat(parsed.getCloserPeers(0).getAddrsList()).hasSize(2);
    }

    @Test
    void putValueIsTheZeroTypeSoItsTypeFieldIsLeftOutAsGoAndJsDo() throws Exception {
        byte[] bytes = codec.encode(PutValue.request(DhtRecord.of(key("/k/1"), new byte[] {1})));
        assertThat(DhtProto.Message.parseFrom(bytes).getType()).isEqualTo(DhtProto.Message.MessageType.PUT_VALUE);
        assertThat(bytes[0]).as("first field is the key (field 2), not the type").isEqualTo((byte) 0x12);
    }

    @Test
    void readsAMessageAsJsLibp2pWritesItWithClusterLevelAndTheRemovedRecordFields() throws Exception {
        // js-libp2p declares Record fields 3 (author) and 4 (signature) and sets clusterLevel;
        // unknown and unused fields are skipped.
        DhtProto.Record jsRecord = DhtProto.Record.newBuilder()
                .setKey(ByteString.copyFromUtf8("/pk/q"))
                .setValue(ByteString.copyFrom(new byte[] {4, 2}))
                .setTimeReceived("2024-01-02T03:04:05.678000000Z")
                .build();
        byte[] recordWithAuthor = ByteString.copyFrom(jsRecord.toByteArray())
                .concat(ByteString.copyFrom(new byte[] {0x1a, 0x01, 'a', 0x22, 0x01, 's'}))
                .toByteArray();
        byte[] message = DhtProto.Message.newBuilder()
                .setType(DhtProto.Message.MessageType.GET_VALUE)
                .setClusterLevelRaw(3)
                .setKey(ByteString.copyFromUtf8("/pk/q"))
                .setRecord(DhtProto.Record.parseFrom(recordWithAuthor))
                .build()
                .toByteArray();

        DecodeResult result = codec.decodeResponse(message, GetValue.request(key("/pk/q")));

        assertThat(result).isEqualTo(new Decoded(GetValue.response(key("/pk/q"),
                Optional.of(new DhtRecord(key("/pk/q"), new byte[] {4, 2}, "2024-01-02T03:04:05.678000000Z")),
                List.of()), Dropped.NONE));
    }

    @Test
    void framingPrefixesTheEncodingWithItsVarintLength() {
        FindNode response = FindNode.response(key, peers(DhtProtocol.K));
        byte[] encoded = codec.encode(response);
        ByteBuf framed = codec.frame(ByteBufAllocator.DEFAULT, response);
        try {
            byte[] bytes = ByteBufUtil.getBytes(framed);
            assertThat(encoded.length).isBetween(128, 16383);
            assertThat(bytes[0] & 0xff).isEqualTo((encoded.length & 0x7f) | 0x80);
            assertThat(bytes[1] & 0xff).isEqualTo(encoded.length >>> 7);
            assertThat(java.util.Arrays.copyOfRange(bytes, 2, bytes.length)).isEqualTo(encoded);
        } finally {
            framed.release();
        }
    }

    @Test
    void timeReceivedIsWrittenAsGoAndJsWriteIt() {
        assertThat(DhtRecord.timeReceivedOf(Instant.parse("2006-01-02T15:04:05.999999999Z")))
                .isEqualTo("2006-01-02T15:04:05.999999999Z");
        assertThat(DhtRecord.timeReceivedOf(Instant.parse("2024-12-31T23:59:59Z")))
                .isEqualTo("2024-12-31T23:59:59.000000000Z");
    }

    @Test
    void viewsNeitherShareArraysNorPrintKeys() {
        byte[] mutable = key("/pk/secret-ish");
        GetValue request = GetValue.request(mutable);
        mutable[0] = 'X';
        request.key()[1] = 'Y';

        assertThat(request.key()).isEqualTo(key("/pk/secret-ish"));
        assertThat(request.toString()).doesNotContain("secret").contains("14 bytes");
    }
}
