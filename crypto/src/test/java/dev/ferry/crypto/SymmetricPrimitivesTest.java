package dev.ferry.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** HKDF-SHA-256 against RFC 5869's vectors, AES-256-GCM against tampering. */
class SymmetricPrimitivesTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void shouldMatchRfc5869TestCase1() {
        byte[] okm = Hkdf.sha256(HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                HEX.parseHex("000102030405060708090a0b0c"), HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertThat(HEX.formatHex(okm)).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void shouldMatchRfc5869TestCase3WithAnEmptySaltAndInfo() {
        byte[] okm = Hkdf.sha256(HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), new byte[0], new byte[0], 42);
        assertThat(HEX.formatHex(okm)).isEqualTo(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    @Test
    void shouldRefuseATamperedOrMiscontextedCiphertext() throws Exception {
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] sealed = Aes256Gcm.encrypt(key, nonce, "secret".getBytes(), "ad".getBytes());
        assertThat(Aes256Gcm.decrypt(key, nonce, sealed, "ad".getBytes())).asString().isEqualTo("secret");

        byte[] tampered = sealed.clone();
        tampered[0] ^= 1;
        assertThatThrownBy(() -> Aes256Gcm.decrypt(key, nonce, tampered, "ad".getBytes()))
                .isInstanceOf(Aes256Gcm.AuthenticationException.class);
        assertThatThrownBy(() -> Aes256Gcm.decrypt(key, nonce, sealed, "other".getBytes()))
                .isInstanceOf(Aes256Gcm.AuthenticationException.class);
        assertThatThrownBy(() -> Aes256Gcm.decrypt(key, nonce, new byte[3], "ad".getBytes()))
                .isInstanceOf(Aes256Gcm.AuthenticationException.class);
    }
}
