package dev.ferry.messenger.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The codec: every message round-trips, and no input makes it throw anything but its own refusal. */
class MailboxCodecTest {
    private static final IdentityKeyPair OWNER = IdentityKeyPair.generate(new SecureRandom());
    private static final PeerId HOLDER = IdentityKeyPair.generate(new SecureRandom()).peerId();
    private static final MailboxKey MAILBOX = MailboxKey.of(Mailbox.keyFor(OWNER.peerId()));
    private static final EnvelopeId ENVELOPE = EnvelopeId.of(filled(32, 7));

    private static byte[] filled(int length, int value) {
        byte[] out = new byte[length];
        java.util.Arrays.fill(out, (byte) value);
        return out;
    }

    private static EnvelopeShard shard(int index) {
        return new EnvelopeShard(filled(300, index), index, filled(1000, index + 1));
    }

    static List<MailboxRequest> everyRequest() {
        MailboxAuthorisation fetch = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.FETCH, OWNER, HOLDER, MAILBOX,
                new byte[MailboxLimits.CURSOR_BYTES], Instant.parse("2026-12-06T10:00:00Z"));
        MailboxAuthorisation watch = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.WATCH, OWNER, HOLDER, MAILBOX,
                new byte[0], Instant.parse("2026-12-06T10:00:00Z"));
        return List.of(
                new MailboxRequest.Store(1, shard(3)),
                new MailboxRequest.Fetch(2, fetch, new byte[MailboxLimits.CURSOR_BYTES], 17),
                new MailboxRequest.Watch(3, watch),
                new MailboxRequest.Ack(4, ENVELOPE, filled(32, 9)),
                new MailboxRequest.Ack(4, ENVELOPE, filled(32, 9), List.of(HOLDER, OWNER.peerId())),
                new MailboxRequest.Ack(4, ENVELOPE, filled(32, 9), List.of(HOLDER), 6),
                new MailboxRequest.Ack(4, ENVELOPE, filled(32, 9), List.of(), EnvelopeLimits.MAX_TOTAL_SHARDS),
                new MailboxRequest.Has(5, ENVELOPE),
                new MailboxRequest.Acked(11, List.of(ENVELOPE, EnvelopeId.of(filled(32, 7)))),
                new MailboxRequest.Batch(12, List.of(new MailboxRequest.Store(13, shard(2)), new MailboxRequest.Ack(14, ENVELOPE, filled(32, 9)),
                        new MailboxRequest.Acked(15, List.of(ENVELOPE)))),
                new MailboxRequest.Has(5, ENVELOPE, java.util.OptionalInt.of(4)),
                new MailboxRequest.Handover(6, List.of(shard(0), shard(1))),
                new MailboxRequest.PutPrekeys(7, filled(250, 3)),
                new MailboxRequest.GetPrekeys(Long.MAX_VALUE, MAILBOX));
    }

    static List<MailboxResponse> everyResponse() {
        return List.of(
                new MailboxResponse.Plain(1, MailboxStatus.PEER_QUOTA, "sender holds too much"),
                new MailboxResponse.Page(2, MailboxStatus.OK, "", List.of(shard(0), shard(5)), Optional.of(filled(33, 1))),
                new MailboxResponse.Page(2, MailboxStatus.OK, "", List.of(), Optional.empty()),
                new MailboxResponse.Notice(3, MailboxStatus.OK, "", filled(400, 2), 5),
                new MailboxResponse.Held(5, MailboxStatus.OK, "", true, List.of(0, 3, 255), Optional.empty()),
                new MailboxResponse.Held(5, MailboxStatus.OK, "", false, List.of(5), Optional.of(shard(5))),
                new MailboxResponse.HandoverResults(6, MailboxStatus.OK, "",
                        List.of(MailboxReply.OK, MailboxReply.of(MailboxStatus.TOMBSTONED, "acknowledged"))),
                new MailboxResponse.Bundle(8, MailboxStatus.OK, "", filled(250, 4)),
                new MailboxResponse.BatchAnswers(12, MailboxStatus.OK, "", List.of(
                        new MailboxResponse.Plain(13, MailboxStatus.OK, ""),
                        new MailboxResponse.Plain(14, MailboxStatus.BAD_SECRET, "no"))),
                new MailboxResponse.AckedAnswer(11, MailboxStatus.OK, "", List.of(true, false, false, false, false, false, false, false,
                        false, true, false, false, false, false, false, false)));
    }

    @Test
    void shouldRoundTripEveryRequest() throws MailboxCodecException {
        for (MailboxRequest request : everyRequest()) {
            MailboxRequest decoded = MailboxCodec.decodeRequest(MailboxCodec.encode(request));
            assertThat(MailboxCodec.encode(decoded)).isEqualTo(MailboxCodec.encode(request));
            assertThat(decoded.type()).isEqualTo(request.type());
            assertThat(decoded.id()).isEqualTo(request.id());
        }
    }

    @Test
    void shouldRoundTripEveryResponse() throws MailboxCodecException {
        for (MailboxResponse response : everyResponse()) {
            MailboxResponse decoded = MailboxCodec.decodeResponse(MailboxCodec.encode(response));
            assertThat(decoded.getClass()).isEqualTo(response.getClass());
            assertThat(MailboxCodec.encode(decoded)).isEqualTo(MailboxCodec.encode(response));
        }
    }

    @Test
    void shouldReadAStatusCodeItDoesNotKnowAsUnknown() throws MailboxCodecException {
        byte[] encoded = dev.ferry.messenger.proto.MailboxProto.MailboxResponse.newBuilder()
                .setId(1).setStatus(999).setDetail("a newer refusal").build().toByteArray();

        MailboxResponse decoded = MailboxCodec.decodeResponse(encoded);

        assertThat(decoded.status()).isEqualTo(MailboxStatus.UNKNOWN);
        assertThat(decoded.detail()).isEqualTo("a newer refusal");
    }

    @Test
    void shouldRefuseStructurallyBadRequests() throws Exception {
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[0]); // no body
        bad.add(dev.ferry.messenger.proto.MailboxProto.MailboxRequest.newBuilder().setId(1)
                .setAck(dev.ferry.messenger.proto.MailboxProto.MailboxAck.newBuilder()
                        .setEnvelopeId(com.google.protobuf.ByteString.copyFrom(new byte[31]))
                        .setSecret(com.google.protobuf.ByteString.copyFrom(new byte[32]))).build().toByteArray());
        dev.ferry.messenger.proto.MailboxProto.MailboxAck.Builder tooManyNotified = dev.ferry.messenger.proto.MailboxProto.MailboxAck
                .newBuilder().setEnvelopeId(com.google.protobuf.ByteString.copyFrom(new byte[32]))
                .setSecret(com.google.protobuf.ByteString.copyFrom(new byte[32]));
        for (int i = 0; i <= MailboxLimits.MAX_ACK_NOTIFIED; i++) tooManyNotified.addNotified(com.google.protobuf.ByteString.copyFrom(HOLDER.toBytes()));
        bad.add(dev.ferry.messenger.proto.MailboxProto.MailboxRequest.newBuilder().setId(1).setAck(tooManyNotified).build().toByteArray());
        bad.add(dev.ferry.messenger.proto.MailboxProto.MailboxRequest.newBuilder().setId(1)
                .setAck(dev.ferry.messenger.proto.MailboxProto.MailboxAck.newBuilder()
                        .setEnvelopeId(com.google.protobuf.ByteString.copyFrom(new byte[32]))
                        .setSecret(com.google.protobuf.ByteString.copyFrom(new byte[32]))
                        .addNotified(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3}))).build().toByteArray());
        bad.add(dev.ferry.messenger.proto.MailboxProto.MailboxRequest.newBuilder().setId(1)
                .setAck(dev.ferry.messenger.proto.MailboxProto.MailboxAck.newBuilder()
                        .setEnvelopeId(com.google.protobuf.ByteString.copyFrom(new byte[32]))
                        .setSecret(com.google.protobuf.ByteString.copyFrom(new byte[32]))
                        .setShardCount(EnvelopeLimits.MAX_TOTAL_SHARDS + 1)).build().toByteArray());
        bad.add(dev.ferry.messenger.proto.MailboxProto.MailboxRequest.newBuilder().setId(1)
                .setStore(dev.ferry.messenger.proto.MailboxProto.MailboxStore.newBuilder()
                        .setShard(dev.ferry.messenger.proto.MailboxProto.MailboxShard.newBuilder()
                                .setHeader(com.google.protobuf.ByteString.copyFrom(new byte[10]))
                                .setIndex(256)
                                .setData(com.google.protobuf.ByteString.copyFrom(new byte[10])))).build().toByteArray());
        bad.add(dev.ferry.messenger.proto.MailboxProto.MailboxRequest.newBuilder().setId(1)
                .setHandover(dev.ferry.messenger.proto.MailboxProto.MailboxHandover.newBuilder()).build().toByteArray());

        dev.ferry.messenger.proto.MailboxProto.MailboxRequest fetch = dev.ferry.messenger.proto.MailboxProto.MailboxRequest.parseFrom(
                MailboxCodec.encode(everyRequest().get(1)));
        dev.ferry.messenger.proto.MailboxProto.MailboxRequest batch = dev.ferry.messenger.proto.MailboxProto.MailboxRequest.parseFrom(
                MailboxCodec.encode(new MailboxRequest.Batch(20, List.of(new MailboxRequest.Has(21, ENVELOPE)))));
        // A FETCH inside a batch, a batch inside a batch, an empty batch.
        bad.add(batch.toBuilder().setBatch(batch.getBatch().toBuilder().addRequests(fetch)).build().toByteArray());
        bad.add(batch.toBuilder().setBatch(batch.getBatch().toBuilder().addRequests(batch)).build().toByteArray());
        bad.add(batch.toBuilder().setBatch(dev.ferry.messenger.proto.MailboxProto.MailboxBatch.newBuilder()).build().toByteArray());

        for (byte[] bytes : bad) {
            assertThatThrownBy(() -> MailboxCodec.decodeRequest(bytes)).isInstanceOf(MailboxCodecException.class);
        }
    }

    @Test
    void shouldRefuseRandomBytesOnlyWithItsOwnException() {
        SeededProperty.forAll("mailbox codec on random bytes", 20_000, random -> {
            byte[] bytes = SeededProperty.bytes(random, random.nextInt(200));
            decodeBoth(bytes);
        });
    }

    @Test
    void shouldRefuseMutatedMessagesOnlyWithItsOwnException() {
        List<byte[]> seeds = new ArrayList<>();
        everyRequest().forEach(r -> seeds.add(MailboxCodec.encode(r)));
        everyResponse().forEach(r -> seeds.add(MailboxCodec.encode(r)));
        byte[] special = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, 0x0a, 0x12, 0x1a};
        SeededProperty.forAll("mailbox codec on mutated messages", 20_000, random -> {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            decodeBoth(ByteMutations.mutate(random, seed, special, 4));
        });
    }

    private static void decodeBoth(byte[] bytes) {
        for (int side = 0; side < 2; side++) {
            try {
                if (side == 0) MailboxCodec.decodeRequest(bytes);
                else MailboxCodec.decodeResponse(bytes);
            } catch (MailboxCodecException expected) {
                // the codec's own refusal
            } catch (RuntimeException e) {
                throw new AssertionError("decoder threw " + e, e);
            }
        }
    }

    @Test
    void shouldRefuseAMessageOverTheLimitBeforeParsingIt() {
        byte[] huge = new byte[MailboxLimits.MAX_MESSAGE_BYTES + 1];

        assertThatThrownBy(() -> MailboxCodec.decodeRequest(huge)).isInstanceOf(MailboxCodecException.class);
        assertThatThrownBy(() -> MailboxCodec.frame(io.netty.buffer.ByteBufAllocator.DEFAULT, huge))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNeverShowAnAckSecretInToString() {
        MailboxRequest.Ack ack = new MailboxRequest.Ack(1, ENVELOPE, filled(32, 0x5a));

        assertThat(ack.toString()).doesNotContain("5a5a").doesNotContain("90, 90");
    }

}
