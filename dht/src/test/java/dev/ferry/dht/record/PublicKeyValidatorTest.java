package dev.ferry.dht.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.crypto.proto.KeysProto;
import dev.ferry.dht.message.DhtFixtures;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublicKeyValidatorTest {
    private final PublicKeyValidator validator = new PublicKeyValidator();
    private final IdentityKeyPair alice = DhtFixtures.keys(1);
    private final IdentityKeyPair bob = DhtFixtures.keys(2);

    private static void assertInvalid(Validation validation, Validation.Reason reason) {
        assertThat(validation).isInstanceOfSatisfying(Validation.Invalid.class,
                invalid -> assertThat(invalid.reason()).isEqualTo(reason));
    }

    @Test
    void thePublicKeyOfThePeerTheKeyNamesIsValid() {
        byte[] key = PublicKeyValidator.keyOf(alice.peerId());
        assertThat(validator.validate(key, alice.publicKey().marshal())).isEqualTo(Validation.valid());
        assertThat(validator.validate(key, alice.publicKey().marshal()).isValid()).isTrue();
    }

    @Test
    void theKeyIsSlashPkSlashFollowedByThePeerIdsBinaryFormNotItsText() {
        byte[] key = PublicKeyValidator.keyOf(alice.peerId());
        assertThat(new String(key, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("/pk/");
        assertThat(Arrays.copyOfRange(key, 4, key.length)).isEqualTo(alice.peerId().toBytes());

        byte[] textKey = ("/pk/" + alice.peerId().toBase58()).getBytes(StandardCharsets.US_ASCII);
        assertInvalid(validator.validate(textKey, alice.publicKey().marshal()), Validation.Reason.MALFORMED_KEY);
    }

    @Test
    void anotherPeersPublicKeyIsRefused() {
        assertInvalid(validator.validate(PublicKeyValidator.keyOf(alice.peerId()), bob.publicKey().marshal()),
                Validation.Reason.WRONG_PUBLIC_KEY);
    }

    @Test
    void theRightKeyUnderASha256PeerIdOfItIsRefusedAsGoAndJsRefuseIt() {
        // An Ed25519 key's PeerId is the identity multihash; a sha2-256 one names no Ed25519 key.
        PeerId hashed = PeerId.fromBytes(Multihash.sha256(alice.publicKey().marshal()).encode());
        assertInvalid(validator.validate(PublicKeyValidator.keyOf(hashed), alice.publicKey().marshal()),
                Validation.Reason.WRONG_PUBLIC_KEY);
    }

    @Test
    void aValueThatIsNotAPublicKeyIsRefused() {
        byte[] key = PublicKeyValidator.keyOf(alice.peerId());
        assertInvalid(validator.validate(key, new byte[] {1, 2, 3}), Validation.Reason.MALFORMED_VALUE);
        assertInvalid(validator.validate(key, new byte[0]), Validation.Reason.MALFORMED_VALUE);
        byte[] notOnTheCurve = KeysProto.PublicKey.newBuilder().setType(KeysProto.KeyType.Ed25519)
                .setData(ByteString.copyFrom(new byte[5])).build().toByteArray();
        assertInvalid(validator.validate(key, notOnTheCurve), Validation.Reason.MALFORMED_VALUE);
    }

    @Test
    void anRsaKeyIsRefusedForItsTypeEvenUnderItsOwnPeerId() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        byte[] rsa = KeysProto.PublicKey.newBuilder().setType(KeysProto.KeyType.RSA)
                .setData(ByteString.copyFrom(generator.generateKeyPair().getPublic().getEncoded())).build().toByteArray();
        PeerId rsaPeer = PeerId.fromBytes(Multihash.sha256(rsa).encode());

        assertInvalid(validator.validate(PublicKeyValidator.keyOf(rsaPeer), rsa), Validation.Reason.UNSUPPORTED_KEY_TYPE);
    }

    @Test
    void aSecp256k1KeyIsRefusedForItsType() {
        byte[] secp = KeysProto.PublicKey.newBuilder().setType(KeysProto.KeyType.Secp256k1)
                .setData(ByteString.copyFrom(new byte[33])).build().toByteArray();
        PeerId secpPeer = PeerId.fromBytes(Multihash.identity(secp).encode());
        assertInvalid(validator.validate(PublicKeyValidator.keyOf(secpPeer), secp), Validation.Reason.UNSUPPORTED_KEY_TYPE);
    }

    @Test
    void aKeyWithoutAPeerIdIsRefused() {
        byte[] value = alice.publicKey().marshal();
        assertInvalid(validator.validate("/pk/".getBytes(StandardCharsets.US_ASCII), value), Validation.Reason.MALFORMED_KEY);
        assertInvalid(validator.validate("/pk/garbage".getBytes(StandardCharsets.US_ASCII), value), Validation.Reason.MALFORMED_KEY);
        assertInvalid(validator.validate("/ipns/x".getBytes(StandardCharsets.US_ASCII), value), Validation.Reason.MALFORMED_KEY);
    }

    @Test
    void aValueLongerThanAnyAcceptedKeyIsRefusedUnread() {
        assertInvalid(validator.validate(PublicKeyValidator.keyOf(alice.peerId()), new byte[PublicKeyValidator.MAX_VALUE_LENGTH + 1]),
                Validation.Reason.VALUE_TOO_LARGE);
    }

    @Test
    void anyValidValueIsAsGoodAsAnotherSoTheFirstIsSelected() {
        byte[] key = PublicKeyValidator.keyOf(alice.peerId());
        byte[] value = alice.publicKey().marshal();
        assertThat(validator.select(key, List.of(value, value, value))).isZero();
    }
}
