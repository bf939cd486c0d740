package dev.ferry.overlay.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.overlay.noise.proto.NoiseProto;
import java.nio.charset.StandardCharsets;

/**
 * The libp2p handshake payload (noise/README.md, "The libp2p Handshake Payload"): the sender's
 * identity key and its signature of {@code "noise-libp2p-static-key:" || noise static key}, which
 * binds the Noise session to a PeerId. Extensions are neither sent nor used.
 */
final class HandshakePayloads {
    private static final byte[] SIGNATURE_PREFIX =
            NoiseProtocol.STATIC_KEY_SIGNATURE_PREFIX.getBytes(StandardCharsets.US_ASCII);

    private HandshakePayloads() {}

    /** Our payload: {@code identity} vouching for our Noise static public key. */
    static byte[] create(IdentityKeyPair identity, byte[] noiseStaticPublicKey) {
        return NoiseProto.NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(identity.publicKey().marshal()))
                .setIdentitySig(ByteString.copyFrom(identity.sign(signedData(noiseStaticPublicKey))))
                .build()
                .toByteArray();
    }

    /**
     * Checks the remote's payload against the Noise static key it used in the handshake.
     *
     * @return the remote's identity key
     * @throws NoiseHandshakeException if the payload is malformed, its key is unusable, or the
     *     signature does not cover {@code remoteNoiseStaticKey}
     */
    static IdentityPublicKey verify(byte[] payload, byte[] remoteNoiseStaticKey) {
        NoiseProto.NoiseHandshakePayload parsed;
        try {
            parsed = NoiseProto.NoiseHandshakePayload.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new NoiseHandshakeException("remote Noise handshake payload is not a valid NoiseHandshakePayload", e);
        }
        if (!parsed.hasIdentityKey() || !parsed.hasIdentitySig()) {
            throw new NoiseHandshakeException("remote Noise handshake payload lacks its identity key or signature");
        }
        IdentityPublicKey key;
        try {
            key = IdentityPublicKey.unmarshal(parsed.getIdentityKey().toByteArray());
        } catch (IllegalArgumentException e) {
            throw new NoiseHandshakeException("remote identity key is unusable: " + e.getMessage(), e);
        }
        if (!key.verify(signedData(remoteNoiseStaticKey), parsed.getIdentitySig().toByteArray())) {
            throw new NoiseHandshakeException("remote identity signature does not cover its Noise static key");
        }
        return key;
    }

    private static byte[] signedData(byte[] noiseStaticPublicKey) {
        byte[] data = new byte[SIGNATURE_PREFIX.length + noiseStaticPublicKey.length];
        System.arraycopy(SIGNATURE_PREFIX, 0, data, 0, SIGNATURE_PREFIX.length);
        System.arraycopy(noiseStaticPublicKey, 0, data, SIGNATURE_PREFIX.length, noiseStaticPublicKey.length);
        return data;
    }
}
