package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CdfTest {
    @Test
    void shouldRiseInStepsOfOneOverNAndEndAtOne() {
        Cdf cdf = Cdf.of(List.of(5.0, 1.0, 3.0, 3.0));

        assertThat(cdf.xs()).containsExactly(1.0, 3.0, 3.0, 5.0);
        assertThat(cdf.ys()).containsExactly(0.25, 0.5, 0.75, 1.0);
    }

    @Test
    void shouldGiveNearestRankQuantiles() {
        List<Double> samples = new ArrayList<>();
        for (int i = 100; i >= 1; i--) samples.add((double) i);
        Cdf cdf = Cdf.of(samples);

        assertThat(cdf.quantile(0.5)).isEqualTo(50.0);
        assertThat(cdf.quantile(0.9)).isEqualTo(90.0);
        assertThat(cdf.quantile(0.99)).isEqualTo(99.0);
        assertThat(cdf.quantile(1.0)).isEqualTo(100.0);
        assertThat(cdf.quantile(0.001)).isEqualTo(1.0);
    }

    @Test
    void shouldCountTheShareAtMostAValue() {
        Cdf cdf = Cdf.of(List.of(1.0, 2.0, 2.0, 4.0));

        assertThat(cdf.at(0.5)).isZero();
        assertThat(cdf.at(2.0)).isEqualTo(0.75);
        assertThat(cdf.at(3.0)).isEqualTo(0.75);
        assertThat(cdf.at(4.0)).isEqualTo(1.0);
    }

    @Test
    void shouldBeMonotoneAndAgreeWithItsQuantilesForRandomSamples() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<Double> samples = new ArrayList<>();
            int n = 1 + random.nextInt(300);
            for (int i = 0; i < n; i++) samples.add(Math.floor(random.nextDouble() * 50)); // ties on purpose
            Cdf cdf = Cdf.of(samples);
            double[] x = cdf.xs();
            double[] y = cdf.ys();
            for (int i = 1; i < n; i++) {
                assertThat(x[i]).as("seed %d", seed).isGreaterThanOrEqualTo(x[i - 1]);
                assertThat(y[i]).as("seed %d", seed).isGreaterThan(y[i - 1]);
            }
            assertThat(y[n - 1]).as("seed %d", seed).isEqualTo(1.0);
            double q = random.nextDouble() * 0.999 + 0.001;
            double v = cdf.quantile(q);
            // The nearest-rank quantile: at least q of the samples are at most it, fewer than q below it.
            assertThat(cdf.at(v)).as("seed %d", seed).isGreaterThanOrEqualTo(q - 1e-12);
            assertThat(samples.stream().filter(s -> s < v).count() / (double) n).as("seed %d", seed).isLessThan(q);
        }
    }

    @Test
    void shouldRefuseNaNAndQuantilesOutsideTheUnitInterval() {
        assertThatThrownBy(() -> Cdf.of(List.of(1.0, Double.NaN))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cdf.of(List.of(1.0)).quantile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Cdf.of(List.of()).quantile(0.5)).isNaN();
    }
}
