package dev.ferry.pubsub.message;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Runs a randomized property over many cases from one seed, and prints the seed first (it lands
 * in the test's output file), so that any run can be replayed with {@code -Dferry.seed=<seed>}.
 * A failure names the seed and the case too.
 */
final class Seeded {
    private Seeded() {}

    /** Checks {@code property} on {@code cases} cases drawn from one seeded {@link Random}. */
    static void forAll(String name, int cases, Consumer<Random> property) {
        long seed = Long.getLong("ferry.seed", ThreadLocalRandom.current().nextLong());
        System.out.println(name + ": seed " + seed + " (replay with -Dferry.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int i = 0; i < cases; i++) {
            try {
                property.accept(random);
            } catch (Throwable failure) {
                throw new AssertionError(name + " failed at case " + i + " of seed " + seed
                        + " (replay with -Dferry.seed=" + seed + "): " + failure.getMessage(), failure);
            }
        }
    }

    /** {@code length} random bytes. */
    static byte[] bytes(Random random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }
}
