package dev.ferry.pubsub.message;

import static dev.ferry.pubsub.message.PubSubFixtures.KEYS;
import static dev.ferry.pubsub.message.PubSubFixtures.PEERS;
import static dev.ferry.pubsub.message.PubSubFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.pubsub.message.SignatureCheck.Invalid;
import dev.ferry.pubsub.message.SignatureCheck.Valid;
import dev.ferry.pubsub.proto.RpcProto;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class MessageSigningTest {
    private final IdentityKeyPair alice = KEYS.get(0);
    private final MessageAuthor author = MessageAuthor.strictSign(alice, 1000);
    private final PubSubMessage signed = author.publish("ferry/chat", utf8("hello"));

    private static void assertInvalid(SignatureCheck check, SignatureFailure reason) {
        assertThat(check).isInstanceOf(Invalid.class);
        assertThat(((Invalid) check).reason()).isEqualTo(reason);
        assertThat(((Invalid) check).detail()).isNotBlank().doesNotContain("\n");
    }

    private void assertTamperedIs(UnaryOperator<PubSubMessage.Builder> tamper, SignatureFailure reason) {
        assertInvalid(SignaturePolicy.STRICT_SIGN.check(tamper.apply(signed.toBuilder()).build()), reason);
    }

    private static byte[] flipped(byte[] bytes, int at) {
        byte[] out = bytes.clone();
        out[at] ^= 1;
        return out;
    }

    // ---- StrictSign: what the author writes ----

    @Test
    void aSignedMessageCarriesFromSeqnoAndSignatureButNoKeyForAnInlinedEd25519Key() {
        assertThat(signed.from()).hasValueSatisfying(from -> assertThat(from).isEqualTo(alice.peerId().toBytes()));
        assertThat(signed.seqno()).hasValueSatisfying(seqno -> assertThat(seqno).containsExactly(0, 0, 0, 0, 0, 0, 3, (byte) 0xe8));
        assertThat(signed.signature()).hasValueSatisfying(sig -> assertThat(sig).hasSize(64));
        assertThat(signed.key()).isEmpty();
        assertThat(signed.topic()).isEqualTo("ferry/chat");
        assertThat(signed.data()).isEqualTo(utf8("hello"));
        assertThat(author.policy()).isEqualTo(SignaturePolicy.STRICT_SIGN);
        assertThat(author.peerId()).contains(alice.peerId());
    }

    @Test
    void theSignatureCoversThePrefixAndTheProtobufWithoutSignatureAndKey() {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(utf8("libp2p-pubsub:"));
        expected.writeBytes(RpcProto.Message.newBuilder()
                .setFrom(com.google.protobuf.ByteString.copyFrom(alice.peerId().toBytes()))
                .setData(com.google.protobuf.ByteString.copyFromUtf8("hello"))
                .setSeqno(com.google.protobuf.ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 3, (byte) 0xe8}))
                .setTopic("ferry/chat")
                .build().toByteArray());
        assertThat(alice.publicKey().verify(expected.toByteArray(), signed.signature().orElseThrow())).isTrue();
        assertThat(signed.signature().orElseThrow()).isEqualTo(alice.sign(expected.toByteArray()));
    }

    @Test
    void sequenceNumbersCountUpFromTheSeedOnePerMessage() {
        MessageAuthor counting = MessageAuthor.strictSign(alice, 0xfffffffffeL);
        long first = ByteBuffer.wrap(counting.publish("t", new byte[0]).seqno().orElseThrow()).getLong();
        long second = ByteBuffer.wrap(counting.publish("t", new byte[0]).seqno().orElseThrow()).getLong();
        assertThat(first).isEqualTo(0xfffffffffeL);
        assertThat(second).isEqualTo(0xffffffffffL);
    }

    @Test
    void theSeqnoSeedIsTheTimeInNanosecondsSinceTheEpoch() {
        assertThat(MessageAuthor.seqnoSeed(Instant.ofEpochSecond(1_700_000_000L, 123))).isEqualTo(1_700_000_000_000_000_123L);
        assertThat(MessageAuthor.seqnoSeed(Instant.EPOCH)).isZero();
    }

    // ---- StrictSign: checking ----

    @Test
    void aSignedMessageVerifiesAndNamesItsAuthor() {
        assertThat(SignaturePolicy.STRICT_SIGN.check(signed))
                .isEqualTo(new Valid(Optional.of(alice.peerId()), Optional.of(alice.publicKey())));
        assertThat(SignaturePolicy.STRICT_SIGN.check(signed).isValid()).isTrue();
    }

    @Test
    void aSignedMessageStillVerifiesAfterTheCodec() {
        RpcCodec codec = RpcCodec.withDefaultLimits();
        RpcDecodeResult result = codec.decode(codec.encode(Rpc.ofMessages(List.of(signed))));
        PubSubMessage back = ((RpcDecodeResult.Decoded) result).rpc().messages().get(0);
        assertThat(SignaturePolicy.STRICT_SIGN.check(back).isValid()).isTrue();
    }

    @Test
    void anExplicitKeyThatMatchesFromVerifiesAsJsLibp2pSendsIt() {
        PubSubMessage withKey = signed.toBuilder().key(alice.publicKey().marshal()).build();
        assertThat(SignaturePolicy.STRICT_SIGN.check(withKey).isValid()).isTrue();
    }

    @Test
    void changingAnySignedFieldBreaksTheSignature() {
        assertTamperedIs(b -> b.from(PEERS.get(1)), SignatureFailure.INVALID_SIGNATURE);
        assertTamperedIs(b -> b.data(utf8("hellO")), SignatureFailure.INVALID_SIGNATURE);
        assertTamperedIs(b -> b.data(null), SignatureFailure.INVALID_SIGNATURE);
        assertTamperedIs(b -> b.seqno(flipped(signed.seqno().orElseThrow(), 7)), SignatureFailure.INVALID_SIGNATURE);
        assertTamperedIs(b -> b.topic("ferry/chat2"), SignatureFailure.INVALID_SIGNATURE);
        assertTamperedIs(b -> b.signature(flipped(signed.signature().orElseThrow(), 10)), SignatureFailure.INVALID_SIGNATURE);
        assertTamperedIs(b -> b.signature(new byte[63]), SignatureFailure.INVALID_SIGNATURE);
        assertTamperedIs(b -> b.signature(new byte[0]), SignatureFailure.INVALID_SIGNATURE);
    }

    @Test
    void anEmptyPayloadIsSignedAsPresentSoDroppingItBreaksTheSignature() {
        PubSubMessage empty = author.publish("t", new byte[0]);
        assertThat(empty.hasData()).isTrue();
        assertThat(SignaturePolicy.STRICT_SIGN.check(empty).isValid()).isTrue();
        assertInvalid(SignaturePolicy.STRICT_SIGN.check(empty.toBuilder().data(null).build()), SignatureFailure.INVALID_SIGNATURE);
    }

    @Test
    void flippingAnyBitOfAnyFieldOnTheWireBreaksVerification() {
        RpcCodec codec = RpcCodec.withDefaultLimits();
        SeededProperty.forAll("flippingAnyBitOfAnyFieldOnTheWireBreaksVerification", 300, random -> {
            IdentityKeyPair keys = KEYS.get(random.nextInt(KEYS.size()));
            PubSubMessage message = MessageAuthor.strictSign(keys, random.nextLong())
                    .publish(PubSubFixtures.topic(random), SeededProperty.bytes(random, 1 + random.nextInt(50)));
            if (random.nextBoolean()) message = message.toBuilder().key(keys.publicKey().marshal()).build();
            byte[] wire = codec.encode(Rpc.ofMessages(List.of(message)));
            // skip the RPC's own tag and length: every later byte belongs to a field's tag, length or value
            int at = 3 + random.nextInt(wire.length - 3);
            byte[] tampered = flipped(wire, at);
            if (random.nextBoolean()) tampered[at] ^= (byte) (1 << random.nextInt(8));
            if (java.util.Arrays.equals(tampered, wire)) return;
            RpcDecodeResult result = codec.decode(tampered);
            if (result instanceof RpcDecodeResult.Decoded decoded) {
                // the key is not signed: a flip that turns its tag into an unknown field's loses it harmlessly
                PubSubMessage unkeyed = message.toBuilder().key(null).build();
                for (PubSubMessage back : decoded.rpc().messages()) {
                    if (back.toBuilder().key(null).build().equals(unkeyed)) continue;
                    assertThat(SignaturePolicy.STRICT_SIGN.check(back).isValid()).isFalse();
                }
            }
        });
    }

    @Test
    void missingAuthorFieldsAreNamed() {
        assertTamperedIs(b -> b.from((byte[]) null), SignatureFailure.MISSING_FROM);
        assertTamperedIs(b -> b.seqno(null), SignatureFailure.MISSING_SEQNO);
        assertTamperedIs(b -> b.signature(null), SignatureFailure.MISSING_SIGNATURE);
        assertInvalid(SignaturePolicy.STRICT_SIGN.check(MessageAuthor.strictNoSign().publish("t", new byte[1])),
                SignatureFailure.MISSING_FROM);
    }

    @Test
    void malformedAuthorFieldsAreNamed() {
        assertTamperedIs(b -> b.from(new byte[] {1, 2, 3}), SignatureFailure.INVALID_FROM);
        assertTamperedIs(b -> b.seqno(new byte[7]), SignatureFailure.INVALID_SEQNO);
        assertTamperedIs(b -> b.seqno(new byte[9]), SignatureFailure.INVALID_SEQNO);
        assertTamperedIs(b -> b.key(new byte[] {8, 1, 18, 3, 1, 2, 3}), SignatureFailure.INVALID_KEY);
        assertTamperedIs(b -> b.key(KEYS.get(1).publicKey().marshal()), SignatureFailure.KEY_MISMATCH);
    }

    @Test
    void aHashedPeerIdNeedsTheKeyField() {
        PeerId hashed = PEERS.get(KEYS.size());
        assertThat(hashed.extractPublicKey()).isEmpty();
        assertTamperedIs(b -> b.from(hashed), SignatureFailure.MISSING_KEY);
        assertTamperedIs(b -> b.from(hashed).key(alice.publicKey().marshal()), SignatureFailure.KEY_MISMATCH);
    }

    @Test
    void aPeerIdInliningAKeyFerryCannotVerifyIsAnInvalidKey() {
        // identity multihash of a secp256k1 PublicKey protobuf (type 2, 33 bytes of data)
        byte[] secp256k1 = new byte[37];
        secp256k1[0] = 8;
        secp256k1[1] = 2;
        secp256k1[2] = 18;
        secp256k1[3] = 33;
        secp256k1[4] = 2;
        PeerId peer = PeerId.fromBytes(Multihash.identity(secp256k1).encode());
        assertTamperedIs(b -> b.from(peer), SignatureFailure.INVALID_KEY);
        assertTamperedIs(b -> b.from(peer).key(secp256k1), SignatureFailure.INVALID_KEY);
    }

    // ---- StrictNoSign ----

    @Test
    void anAnonymousAuthorWritesOnlyTopicAndData() {
        MessageAuthor anonymous = MessageAuthor.strictNoSign();
        PubSubMessage message = anonymous.publish("t", utf8("x"));
        assertThat(message).isEqualTo(PubSubMessage.builder("t").data(utf8("x")).build());
        assertThat(message.isAnonymous()).isTrue();
        assertThat(anonymous.peerId()).isEmpty();
        assertThat(anonymous.policy()).isEqualTo(SignaturePolicy.STRICT_NO_SIGN);
        assertThat(SignaturePolicy.STRICT_NO_SIGN.check(message)).isEqualTo(SignatureCheck.Valid.ANONYMOUS);
    }

    @Test
    void strictNoSignRefusesEachAuthorField() {
        PubSubMessage anonymous = MessageAuthor.strictNoSign().publish("t", utf8("x"));
        assertInvalid(SignaturePolicy.STRICT_NO_SIGN.check(anonymous.toBuilder().from(alice.peerId()).build()),
                SignatureFailure.UNEXPECTED_FROM);
        assertInvalid(SignaturePolicy.STRICT_NO_SIGN.check(anonymous.toBuilder().seqno(new byte[8]).build()),
                SignatureFailure.UNEXPECTED_SEQNO);
        assertInvalid(SignaturePolicy.STRICT_NO_SIGN.check(anonymous.toBuilder().signature(new byte[64]).build()),
                SignatureFailure.UNEXPECTED_SIGNATURE);
        assertInvalid(SignaturePolicy.STRICT_NO_SIGN.check(anonymous.toBuilder().key(alice.publicKey().marshal()).build()),
                SignatureFailure.UNEXPECTED_KEY);
        assertInvalid(SignaturePolicy.STRICT_NO_SIGN.check(signed), SignatureFailure.UNEXPECTED_SIGNATURE);
        // empty fields are still fields
        assertInvalid(SignaturePolicy.STRICT_NO_SIGN.check(anonymous.toBuilder().from(new byte[0]).build()),
                SignatureFailure.UNEXPECTED_FROM);
    }

    // ---- no secrets in text ----

    @Test
    void textFormsShowNeitherPayloadNorSignatureNorSeed() {
        String text = signed.toString();
        assertThat(text).contains("ferry/chat", alice.peerId().toBase58(), "5 bytes", "00000000000003e8", "signed")
                .doesNotContain("hello")
                .doesNotContain(HexFormat.of().formatHex(signed.signature().orElseThrow()));
        assertThat(author.toString()).isEqualTo("MessageAuthor[STRICT_SIGN, " + alice.peerId() + "]");
        assertThat(PubSubMessage.builder("t").from(new byte[] {1}).build().toString()).contains("invalid(1 bytes)");
    }
}
