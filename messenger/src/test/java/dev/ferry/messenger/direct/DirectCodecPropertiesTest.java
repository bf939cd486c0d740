package dev.ferry.messenger.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.messenger.direct.DirectTestNetwork.TestEnvelope;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DirectCodecPropertiesTest {
    private static final PeerId RECIPIENT = IdentityKeyPair.generate(DirectTestNetwork.RANDOM).peerId();
    /** Tags of direct.proto's fields and varint continuation bytes: the values worth planting. */
    private static final byte[] SPECIAL = {0x08, 0x10, 0x12, 0x1a, 0x22, (byte) 0x80, (byte) 0xff, 0x00, 0x7f};

    @Test
    void requestsRoundTrip() {
        SeededProperty.forAll("direct request round trip", 50, random -> {
            TestEnvelope envelope = DirectTestNetwork.envelope(RECIPIENT, random.nextInt(4000));
            long id = random.nextLong();
            DirectCodec.Request decoded = decodeRequest(DirectCodec.encodeRequest(id, envelope.header(), envelope.ciphertext()));
            assertThat(decoded.requestId()).isEqualTo(id);
            assertThat(decoded.header()).isEqualTo(envelope.header());
            assertThat(decoded.ciphertext()).isEqualTo(envelope.ciphertext());
        });
    }

    @Test
    void responsesRoundTrip() {
        SeededProperty.forAll("direct response round trip", 500, random -> {
            DirectAnswer answer = randomAnswer(random);
            long id = random.nextLong();
            DirectCodec.Response decoded = decodeResponse(DirectCodec.encodeResponse(id, answer));
            assertThat(decoded.requestId()).isEqualTo(id);
            assertThat(decoded.answer().status()).isEqualTo(answer.status());
            assertThat(decoded.answer().ackSecret()).isEqualTo(answer.ackSecret());
            assertThat(decoded.answer().detail()).isEqualTo(answer.detail().substring(0, Math.min(answer.detail().length(), DirectProtocol.MAX_DETAIL_LENGTH)));
        });
    }

    @Test
    void mutatedRequestsAndResponsesAreRefusedOnlyAsMalformed() {
        TestEnvelope envelope = DirectTestNetwork.envelope(RECIPIENT, 200);
        byte[] request = DirectCodec.encodeRequest(7, envelope.header(), envelope.ciphertext());
        SeededProperty.forAll("direct codec fuzz", 3000, random -> {
            byte[] mutatedRequest = ByteMutations.mutate(random, request, SPECIAL, 64);
            try {
                DirectCodec.decodeRequest(mutatedRequest);
            } catch (DirectCodec.MalformedException expected) {
                // refused as a value: fine
            }
            byte[] response = DirectCodec.encodeResponse(random.nextLong(), randomAnswer(random));
            try {
                DirectCodec.decodeResponse(ByteMutations.mutate(random, response, SPECIAL, 16));
            } catch (DirectCodec.MalformedException expected) {
                // refused as a value: fine
            }
        });
    }

    @Test
    void anAckSecretWithARefusalOrAnAckWithoutOneIsMalformed() {
        byte[] ack = DirectCodec.encodeResponse(1, DirectAnswer.acknowledged(AckSecret.generate(DirectTestNetwork.RANDOM)));
        byte[] withoutSecret = dev.ferry.messenger.proto.DirectProto.DirectResponse.newBuilder().setRequestId(1)
                .setStatus(dev.ferry.messenger.proto.DirectProto.DirectResponseStatus.DIRECT_ACKNOWLEDGED).build().toByteArray();
        byte[] refusalWithSecret = dev.ferry.messenger.proto.DirectProto.DirectResponse.newBuilder().setRequestId(1)
                .setStatus(dev.ferry.messenger.proto.DirectProto.DirectResponseStatus.DIRECT_REFUSED)
                .setAckSecret(com.google.protobuf.ByteString.copyFrom(new byte[32])).build().toByteArray();
        byte[] unknownStatus = dev.ferry.messenger.proto.DirectProto.DirectResponse.newBuilder().setRequestId(1).setStatusValue(99)
                .build().toByteArray();
        assertThat(decodeResponse(ack).answer().status()).isEqualTo(DirectStatus.ACKNOWLEDGED);
        for (byte[] bad : new byte[][] {withoutSecret, refusalWithSecret, unknownStatus, new byte[DirectProtocol.MAX_RESPONSE_SIZE + 1]}) {
            assertThatThrownBy(() -> DirectCodec.decodeResponse(bad)).isInstanceOf(DirectCodec.MalformedException.class);
        }
    }

    private static DirectAnswer randomAnswer(Random random) {
        DirectStatus status = DirectStatus.values()[random.nextInt(DirectStatus.values().length)];
        if (status == DirectStatus.ACKNOWLEDGED) return DirectAnswer.acknowledged(AckSecret.of(SeededProperty.bytes(random, AckSecret.LENGTH)));
        StringBuilder detail = new StringBuilder();
        int length = random.nextInt(DirectProtocol.MAX_DETAIL_LENGTH + 50);
        for (int i = 0; i < length; i++) detail.append((char) ('a' + random.nextInt(26)));
        return new DirectAnswer(status, Optional.empty(), detail.toString());
    }

    private static DirectCodec.Request decodeRequest(byte[] bytes) {
        try {
            return DirectCodec.decodeRequest(bytes);
        } catch (DirectCodec.MalformedException e) {
            throw new AssertionError(e);
        }
    }

    private static DirectCodec.Response decodeResponse(byte[] bytes) {
        try {
            return DirectCodec.decodeResponse(bytes);
        } catch (DirectCodec.MalformedException e) {
            throw new AssertionError(e);
        }
    }
}
