package dev.ferry.overlay.fuzz;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.noise.NoiseProtocol;
import dev.ferry.overlay.noise.proto.NoiseProto;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;

/** Fixed keys and randomness for the fuzz targets, so that a seed does the same on every run ({@link SeedCorpus}). */
final class FuzzFixtures {
    private FuzzFixtures() {}

    /** A {@link SecureRandom} whose bytes repeat from {@code seed}. Never for real keys. */
    static SecureRandom random(long seed) {
        Random source = new Random(seed);
        return new SecureRandom(null, null) { // no provider: every method used is overridden
            @Override
            public void nextBytes(byte[] bytes) {
                source.nextBytes(bytes);
            }

            @Override
            public int nextInt() {
                return source.nextInt();
            }

            @Override
            public long nextLong() {
                return source.nextLong();
            }

            @Override
            public void setSeed(long ignored) {
                // the seed is fixed at construction
            }
        };
    }

    static IdentityKeyPair nodeKey(int n) {
        byte[] seed = new byte[IdentityKeyPair.SEED_LENGTH];
        Arrays.fill(seed, (byte) n);
        return IdentityKeyPair.fromSeed(seed);
    }

    /** The libp2p Noise handshake payload: {@code identity} vouching for {@code noiseStaticKey}. */
    static byte[] noisePayload(IdentityKeyPair identity, byte[] noiseStaticKey) {
        byte[] prefix = NoiseProtocol.STATIC_KEY_SIGNATURE_PREFIX.getBytes(StandardCharsets.US_ASCII);
        byte[] signed = Arrays.copyOf(prefix, prefix.length + noiseStaticKey.length);
        System.arraycopy(noiseStaticKey, 0, signed, prefix.length, noiseStaticKey.length);
        return NoiseProto.NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(identity.publicKey().marshal()))
                .setIdentitySig(ByteString.copyFrom(identity.sign(signed)))
                .build()
                .toByteArray();
    }
}
