package dev.ferry.overlay.noise;

import dev.ferry.crypto.IdentityKeyPair;

/** The node's own handshake payload for tests outside this package (the fuzz targets' seeds): {@link HandshakePayloads#create}. */
public final class SignedPayloads {
    private SignedPayloads() {}

    /** The libp2p Noise handshake payload: {@code identity} vouching for {@code noiseStaticKey}. */
    public static byte[] of(IdentityKeyPair identity, byte[] noiseStaticKey) {
        return HandshakePayloads.create(identity, noiseStaticKey);
    }
}
