package dev.ferry.crypto.fuzz;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

/**
 * Fixed keys and times for the fuzz targets, so that a seed that decodes, opens or decrypts
 * today does so on every run: the seed corpus is made from these ({@link SeedCorpus}). The
 * overlay's fuzz targets use them too.
 */
public final class FuzzFixtures {
    /** "Now" for every target that checks times: 2026-01-01T00:00:00Z. */
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private FuzzFixtures() {}

    /** A {@link SecureRandom} whose bytes repeat from {@code seed}. Never for real keys. */
    public static SecureRandom random(long seed) {
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

    /** An Ed25519 node key made from {@code n} repeated as its seed. */
    public static IdentityKeyPair nodeKey(int n) {
        byte[] seed = new byte[IdentityKeyPair.SEED_LENGTH];
        Arrays.fill(seed, (byte) n);
        return IdentityKeyPair.fromSeed(seed);
    }

    static X25519.KeyPair x25519(long seed) {
        return X25519.generate(random(seed));
    }
}
