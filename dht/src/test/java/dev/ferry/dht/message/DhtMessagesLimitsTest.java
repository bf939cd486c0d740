package dev.ferry.dht.message;

import static dev.ferry.dht.message.DhtFixtures.PEERS;
import static dev.ferry.dht.message.DhtFixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DecodeResult.Decoded;
import dev.ferry.dht.message.DecodeResult.Refused;
import dev.ferry.dht.message.DhtMessage.AddProvider;
import dev.ferry.dht.message.DhtMessage.FindNode;
import dev.ferry.dht.message.DhtMessage.GetProviders;
import dev.ferry.dht.message.DhtMessage.GetValue;
import dev.ferry.dht.message.DhtMessage.Ping;
import dev.ferry.dht.message.DhtMessage.PutValue;
import dev.ferry.dht.proto.DhtProto;
import dev.ferry.dht.proto.DhtProto.Message.MessageType;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DhtMessagesLimitsTest {
    private final DhtMessages codec = DhtMessages.withDefaultLimit();
    private final byte[] target = PEERS.get(0).toBytes();
    private final FindNode findNode = FindNode.request(target);

    private static DhtProto.Message.Builder message(MessageType type) {
        return DhtProto.Message.newBuilder().setType(type);
    }

    private static DhtProto.Message.Peer wirePeer(PeerId id, Multiaddr... addresses) {
        DhtProto.Message.Peer.Builder peer = DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(id.toBytes()));
        for (Multiaddr address : addresses) peer.addAddrs(ByteString.copyFrom(address.toBytes()));
        return peer.build();
    }

    private static DhtProto.Message.Peer wirePeer(int n) {
        return wirePeer(PEERS.get(n % PEERS.size()), DhtFixtures.tcp(n % 250));
    }

    private static Decoded decoded(DecodeResult result) {
        assertThat(result).isInstanceOf(Decoded.class);
        return (Decoded) result;
    }

    private static void assertRefused(DecodeResult result, Refusal reason, String detail) {
        assertThat(result).isInstanceOf(Refused.class);
        Refused refused = (Refused) result;
        assertThat(refused.reason()).isEqualTo(reason);
        assertThat(refused.detail()).contains(detail);
    }

    // ---- whole messages refused ----

    @Test
    void aMessageOverTheCodecsLimitIsRefusedBeforeItIsRead() {
        DhtMessages small = new DhtMessages(100);
        assertRefused(small.decodeRequest(new byte[101]), Refusal.TOO_LARGE, "101 bytes exceeds the limit of 100");
        assertRefused(small.decodeResponse(new byte[101], findNode), Refusal.TOO_LARGE, "limit of 100");
    }

    @Test
    void theCodecLimitCannotExceedTheProtocols() {
        assertThatThrownBy(() -> new DhtMessages(DhtProtocol.MAX_MESSAGE_SIZE + 1)).hasMessageContaining("between 1 and");
        assertThatThrownBy(() -> new DhtMessages(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(DhtProtocol.MAX_MESSAGE_SIZE).isEqualTo(4 << 20);
    }

    @Test
    void encodingAMessageOverTheLimitFailsLoudlyForItIsOurOwnMistake() {
        DhtMessages small = new DhtMessages(64);
        PutValue big = PutValue.request(DhtRecord.of(key("/pk/x"), new byte[100]));
        assertThatThrownBy(() -> small.encode(big)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the limit of 64");
    }

    @Test
    void anUnknownMessageTypeIsRefused() {
        byte[] bytes = message(MessageType.FIND_NODE).setTypeValue(6).setKey(ByteString.copyFrom(target)).build().toByteArray();
        assertRefused(codec.decodeRequest(bytes), Refusal.UNKNOWN_TYPE, "unknown message type 6");
        byte[] negative = message(MessageType.FIND_NODE).setTypeValue(-1).setKey(ByteString.copyFrom(target)).build().toByteArray();
        assertRefused(codec.decodeRequest(negative), Refusal.UNKNOWN_TYPE, "unknown message type -1");
    }

    @Test
    void aResponseOfAnotherTypeThanTheRequestIsRefused() {
        byte[] ping = codec.encode(new Ping());
        assertRefused(codec.decodeResponse(ping, findNode), Refusal.UNEXPECTED_TYPE, "PING response to a FIND_NODE request");
    }

    @Test
    void requestsWithoutTheirKeyAreRefusedButPingNeedsNone() {
        for (MessageType type : List.of(MessageType.FIND_NODE, MessageType.GET_VALUE, MessageType.ADD_PROVIDER,
                MessageType.GET_PROVIDERS, MessageType.PUT_VALUE)) {
            assertRefused(codec.decodeRequest(message(type).build().toByteArray()), Refusal.MISSING_KEY, "without a key");
        }
        assertThat(decoded(codec.decodeRequest(message(MessageType.PING).build().toByteArray())).message())
                .isEqualTo(new Ping());
    }

    @Test
    void anEmptyMessageIsAPutValueWithoutKeyAsProto3ReadsIt() {
        assertRefused(codec.decodeRequest(new byte[0]), Refusal.MISSING_KEY, "PUT_VALUE request without a key");
    }

    @Test
    void aResponseMayLeaveOutItsKeyAsGoDoesInFindNodeAnswers() {
        byte[] bytes = message(MessageType.FIND_NODE).addCloserPeers(wirePeer(1)).build().toByteArray();
        FindNode response = (FindNode) decoded(codec.decodeResponse(bytes, findNode)).message();
        assertThat(response.key()).isEmpty();
        assertThat(response.closerPeers()).extracting(DhtPeer::id).containsExactly(PEERS.get(1));
    }

    @Test
    void aKeyLongerThanTheLimitIsRefusedInTheMessageAndInTheRecord() {
        byte[] longKey = new byte[DhtProtocol.MAX_KEY_LENGTH + 1];
        byte[] inMessage = message(MessageType.GET_VALUE).setKey(ByteString.copyFrom(longKey)).build().toByteArray();
        assertRefused(codec.decodeRequest(inMessage), Refusal.KEY_TOO_LONG, "message key of 257 bytes");

        byte[] inRecord = message(MessageType.GET_VALUE).setKey(ByteString.copyFromUtf8("/pk/a"))
                .setRecord(DhtProto.Record.newBuilder().setKey(ByteString.copyFrom(longKey))).build().toByteArray();
        assertRefused(codec.decodeResponse(inRecord, GetValue.request(key("/pk/a"))), Refusal.KEY_TOO_LONG, "record key");

        byte[] atTheLimit = message(MessageType.GET_VALUE).setKey(ByteString.copyFrom(new byte[DhtProtocol.MAX_KEY_LENGTH]))
                .build().toByteArray();
        assertThat(codec.decodeRequest(atTheLimit)).isInstanceOf(Decoded.class);
    }

    @Test
    void aProviderKeyLongerThanGoAcceptsIsRefusedInRequestsAndAnswers() {
        byte[] longKey = new byte[DhtProtocol.MAX_PROVIDER_KEY_LENGTH + 1];
        byte[] add = message(MessageType.ADD_PROVIDER).setKey(ByteString.copyFrom(longKey)).build().toByteArray();
        byte[] get = message(MessageType.GET_PROVIDERS).setKey(ByteString.copyFrom(longKey)).build().toByteArray();

        assertRefused(codec.decodeRequest(add), Refusal.KEY_TOO_LONG, "provider key of 81 bytes");
        assertRefused(codec.decodeRequest(get), Refusal.KEY_TOO_LONG, "provider key of 81 bytes");
        assertRefused(codec.decodeResponse(get, GetProviders.request(target)), Refusal.KEY_TOO_LONG, "provider key");
        assertThatThrownBy(() -> GetProviders.request(longKey)).hasMessageContaining("longer than 80");
        assertThat(codec.decodeRequest(message(MessageType.FIND_NODE).setKey(ByteString.copyFrom(longKey)).build().toByteArray()))
                .as("other keys may be longer").isInstanceOf(Decoded.class);
    }

    @Test
    void aPutValueWithoutARecordIsRefused() {
        byte[] bytes = message(MessageType.PUT_VALUE).setKey(ByteString.copyFromUtf8("/pk/a")).build().toByteArray();
        assertRefused(codec.decodeRequest(bytes), Refusal.MISSING_RECORD, "PUT_VALUE request without a record");
        PutValue put = PutValue.request(DhtRecord.of(key("/pk/a"), new byte[] {1}));
        assertRefused(codec.decodeResponse(bytes, put), Refusal.MISSING_RECORD, "echo without a record");
    }

    @Test
    void aPutValueWhoseRecordKeyIsNotTheMessageKeyIsRefusedAsGoRefusesIt() {
        byte[] bytes = message(MessageType.PUT_VALUE).setKey(ByteString.copyFromUtf8("/pk/a"))
                .setRecord(DhtProto.Record.newBuilder().setKey(ByteString.copyFromUtf8("/pk/b"))).build().toByteArray();
        assertRefused(codec.decodeRequest(bytes), Refusal.RECORD_MISMATCH, "record key differs from the message key");
    }

    @Test
    void aGetValueAnswerWithARecordForAnotherKeyIsRefused() {
        byte[] bytes = codec.encode(GetValue.response(key("/pk/a"), Optional.of(DhtRecord.of(key("/pk/b"), new byte[0])), List.of()));
        assertRefused(codec.decodeResponse(bytes, GetValue.request(key("/pk/a"))), Refusal.RECORD_MISMATCH, "another key");
    }

    @Test
    void aPutValueEchoOfAnotherRecordIsRefusedButItsTimeReceivedMayDiffer() {
        PutValue put = PutValue.request(DhtRecord.of(key("/pk/a"), new byte[] {1}));
        byte[] other = codec.encode(PutValue.request(DhtRecord.of(key("/pk/a"), new byte[] {2})));
        assertRefused(codec.decodeResponse(other, put), Refusal.RECORD_MISMATCH, "another record than was put");

        byte[] stamped = codec.encode(PutValue.request(put.record().receivedAt(java.time.Instant.EPOCH)));
        assertThat(codec.decodeResponse(stamped, put)).isInstanceOf(Decoded.class);
    }

    @Test
    void truncatedAndGarbledBytesAreMalformed() {
        byte[] valid = codec.encode(FindNode.response(target, DhtFixtures.peers(3)));
        assertRefused(codec.decodeResponse(Arrays.copyOf(valid, valid.length - 1), findNode), Refusal.MALFORMED, "not a kad-dht message");
        assertRefused(codec.decodeRequest(new byte[] {(byte) 0x80}), Refusal.MALFORMED, "");
        assertRefused(codec.decodeRequest(new byte[] {0x00}), Refusal.MALFORMED, "");
        assertRefused(codec.decodeRequest(new byte[] {0x12, 0x05, 1, 2}), Refusal.MALFORMED, "");
        byte[] tenByteVarint = {0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        assertRefused(codec.decodeRequest(tenByteVarint), Refusal.MALFORMED, "");
    }

    @Test
    void aKnownFieldWithTheWrongWireTypeIsMalformed() {
        // field 2 (key) as a varint
        assertRefused(codec.decodeRequest(new byte[] {0x08, 0x04, 0x10, 0x01}), Refusal.MALFORMED, "field key has wire type 0");
        // field 1 (type) as bytes
        assertRefused(codec.decodeRequest(new byte[] {0x0a, 0x00}), Refusal.MALFORMED, "field type has wire type 2");
    }

    @Test
    void groupsAreRefusedAndOtherUnknownFieldsSkipped() {
        byte[] findNodeBytes = codec.encode(findNode);
        byte[] group = concat(findNodeBytes, new byte[] {(byte) 0xa3, 0x01, (byte) 0xa4, 0x01}); // field 20 start/end group
        assertRefused(codec.decodeRequest(group), Refusal.MALFORMED, "groups are not used");

        byte[] unknown = concat(findNodeBytes, new byte[] {
            (byte) 0xa0, 0x01, 0x07,                    // field 20 varint
            (byte) 0xa9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8,  // field 21 fixed64
            (byte) 0xb2, 0x01, 0x02, 9, 9,              // field 22 bytes
            (byte) 0xbd, 0x01, 1, 2, 3, 4});            // field 23 fixed32
        assertThat(codec.decodeRequest(unknown)).isEqualTo(new Decoded(findNode, Dropped.NONE));
    }

    @Test
    void aTimeReceivedThatIsNotUtf8IsMalformedAndAnOverlongOneIgnored() {
        byte[] record = concat(DhtProto.Record.newBuilder().setKey(ByteString.copyFromUtf8("/pk/a")).build().toByteArray(),
                new byte[] {0x2a, 0x02, (byte) 0xc3, 0x28}); // timeReceived: an invalid two-byte sequence
        byte[] badUtf8 = concat(message(MessageType.GET_VALUE).setKey(ByteString.copyFromUtf8("/pk/a")).build().toByteArray(),
                concat(new byte[] {0x1a, (byte) record.length}, record));
        assertRefused(codec.decodeResponse(badUtf8, GetValue.request(key("/pk/a"))), Refusal.MALFORMED, "not UTF-8");

        byte[] overlong = message(MessageType.GET_VALUE).setKey(ByteString.copyFromUtf8("/pk/a"))
                .setRecord(DhtProto.Record.newBuilder().setKey(ByteString.copyFromUtf8("/pk/a"))
                        .setTimeReceived("9".repeat(DhtProtocol.MAX_TIME_RECEIVED_LENGTH + 1)))
                .build().toByteArray();
        GetValue answer = (GetValue) decoded(codec.decodeResponse(overlong, GetValue.request(key("/pk/a")))).message();
        assertThat(answer.record()).hasValueSatisfying(r -> assertThat(r.timeReceived()).isEmpty());
    }

    // ---- parts dropped and counted ----

    @Test
    void aPeerAnsweringWithThousandsOfCloserPeersHasTheExcessSkippedAndCounted() {
        DhtProto.Message.Builder answer = message(MessageType.FIND_NODE);
        for (int i = 0; i < 5_000; i++) answer.addCloserPeers(wirePeer(i % DhtProtocol.MAX_CLOSER_PEERS));
        byte[] bytes = answer.build().toByteArray();

        Decoded decoded = decoded(codec.decodeResponse(bytes, findNode));

        assertThat(((FindNode) decoded.message()).closerPeers()).hasSize(DhtProtocol.MAX_CLOSER_PEERS);
        assertThat(decoded.dropped()).isEqualTo(new Dropped(5_000 - DhtProtocol.MAX_CLOSER_PEERS, 0, 0, 0, 0));
    }

    @Test
    void providerPeersPastTheirLimitAreSkippedAndCounted() {
        DhtProto.Message.Builder answer = message(MessageType.GET_PROVIDERS).setKey(ByteString.copyFrom(target));
        for (int i = 0; i < DhtProtocol.MAX_PROVIDER_PEERS + 10; i++) {
            answer.addProviderPeers(DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(
                    dev.ferry.crypto.multiformats.Multihash.sha256(new byte[] {(byte) i, (byte) (i >> 8)}).encode())));
        }
        Decoded decoded = decoded(codec.decodeResponse(answer.build().toByteArray(), GetProviders.request(target)));

        assertThat(((GetProviders) decoded.message()).providerPeers()).hasSize(DhtProtocol.MAX_PROVIDER_PEERS);
        assertThat(decoded.dropped().excessPeers()).isEqualTo(10);
    }

    @Test
    void peersWhoseIdIsNotAPeerIdAreDroppedAndCounted() {
        byte[] bytes = message(MessageType.FIND_NODE)
                .addCloserPeers(wirePeer(1))
                .addCloserPeers(DhtProto.Message.Peer.newBuilder())                                          // no id
                .addCloserPeers(DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFromUtf8("QmNotBinary")))
                .addCloserPeers(DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(new byte[200])))  // too long
                .addCloserPeers(DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(new byte[] {0x13, 0x02, 1, 2})))
                .addCloserPeers(wirePeer(2))
                .build().toByteArray();

        Decoded decoded = decoded(codec.decodeResponse(bytes, findNode));

        assertThat(((FindNode) decoded.message()).closerPeers()).extracting(DhtPeer::id).containsExactly(PEERS.get(1), PEERS.get(2));
        assertThat(decoded.dropped()).isEqualTo(new Dropped(0, 4, 0, 0, 0));
    }

    @Test
    void aPeerListedTwiceIsKeptOnceAndTheRepeatCounted() {
        byte[] bytes = message(MessageType.FIND_NODE).addCloserPeers(wirePeer(1)).addCloserPeers(wirePeer(2))
                .addCloserPeers(wirePeer(PEERS.get(1))).build().toByteArray();

        Decoded decoded = decoded(codec.decodeResponse(bytes, findNode));

        assertThat(((FindNode) decoded.message()).closerPeers()).extracting(DhtPeer::id).containsExactly(PEERS.get(1), PEERS.get(2));
        assertThat(((FindNode) decoded.message()).closerPeers().get(0).addresses()).containsExactly(DhtFixtures.tcp(1));
        assertThat(decoded.dropped()).isEqualTo(new Dropped(0, 0, 1, 0, 0));
    }

    @Test
    void addressesThatAreNotMultiaddrsFerryReadsAreDroppedAndCounted() {
        byte[] quic = concat(Multiaddr.parse("/ip4/1.2.3.4").toBytes(), new byte[] {(byte) 0x91, 0x02, 0x11, 0x51}); // udp/4433
        DhtProto.Message.Peer peer = DhtProto.Message.Peer.newBuilder()
                .setId(ByteString.copyFrom(PEERS.get(1).toBytes()))
                .addAddrs(ByteString.copyFrom(DhtFixtures.tcp(1).toBytes()))
                .addAddrs(ByteString.copyFromUtf8("/ip4/1.2.3.4/tcp/1"))                           // text, not binary
                .addAddrs(ByteString.copyFrom(quic))                                             // a protocol Ferry lacks
                .addAddrs(ByteString.copyFrom(new byte[Multiaddr.MAX_BYTES + 1]))                // longer than any
                .addAddrs(ByteString.EMPTY)
                .addAddrs(ByteString.copyFrom(DhtFixtures.tcp(9).withPeerId(PEERS.get(2)).toBytes())) // another peer's
                .addAddrs(ByteString.copyFrom(DhtFixtures.tcp(8).withPeerId(PEERS.get(1)).toBytes())) // its own: kept
                .build();
        byte[] bytes = message(MessageType.FIND_NODE).addCloserPeers(peer).build().toByteArray();

        Decoded decoded = decoded(codec.decodeResponse(bytes, findNode));

        assertThat(((FindNode) decoded.message()).closerPeers().get(0).addresses())
                .containsExactly(DhtFixtures.tcp(1), DhtFixtures.tcp(8).withPeerId(PEERS.get(1)));
        assertThat(decoded.dropped()).isEqualTo(new Dropped(0, 0, 0, 5, 0));
    }

    @Test
    void addressesPastThePerPeerLimitAreSkippedAndCounted() {
        DhtProto.Message.Peer.Builder peer = DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(PEERS.get(1).toBytes()));
        for (int i = 0; i < 1_000; i++) peer.addAddrs(ByteString.copyFrom(DhtFixtures.tcp(i % 250).toBytes()));
        byte[] bytes = message(MessageType.FIND_NODE).addCloserPeers(peer).build().toByteArray();

        Decoded decoded = decoded(codec.decodeResponse(bytes, findNode));

        assertThat(((FindNode) decoded.message()).closerPeers().get(0).addresses()).hasSize(DhtProtocol.MAX_ADDRESSES_PER_PEER);
        assertThat(decoded.dropped()).isEqualTo(new Dropped(0, 0, 0, 0, 1_000 - DhtProtocol.MAX_ADDRESSES_PER_PEER));
        assertThat(decoded.dropped().addresses()).isEqualTo(968);
    }

    @Test
    void theAddressesOfADroppedPeerAreNotCountedTwice() {
        DhtProto.Message.Peer badPeer = DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFromUtf8("nope"))
                .addAddrs(ByteString.copyFromUtf8("garbage")).build();
        Decoded decoded = decoded(codec.decodeResponse(
                message(MessageType.FIND_NODE).addCloserPeers(badPeer).build().toByteArray(), findNode));
        assertThat(decoded.dropped()).isEqualTo(new Dropped(0, 1, 0, 0, 0));
        assertThat(decoded.dropped().peers()).isEqualTo(1);
    }

    @Test
    void anUnknownConnectionTypeReadsAsNoInformation() {
        DhtProto.Message.Peer peer = wirePeer(1).toBuilder().setConnectionValue(42).build();
        Decoded decoded = decoded(codec.decodeResponse(message(MessageType.FIND_NODE).addCloserPeers(peer).build().toByteArray(), findNode));
        assertThat(((FindNode) decoded.message()).closerPeers().get(0).connection()).isEqualTo(ConnectionType.NOT_CONNECTED);
    }

    @Test
    void requestsKeepOnlyTheirOwnFieldsButStillCountWhatWasWrongInTheOthers() {
        byte[] bytes = message(MessageType.FIND_NODE).setKey(ByteString.copyFrom(target))
                .addCloserPeers(wirePeer(1))
                .addCloserPeers(DhtProto.Message.Peer.newBuilder().setId(ByteString.copyFromUtf8("junk")))
                .setRecord(DhtProto.Record.newBuilder().setKey(ByteString.copyFromUtf8("/pk/x")))
                .build().toByteArray();

        assertThat(codec.decodeRequest(bytes)).isEqualTo(new Decoded(findNode, new Dropped(0, 1, 0, 0, 0)));
    }

    @Test
    void anAddProviderRequestKeepsItsProviders() {
        AddProvider add = AddProvider.request(target, List.of(DhtFixtures.peer(1)));
        assertThat(codec.decodeRequest(codec.encode(add))).isEqualTo(new Decoded(add, Dropped.NONE));
    }

    // ---- the views cannot be built past the limits either ----

    @Test
    void viewsRefuseToHoldMoreThanTheLimits() {
        assertThatThrownBy(() -> FindNode.response(target, DhtFixtures.peers(DhtProtocol.MAX_CLOSER_PEERS + 1)))
                .hasMessageContaining("65 closer peers, more than 64");
        assertThatThrownBy(() -> GetValue.request(new byte[DhtProtocol.MAX_KEY_LENGTH + 1]))
                .hasMessageContaining("longer than 256");
        List<Multiaddr> addresses = java.util.stream.IntStream.range(0, DhtProtocol.MAX_ADDRESSES_PER_PEER + 1)
                .mapToObj(DhtFixtures::tcp).toList();
        assertThatThrownBy(() -> DhtPeer.of(PEERS.get(0), addresses)).hasMessageContaining("33 addresses");
        assertThatThrownBy(() -> DhtPeer.of(PEERS.get(0), List.of(DhtFixtures.tcp(1).withPeerId(PEERS.get(1)))))
                .hasMessageContaining("names another peer");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
