package dev.ferry.dht.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtFixtures;
import dev.ferry.dht.message.DhtRecord;
import dev.ferry.dht.proto.DhtProto;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FerryRecordTest {
    private final FerryRecordValidator validator = new FerryRecordValidator();
    private final IdentityKeyPair alice = DhtFixtures.keys(1);
    private final IdentityKeyPair bob = DhtFixtures.keys(2);
    private final byte[] bundle = "prekey bundle".getBytes(StandardCharsets.UTF_8);

    private static void assertInvalid(Validation validation, Validation.Reason reason) {
        assertThat(validation).isInstanceOfSatisfying(Validation.Invalid.class,
                invalid -> assertThat(invalid.reason()).isEqualTo(reason));
    }

    /** A FerryRecord encoding of the given fields, signed or not, bypassing {@link FerryRecord#sign}'s checks. */
    private static byte[] encoding(IdentityKeyPair publisher, IdentityKeyPair signer, byte[] key, byte[] value, long sequence) {
        return DhtProto.FerryRecord.newBuilder()
                .setPublicKey(ByteString.copyFrom(publisher.publicKey().marshal()))
                .setValue(ByteString.copyFrom(value))
                .setSequence(sequence)
                .setSignature(ByteString.copyFrom(signer.sign(FerryRecord.signedBytes(key, value, sequence))))
                .build().toByteArray();
    }

    @Test
    void aRecordSignedByThePeerItIsAboutIsValidAndOpensToWhatWasSigned() {
        FerryRecord record = FerryRecord.sign(alice, "prekeys", bundle, 7);

        assertThat(validator.validate(record.key(), record.encoded())).isEqualTo(Validation.valid());
        FerryRecord.Opening opening = FerryRecord.open(record.key(), record.encoded());
        assertThat(opening).isEqualTo(new FerryRecord.Opening.Verified(record));
        FerryRecord opened = ((FerryRecord.Opening.Verified) opening).record();
        assertThat(opened.publisher()).isEqualTo(alice.peerId());
        assertThat(opened.name()).isEqualTo("prekeys");
        assertThat(opened.value()).isEqualTo(bundle);
        assertThat(opened.sequence()).isEqualTo(7);
    }

    @Test
    void theKeyIsSlashFerrySlashThenThePeerIdBytesThenSlashAndTheName() {
        byte[] key = FerryRecord.keyOf(alice.peerId(), "prekeys");
        byte[] id = alice.peerId().toBytes();
        assertThat(new String(key, 0, 7, StandardCharsets.US_ASCII)).isEqualTo("/ferry/");
        assertThat(Arrays.copyOfRange(key, 7, 7 + id.length)).isEqualTo(id);
        assertThat(new String(key, 7 + id.length, key.length - 7 - id.length, StandardCharsets.US_ASCII)).isEqualTo("/prekeys");
        assertThat(FerryRecord.sign(alice, "prekeys", bundle, 1).toDhtRecord())
                .isEqualTo(DhtRecord.of(key, FerryRecord.sign(alice, "prekeys", bundle, 1).encoded()));
    }

    @Test
    void aPeerIdWhoseBytesHoldASlashStillParsesForItsMultihashSaysItsLength() {
        IdentityKeyPair withSlash = DhtFixtures.KEYS.stream()
                .filter(k -> indexOf(k.peerId().toBytes(), (byte) '/') >= 0)
                .findFirst().orElseThrow(() -> new AssertionError("no fixture PeerId holds a '/'"));
        FerryRecord record = FerryRecord.sign(withSlash, "a", bundle, 1);

        assertThat(FerryRecord.open(record.key(), record.encoded())).isInstanceOfSatisfying(FerryRecord.Opening.Verified.class,
                verified -> assertThat(verified.record().name()).isEqualTo("a"));
    }

    @Test
    void aSignatureThatDoesNotVerifyIsRefused() {
        FerryRecord record = FerryRecord.sign(alice, "prekeys", bundle, 7);
        DhtProto.FerryRecord parsed = parse(record.encoded());
        byte[] signature = parsed.getSignature().toByteArray();
        signature[10] ^= 1;
        byte[] badSignature = parsed.toBuilder().setSignature(ByteString.copyFrom(signature)).build().toByteArray();
        byte[] otherValue = parsed.toBuilder().setValue(ByteString.copyFromUtf8("tampered")).build().toByteArray();
        byte[] otherSequence = parsed.toBuilder().setSequence(8).build().toByteArray();
        byte[] noSignature = parsed.toBuilder().clearSignature().build().toByteArray();

        assertInvalid(validator.validate(record.key(), badSignature), Validation.Reason.BAD_SIGNATURE);
        assertInvalid(validator.validate(record.key(), otherValue), Validation.Reason.BAD_SIGNATURE);
        assertInvalid(validator.validate(record.key(), otherSequence), Validation.Reason.BAD_SIGNATURE);
        assertInvalid(validator.validate(record.key(), noSignature), Validation.Reason.BAD_SIGNATURE);
    }

    @Test
    void aRecordMovedToAnotherNameIsRefusedForTheKeyIsSigned() {
        FerryRecord record = FerryRecord.sign(alice, "prekeys", bundle, 7);
        assertInvalid(validator.validate(FerryRecord.keyOf(alice.peerId(), "profile"), record.encoded()),
                Validation.Reason.BAD_SIGNATURE);
    }

    @Test
    void aRecordUnderTheKeyOfAnotherPeerIsRefused() {
        FerryRecord byAlice = FerryRecord.sign(alice, "prekeys", bundle, 7);
        byte[] bobsKey = FerryRecord.keyOf(bob.peerId(), "prekeys");
        assertInvalid(validator.validate(bobsKey, byAlice.encoded()), Validation.Reason.WRONG_PUBLIC_KEY);

        // Alice signing Bob's key with her own key does not help either.
        byte[] aliceSignsForBob = encoding(alice, alice, bobsKey, bundle, 7);
        assertInvalid(validator.validate(bobsKey, aliceSignsForBob), Validation.Reason.WRONG_PUBLIC_KEY);
    }

    @Test
    void aValueLargerThanTheLimitIsRefusedWhenSignedAndWhenValidated() {
        assertThatThrownBy(() -> FerryRecord.sign(alice, "big", new byte[FerryRecord.MAX_VALUE_LENGTH + 1], 1))
                .hasMessageContaining("longer than " + FerryRecord.MAX_VALUE_LENGTH);

        byte[] key = FerryRecord.keyOf(alice.peerId(), "big");
        byte[] justOver = encoding(alice, alice, key, new byte[FerryRecord.MAX_VALUE_LENGTH + 1], 1);
        assertThat(justOver.length).isLessThanOrEqualTo(FerryRecord.MAX_ENCODED_LENGTH);
        assertInvalid(validator.validate(key, justOver), Validation.Reason.VALUE_TOO_LARGE);

        byte[] farOver = encoding(alice, alice, key, new byte[4 * FerryRecord.MAX_VALUE_LENGTH], 1);
        assertInvalid(validator.validate(key, farOver), Validation.Reason.VALUE_TOO_LARGE);

        FerryRecord atTheLimit = FerryRecord.sign(alice, "big", new byte[FerryRecord.MAX_VALUE_LENGTH], 1);
        assertThat(validator.validate(atTheLimit.key(), atTheLimit.encoded()).isValid()).isTrue();
    }

    @Test
    void aValueThatIsNotACanonicalFerryRecordIsRefused() {
        FerryRecord record = FerryRecord.sign(alice, "prekeys", bundle, 7);
        byte[] withUnknownField = concat(record.encoded(), new byte[] {0x28, 0x01});
        DhtProto.FerryRecord parsed = parse(record.encoded());
        byte[] reordered = concat(
                DhtProto.FerryRecord.newBuilder().setSignature(parsed.getSignature()).build().toByteArray(),
                parsed.toBuilder().clearSignature().build().toByteArray());

        assertInvalid(validator.validate(record.key(), withUnknownField), Validation.Reason.MALFORMED_VALUE);
        assertInvalid(validator.validate(record.key(), reordered), Validation.Reason.MALFORMED_VALUE);
        assertInvalid(validator.validate(record.key(), new byte[] {(byte) 0xff, 0x01}), Validation.Reason.MALFORMED_VALUE);
        assertInvalid(validator.validate(record.key(), new byte[0]), Validation.Reason.MALFORMED_VALUE);
    }

    @Test
    void aPublicKeyThatIsNotEd25519IsRefused() {
        FerryRecord record = FerryRecord.sign(alice, "prekeys", bundle, 7);
        byte[] rsaTyped = dev.ferry.crypto.proto.KeysProto.PublicKey.newBuilder()
                .setType(dev.ferry.crypto.proto.KeysProto.KeyType.RSA).setData(ByteString.copyFrom(new byte[40])).build().toByteArray();
        byte[] value = parse(record.encoded()).toBuilder().setPublicKey(ByteString.copyFrom(rsaTyped)).build().toByteArray();
        assertInvalid(validator.validate(record.key(), value), Validation.Reason.UNSUPPORTED_KEY_TYPE);
    }

    @Test
    void keysNotOfTheFormPeerIdSlashNameAreRefused() {
        byte[] value = FerryRecord.sign(alice, "prekeys", bundle, 7).encoded();
        byte[] id = alice.peerId().toBytes();
        byte[][] badKeys = {
            "/ferry/".getBytes(StandardCharsets.US_ASCII),
            concat("/ferry/".getBytes(StandardCharsets.US_ASCII), id),                              // no name
            concat(concat("/ferry/".getBytes(StandardCharsets.US_ASCII), id), "/".getBytes()),      // empty name
            concat(concat("/ferry/".getBytes(StandardCharsets.US_ASCII), id), "/Prekeys".getBytes()), // upper case
            concat(concat("/ferry/".getBytes(StandardCharsets.US_ASCII), id), ("/" + "a".repeat(65)).getBytes()),
            concat(concat("/ferry/".getBytes(StandardCharsets.US_ASCII), id), "xprekeys".getBytes()), // no '/'
            concat("/ferry/".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(id, 10)),         // truncated PeerId
            ("/ferry/" + alice.peerId().toBase58() + "/prekeys").getBytes(StandardCharsets.US_ASCII), // text PeerId
            "/pk/prekeys".getBytes(StandardCharsets.US_ASCII),
        };
        for (byte[] key : badKeys) {
            assertInvalid(validator.validate(key, value), Validation.Reason.MALFORMED_KEY);
        }
    }

    @Test
    void namesAreShortAndPlainSoThatKeysStaySmallAndPrintable() {
        PeerId peer = alice.peerId();
        assertThat(FerryRecord.keyOf(peer, "a.b_c-9")).isNotEmpty();
        assertThat(FerryRecord.keyOf(peer, "x".repeat(FerryRecord.MAX_NAME_LENGTH)).length)
                .isLessThanOrEqualTo(dev.ferry.dht.message.DhtProtocol.MAX_KEY_LENGTH);
        assertThatThrownBy(() -> FerryRecord.keyOf(peer, "")).hasMessageContaining("1 to 64");
        assertThatThrownBy(() -> FerryRecord.keyOf(peer, "x".repeat(65))).hasMessageContaining("1 to 64");
        assertThatThrownBy(() -> FerryRecord.keyOf(peer, "a/b")).hasMessageContaining("a-z 0-9");
        assertThatThrownBy(() -> FerryRecord.keyOf(peer, "é")).hasMessageContaining("a-z 0-9");
    }

    @Test
    void theSignatureIsDomainSeparatedSoAPlainSignatureOfTheValueIsNotOne() {
        byte[] key = FerryRecord.keyOf(alice.peerId(), "prekeys");
        byte[] value = DhtProto.FerryRecord.newBuilder()
                .setPublicKey(ByteString.copyFrom(alice.publicKey().marshal()))
                .setValue(ByteString.copyFrom(bundle))
                .setSequence(1)
                .setSignature(ByteString.copyFrom(alice.sign(bundle)))
                .build().toByteArray();
        assertInvalid(validator.validate(key, value), Validation.Reason.BAD_SIGNATURE);
        assertThat(new String(FerryRecord.signedBytes(key, bundle, 1), 1, FerryRecord.SIGNATURE_DOMAIN.length(),
                StandardCharsets.US_ASCII)).isEqualTo("ferry-dht-record-v1");
    }

    @Test
    void toStringShowsNoValueBytes() {
        FerryRecord record = FerryRecord.sign(alice, "prekeys", bundle, 7);
        assertThat(record.toString()).contains("prekeys", "sequence 7", "13 bytes").doesNotContain("bundle");
    }

    private static DhtProto.FerryRecord parse(byte[] encoded) {
        try {
            return DhtProto.FerryRecord.parseFrom(encoded);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == b) return i;
        return -1;
    }
}
