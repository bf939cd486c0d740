package dev.ferry.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class X25519Test {
    private static final HexFormat HEX = HexFormat.of();

    // RFC 7748 section 6.1.
    private static final byte[] ALICE_PRIVATE = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PRIVATE = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUBLIC = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    @Test
    void shouldMatchTheRfc7748Vectors() {
        assertThat(X25519.fromPrivateKey(ALICE_PRIVATE).publicKey()).isEqualTo(ALICE_PUBLIC);
        assertThat(X25519.fromPrivateKey(BOB_PRIVATE).publicKey()).isEqualTo(BOB_PUBLIC);
        assertThat(X25519.agree(ALICE_PRIVATE, BOB_PUBLIC)).isEqualTo(SHARED);
        assertThat(X25519.agree(BOB_PRIVATE, ALICE_PUBLIC)).isEqualTo(SHARED);
    }

    @Test
    void shouldAgreeOnTheSameSecretFromGeneratedPairs() {
        SecureRandom random = new SecureRandom();
        X25519.KeyPair a = X25519.generate(random);
        X25519.KeyPair b = X25519.generate(random);
        assertThat(X25519.agree(a.privateKey(), b.publicKey())).isEqualTo(X25519.agree(b.privateKey(), a.publicKey()));
        assertThat(a.publicKey()).isNotEqualTo(b.publicKey());
    }

    @Test
    void shouldRefuseLowOrderPublicKeys() {
        byte[] zero = new byte[32];
        byte[] one = new byte[32];
        one[0] = 1;
        // A point of order 8 (from the list of small-order points in the curve25519 literature).
        byte[] order8 = HEX.parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
        for (byte[] lowOrder : new byte[][] {zero, one, order8}) {
            assertThatThrownBy(() -> X25519.agree(ALICE_PRIVATE, lowOrder))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("low-order");
        }
    }

    @Test
    void shouldRefuseWrongKeyLengths() {
        assertThatThrownBy(() -> X25519.agree(new byte[31], BOB_PUBLIC)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> X25519.agree(ALICE_PRIVATE, new byte[33])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> X25519.fromPrivateKey(new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNeverPrintThePrivateKey() {
        X25519.KeyPair pair = X25519.fromPrivateKey(ALICE_PRIVATE);
        assertThat(pair.toString()).doesNotContain(HEX.formatHex(ALICE_PRIVATE)).contains(HEX.formatHex(ALICE_PUBLIC));
    }

    @Test
    void shouldNotLetCallersChangeTheKeyPair() {
        X25519.KeyPair pair = X25519.fromPrivateKey(ALICE_PRIVATE);
        pair.privateKey()[0] ^= 1;
        pair.publicKey()[0] ^= 1;
        assertThat(pair.privateKey()).isEqualTo(ALICE_PRIVATE);
        assertThat(pair.publicKey()).isEqualTo(ALICE_PUBLIC);
        assertThat(pair).isEqualTo(X25519.fromPrivateKey(ALICE_PRIVATE));
    }
}
