package dev.ferry.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class IdentityKeyTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String SEED = "7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d";
    private static final String PUBLIC = "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    private static final byte[] MESSAGE = "ferry across the mersey".getBytes(StandardCharsets.UTF_8);

    private final IdentityKeyPair pair = IdentityKeyPair.fromSeed(HEX.parseHex(SEED));

    @Test
    void signatureVerifiesWithThePublicKey() {
        byte[] signature = pair.sign(MESSAGE);

        assertThat(signature).hasSize(IdentityPublicKey.SIGNATURE_LENGTH);
        assertThat(pair.publicKey().verify(MESSAGE, signature)).isTrue();
    }

    @Test
    void signatureIsDeterministic() {
        assertThat(pair.sign(MESSAGE)).isEqualTo(pair.sign(MESSAGE));
    }

    @Test
    void signatureDoesNotVerifyAnotherMessage() {
        byte[] signature = pair.sign(MESSAGE);
        byte[] other = MESSAGE.clone();
        other[0] ^= 1;

        assertThat(pair.publicKey().verify(other, signature)).isFalse();
    }

    @Test
    void tamperedOrMisSizedSignatureDoesNotVerify() {
        byte[] signature = pair.sign(MESSAGE);
        byte[] tampered = signature.clone();
        tampered[10] ^= 0x40;

        assertThat(pair.publicKey().verify(MESSAGE, tampered)).isFalse();
        assertThat(pair.publicKey().verify(MESSAGE, Arrays.copyOf(signature, 63))).isFalse();
        assertThat(pair.publicKey().verify(MESSAGE, new byte[0])).isFalse();
    }

    @Test
    void signatureDoesNotVerifyWithAnotherKey() {
        IdentityKeyPair other = IdentityKeyPair.fromSeed(new byte[32]);

        assertThat(other.publicKey().verify(MESSAGE, pair.sign(MESSAGE))).isFalse();
    }

    @Test
    void keyPairToStringShowsThePeerIdAndNeverTheSeed() {
        assertThat(pair.toString()).contains(pair.peerId().toBase58()).doesNotContainIgnoringCase(SEED);
    }

    @Test
    void seedOfWrongLengthIsRefused() {
        assertThatThrownBy(() -> IdentityKeyPair.fromSeed(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Ed25519 seed must be 32 bytes, got 31");
    }

    @Test
    void privateKeyThatIsNotProtobufIsRefused() {
        assertThatThrownBy(() -> IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex("ffffffff")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid protobuf PrivateKey");
    }

    @Test
    void privateKeyOfAnotherTypeIsRefused() {
        assertThatThrownBy(() -> IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex("08021220" + SEED)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported private key type Secp256k1 (only Ed25519)");
    }

    @Test
    void privateKeyDataOfWrongLengthIsRefused() {
        assertThatThrownBy(() -> IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex("08011210" + SEED.substring(0, 32))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Ed25519 private key data must be 32, 64 or 96 bytes, got 16");
    }

    @Test
    void legacyPrivateKeyWithThePublicKeyTwiceIsRead() {
        IdentityKeyPair legacy = IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex("08011260" + SEED + PUBLIC + PUBLIC));

        assertThat(legacy.peerId()).isEqualTo(pair.peerId());
    }

    @Test
    void legacyPrivateKeyWhoseSecondPublicCopyDiffersIsRefused() {
        String wrongPublic = "00" + PUBLIC.substring(2);

        assertThatThrownBy(() -> IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex("08011260" + SEED + PUBLIC + wrongPublic)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match");
    }

    @Test
    void privateKeyWhosePublicHalfDoesNotMatchIsRefused() {
        String wrongPublic = "00" + PUBLIC.substring(2);

        assertThatThrownBy(() -> IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex("08011240" + SEED + wrongPublic)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match");
    }

    @Test
    void privateKeyOfABareSeedIsAccepted() {
        IdentityKeyPair parsed = IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex("08011220" + SEED));

        assertThat(parsed.peerId()).isEqualTo(pair.peerId());
    }

    @Test
    void publicKeyOfAnotherTypeIsRefused() {
        assertThatThrownBy(() -> IdentityPublicKey.unmarshal(HEX.parseHex("08001220" + PUBLIC)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported public key type RSA (only Ed25519)");
    }

    @Test
    void publicKeyWithFieldsOutOfOrderIsRefusedAsNotDeterministic() {
        assertThatThrownBy(() -> IdentityPublicKey.unmarshal(HEX.parseHex("1220" + PUBLIC + "0801")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not deterministically encoded");
    }

    @Test
    void publicKeyWithAnExtraFieldIsRefusedAsNotDeterministic() {
        assertThatThrownBy(() -> IdentityPublicKey.unmarshal(HEX.parseHex("08011220" + PUBLIC + "1801")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not deterministically encoded");
    }

    @Test
    void publicKeyMissingItsDataIsRefused() {
        assertThatThrownBy(() -> IdentityPublicKey.unmarshal(HEX.parseHex("0801")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid protobuf PublicKey");
    }

    @Test
    void rawPublicKeyOfWrongLengthIsRefused() {
        assertThatThrownBy(() -> IdentityPublicKey.fromRaw(new byte[33]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Ed25519 public key must be 32 bytes, got 33");
    }

    @Test
    void rawPublicKeyOffTheCurveIsRefused() {
        // y = 2^255 - 1 is not below the field prime, so it encodes no point.
        byte[] notAPoint = HEX.parseHex("ff".repeat(31) + "7f");

        assertThatThrownBy(() -> IdentityPublicKey.fromRaw(notAPoint))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Ed25519 public key is not a valid curve point");
    }

    @Test
    void aRememberedValidKeyIsStillCheckedAgainstItsOwnBytesAndAnInvalidOneIsRefusedEveryTime() {
        IdentityPublicKey key = IdentityKeyPair.generate(new java.security.SecureRandom()).publicKey();
        byte[] raw = key.raw();
        IdentityPublicKey parsed = IdentityPublicKey.fromRaw(raw);
        raw[0] ^= 1; // the caller's array changes after the check: neither the key nor what was remembered does
        assertThat(parsed).isEqualTo(key);
        assertThat(IdentityPublicKey.fromRaw(key.raw())).isEqualTo(key);
        byte[] notAPoint = HEX.parseHex("ff".repeat(31) + "7f");
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> IdentityPublicKey.fromRaw(notAPoint)).hasMessage("Ed25519 public key is not a valid curve point");
        }
    }
}
