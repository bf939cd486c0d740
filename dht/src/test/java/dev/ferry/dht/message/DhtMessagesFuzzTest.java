package dev.ferry.dht.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.dht.message.DecodeResult.Decoded;
import dev.ferry.dht.message.DhtMessage.AddProvider;
import dev.ferry.dht.message.DhtMessage.FindNode;
import dev.ferry.dht.message.DhtMessage.GetProviders;
import dev.ferry.dht.message.DhtMessage.GetValue;
import dev.ferry.dht.message.DhtMessage.Ping;
import dev.ferry.dht.message.DhtMessage.PutValue;
import dev.ferry.dht.proto.DhtProto;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of the decoder: whatever the bytes, decoding returns a result and never throws
 * or hangs; what it accepts re-encodes to something that decodes the same; and it agrees with
 * the parser generated from {@code dht.proto} on everything it accepts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DhtMessagesFuzzTest {
    private static final List<DhtMessage> REQUESTS = List.of(
            FindNode.request(DhtFixtures.PEERS.get(0).toBytes()),
            GetValue.request(DhtFixtures.key("/pk/x")),
            PutValue.request(DhtRecord.of(DhtFixtures.key("/pk/x"), new byte[] {1})),
            AddProvider.request(DhtFixtures.key("cid"), List.of()),
            GetProviders.request(DhtFixtures.key("cid")),
            new Ping());

    private final DhtMessages codec = DhtMessages.withDefaultLimit();

    @Test
    void randomBytesDecodeToAResultAndNeverThrow() {
        SeededProperty.forAll("randomBytesDecodeToAResultAndNeverThrow", 30_000, random -> {
            int length = random.nextInt(50) == 0 ? random.nextInt(5_000) : random.nextInt(64);
            check(SeededProperty.bytes(random, length));
        });
    }

    @Test
    void randomFieldsOfTheRightShapeDecodeToAResultAndNeverThrow() {
        SeededProperty.forAll("randomFieldsOfTheRightShapeDecodeToAResultAndNeverThrow", 20_000, random -> check(randomFields(random, 0)));
    }

    @Test
    void mutatedValidMessagesDecodeToAResultAndNeverThrow() {
        SeededProperty.forAll("mutatedValidMessagesDecodeToAResultAndNeverThrow", 20_000, random -> {
            DhtMessage original = DhtFixtures.randomMessage(random);
            byte[] input = codec.encode(original);
            int mutations = 1 + random.nextInt(4);
            for (int i = 0; i < mutations; i++) input = mutate(random, input);
            check(input);
            DhtMessage request = DhtFixtures.requestFor(original);
            checkResult(input, codec.decodeResponse(input, request), request);
        });
    }

    /** Decodes {@code input} every way there is and checks what comes out. */
    private void check(byte[] input) {
        checkResult(input, codec.decodeRequest(input), null);
        for (DhtMessage request : REQUESTS) checkResult(input, codec.decodeResponse(input, request), request);
    }

    private void checkResult(byte[] input, DecodeResult result, DhtMessage request) {
        assertThat(result).isNotNull();
        if (!(result instanceof Decoded decoded)) return;
        DhtMessage message = decoded.message();

        // Accepted messages are stable: encoding and decoding again gives them back, dropping nothing.
        byte[] again = codec.encode(message);
        DecodeResult second = request == null ? codec.decodeRequest(again) : codec.decodeResponse(again, request);
        assertThat(second).isEqualTo(new Decoded(message, Dropped.NONE));

        // And the generated parser agrees on what the bytes say.
        DhtProto.Message parsed;
        try {
            parsed = DhtProto.Message.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            fail("accepted bytes the generated parser refuses: " + e.getMessage());
            return;
        }
        assertThat(parsed.getTypeValue()).isEqualTo(message.type().number());
        int excess = Math.max(0, parsed.getCloserPeersCount() - DhtProtocol.MAX_CLOSER_PEERS)
                + Math.max(0, parsed.getProviderPeersCount() - DhtProtocol.MAX_PROVIDER_PEERS);
        assertThat(decoded.dropped().excessPeers()).isEqualTo(excess);
        switch (message) {
            case FindNode m -> {
                assertThat(m.key()).isEqualTo(parsed.getKey().toByteArray());
                assertSamePeers(m.closerPeers(), request == null ? List.of() : expectedPeers(parsed.getCloserPeersList(), DhtProtocol.MAX_CLOSER_PEERS));
            }
            case GetValue m -> {
                assertThat(m.key()).isEqualTo(parsed.getKey().toByteArray());
                if (request != null) {
                    assertSameRecord(m.record(), parsed);
                    assertSamePeers(m.closerPeers(), expectedPeers(parsed.getCloserPeersList(), DhtProtocol.MAX_CLOSER_PEERS));
                }
            }
            case PutValue m -> assertSameRecord(Optional.of(m.record()), parsed);
            case AddProvider m -> {
                assertThat(m.key()).isEqualTo(parsed.getKey().toByteArray());
                assertSamePeers(m.providers(), expectedPeers(parsed.getProviderPeersList(), DhtProtocol.MAX_PROVIDER_PEERS));
            }
            case GetProviders m -> {
                assertThat(m.key()).isEqualTo(parsed.getKey().toByteArray());
                if (request != null) {
                    assertSamePeers(m.providerPeers(), expectedPeers(parsed.getProviderPeersList(), DhtProtocol.MAX_PROVIDER_PEERS));
                    assertSamePeers(m.closerPeers(), expectedPeers(parsed.getCloserPeersList(), DhtProtocol.MAX_CLOSER_PEERS));
                }
            }
            case Ping m -> { }
        }
    }

    private static void assertSameRecord(Optional<DhtRecord> record, DhtProto.Message parsed) {
        assertThat(record.isPresent()).isEqualTo(parsed.hasRecord());
        record.ifPresent(r -> {
            assertThat(r.key()).isEqualTo(parsed.getRecord().getKey().toByteArray());
            assertThat(r.value()).isEqualTo(parsed.getRecord().getValue().toByteArray());
            String time = parsed.getRecord().getTimeReceived();
            assertThat(r.timeReceived()).isEqualTo(time.length() <= DhtProtocol.MAX_TIME_RECEIVED_LENGTH ? time : "");
        });
    }

    private static void assertSamePeers(List<DhtPeer> actual, List<DhtPeer> expected) {
        assertThat(actual).isEqualTo(expected);
    }

    /** The peers the spec's parser sees, filtered by the rules the codec documents. */
    private static List<DhtPeer> expectedPeers(List<DhtProto.Message.Peer> wire, int max) {
        Map<PeerId, DhtPeer> peers = new LinkedHashMap<>();
        for (DhtProto.Message.Peer p : wire.subList(0, Math.min(max, wire.size()))) {
            PeerId id;
            try {
                id = PeerId.fromBytes(p.getId().toByteArray());
            } catch (IllegalArgumentException e) {
                continue;
            }
            List<Multiaddr> addresses = new ArrayList<>();
            for (ByteString raw : p.getAddrsList().subList(0, Math.min(DhtProtocol.MAX_ADDRESSES_PER_PEER, p.getAddrsCount()))) {
                try {
                    Multiaddr address = Multiaddr.fromBytes(raw.toByteArray());
                    if (address.peerId().map(id::equals).orElse(true)) addresses.add(address);
                } catch (IllegalArgumentException e) {
                    // dropped
                }
            }
            peers.putIfAbsent(id, new DhtPeer(id, addresses, ConnectionType.forNumber(p.getConnectionValue())));
        }
        return List.copyOf(peers.values());
    }

    // ---- generators ----

    /** A protobuf-shaped message of random fields, some of them known ones, some nested. */
    private static byte[] randomFields(Random random, int depth) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int fields = random.nextInt(8);
        int[] numbers = {1, 2, 3, 5, 8, 9, 10, 1, 2, 3, 8, 9, 4, 7, 15, 1000};
        for (int i = 0; i < fields; i++) {
            int field = numbers[random.nextInt(numbers.length)];
            int wireType = random.nextInt(10) == 0 ? random.nextInt(8) : (field == 1 || field == 10 ? 0 : 2);
            writeVarint(out, ((long) field << 3) | wireType);
            switch (wireType) {
                case 0 -> writeVarint(out, random.nextInt(5) == 0 ? random.nextLong() : random.nextInt(8));
                case 1 -> out.writeBytes(SeededProperty.bytes(random, 8));
                case 2 -> {
                    byte[] body = depth < 2 && random.nextBoolean() ? randomFields(random, depth + 1)
                            : random.nextInt(3) == 0 ? DhtFixtures.PEERS.get(random.nextInt(DhtFixtures.PEERS.size())).toBytes()
                            : SeededProperty.bytes(random, random.nextInt(20));
                    int length = random.nextInt(20) == 0 ? body.length + random.nextInt(5) - 2 : body.length;
                    writeVarint(out, Math.max(0, length));
                    out.writeBytes(body);
                }
                case 5 -> out.writeBytes(SeededProperty.bytes(random, 4));
                default -> { }
            }
        }
        return out.toByteArray();
    }

    private static void writeVarint(java.io.ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** Varint edges and the format's field tags, planted by the mutations. */
    private static final byte[] SPECIAL_BYTES = {0x00, (byte) 0x80, (byte) 0xff, 0x7f, 0x01, 0x0a, 0x12};

    private static byte[] mutate(Random random, byte[] input) {
        return ByteMutations.mutate(random, input, SPECIAL_BYTES, 40);
    }
}
