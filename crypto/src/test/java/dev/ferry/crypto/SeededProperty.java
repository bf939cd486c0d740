package dev.ferry.crypto;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Runs a randomized property over many cases from one seed. A failure names the seed, and
 * {@code -Dferry.seed=<seed>} replays exactly that run.
 */
public final class SeededProperty {
    private SeededProperty() {}

    /** Checks {@code property} on {@code cases} cases drawn from one seeded {@link Random}. */
    public static void forAll(int cases, Consumer<Random> property) {
        long seed = Long.getLong("ferry.seed", ThreadLocalRandom.current().nextLong());
        Random random = new Random(seed);
        for (int i = 0; i < cases; i++) {
            try {
                property.accept(random);
            } catch (Throwable failure) {
                throw new AssertionError("property failed at case " + i + " of seed " + seed
                        + " (replay with -Dferry.seed=" + seed + "): " + failure.getMessage(), failure);
            }
        }
    }

    /** {@code length} random bytes. */
    public static byte[] bytes(Random random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }
}
