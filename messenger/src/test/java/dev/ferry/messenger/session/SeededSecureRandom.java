package dev.ferry.messenger.session;

import java.security.SecureRandom;
import java.util.Random;

/** Test fixture: a SecureRandom drawn from a seeded Random, so that a seeded run repeats exactly. Never for real keys. */
final class SeededSecureRandom extends SecureRandom {
    private final Random random;

    SeededSecureRandom(long seed) {
        super(null, null); // no provider: the methods used are overridden
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
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    @Override
    public long nextLong() {
        return random.nextLong();
    }

    @Override
    public void setSeed(long seed) {
        // called by Random's constructor; the seed is fixed at construction
    }
}
