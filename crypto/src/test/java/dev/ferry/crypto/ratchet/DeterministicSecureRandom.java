package dev.ferry.crypto.ratchet;

import java.security.SecureRandom;
import java.util.Random;

/**
 * Test fixture: a {@link SecureRandom} whose bytes come from a seeded {@link Random}, so that a
 * seeded test's ratchet keys, and therefore the whole run, repeat exactly. Never for real keys.
 */
final class DeterministicSecureRandom extends SecureRandom {
    private final Random random;

    DeterministicSecureRandom(long seed) {
        super(null, null); // no provider: every method used here is overridden, and no entropy source is opened
        this.random = new Random(seed);
    }

    @Override
    public void nextBytes(byte[] bytes) {
        random.nextBytes(bytes);
    }

    @Override
    public int nextInt() {
        return random.nextInt();
    }

    @Override
    public void setSeed(long seed) {
        // called by Random's constructor; the seed is fixed at construction
    }

    @Override
    public long nextLong() {
        return random.nextLong();
    }
}
