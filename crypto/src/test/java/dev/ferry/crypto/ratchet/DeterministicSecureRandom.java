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
    public long nextLong() {
        return random.nextLong();
    }
}
