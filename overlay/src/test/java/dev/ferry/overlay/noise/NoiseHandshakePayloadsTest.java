package dev.ferry.overlay.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import dev.ferry.overlay.noise.proto.NoiseProto;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class NoiseHandshakePayloadsTest {
    private final SecureRandom random = new SecureRandom();
    private final IdentityKeyPair identity = IdentityKeyPair.generate(random);
    private final byte[] staticKey = X25519.generate(random).publicKey();

    @Test
    void shouldVerifyOurOwnPayload() {
        byte[] payload = HandshakePayloads.create(identity, staticKey);
        assertThat(HandshakePayloads.verify(payload, staticKey)).isEqualTo(identity.publicKey());
    }

    @Test
    void shouldSignThePrefixedStaticKeyAsTheSpecSays() throws Exception {
        NoiseProto.NoiseHandshakePayload parsed =
                NoiseProto.NoiseHandshakePayload.parseFrom(HandshakePayloads.create(identity, staticKey));
        byte[] signed = concat("noise-libp2p-static-key:".getBytes(StandardCharsets.UTF_8), staticKey);
        assertThat(parsed.getIdentityKey().toByteArray()).isEqualTo(identity.publicKey().marshal());
        assertThat(identity.publicKey().verify(signed, parsed.getIdentitySig().toByteArray())).isTrue();
        assertThat(parsed.hasExtensions()).isFalse();
    }

    @Test
    void shouldRefuseAPayloadSignedByAnotherKey() {
        IdentityKeyPair impostor = IdentityKeyPair.generate(random);
        byte[] payload = payload(identity.publicKey().marshal(),
                impostor.sign(concat("noise-libp2p-static-key:".getBytes(StandardCharsets.UTF_8), staticKey)));
        assertThatThrownBy(() -> HandshakePayloads.verify(payload, staticKey))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessage("remote identity signature does not cover its Noise static key");
    }

    @Test
    void shouldRefuseASignatureOverAnotherStaticKey() {
        byte[] payload = HandshakePayloads.create(identity, X25519.generate(random).publicKey());
        assertThatThrownBy(() -> HandshakePayloads.verify(payload, staticKey))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("signature");
    }

    @Test
    void shouldRefuseMalformedPayloads() {
        assertThatThrownBy(() -> HandshakePayloads.verify(new byte[] {(byte) 0xff, 0x01, 0x02}, staticKey))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("not a valid NoiseHandshakePayload");
        assertThatThrownBy(() -> HandshakePayloads.verify(new byte[0], staticKey))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("lacks");
        assertThatThrownBy(() -> HandshakePayloads.verify(payload(new byte[] {8, 0, 18, 1, 0}, new byte[64]), staticKey))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("remote identity key is unusable");
    }

    @Test
    void shouldIgnoreExtensions() {
        NoiseProto.NoiseHandshakePayload parsed;
        try {
            parsed = NoiseProto.NoiseHandshakePayload.parseFrom(HandshakePayloads.create(identity, staticKey));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        byte[] withExtensions = parsed.toBuilder()
                .setExtensions(NoiseProto.NoiseExtensions.newBuilder().addStreamMuxers("/yamux/1.0.0"))
                .build()
                .toByteArray();
        assertThat(HandshakePayloads.verify(withExtensions, staticKey)).isEqualTo(identity.publicKey());
    }

    private static byte[] payload(byte[] key, byte[] signature) {
        return NoiseProto.NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(key))
                .setIdentitySig(ByteString.copyFrom(signature))
                .build()
                .toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
