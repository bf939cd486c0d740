package dev.ferry.crypto;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Runs a randomized property over many cases from one seed, and prints the seed first (it lands
 * in the test's output file). A failure names the seed and the case, and
 * {@code -Dferry.seed=<seed>} replays exactly that run. Shared with the other modules' tests
 * through the crypto test-jar.
 */
public final class SeededProperty {
    private SeededProperty() {}

    /** Checks {@code property} on {@code cases} cases drawn from one seeded {@link Random}. */
    public static void forAll(int cases, Consumer<Random> property) {
        forAll("property", cases, property);
    }

    /** As {@link #forAll(int, Consumer)}, naming the property in the output and in a failure. */
    public static void forAll(String name, int cases, Consumer<Random> property) {
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
    public static byte[] bytes(Random random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }
}
