package dev.ferry.bench.report;

import java.util.Arrays;
import java.util.List;

/**
 * The empirical cumulative distribution of a set of samples: the i-th smallest sample (from 0)
 * is at height (i + 1) / n, so the curve rises in steps and ends at 1 at the largest sample.
 */
public final class Cdf {
    private final double[] x;

    private Cdf(double[] sorted) {
        this.x = sorted;
    }

    /** The distribution of {@code samples}; NaN samples are refused, as they have no place on an axis. */
    public static Cdf of(List<Double> samples) {
        double[] v = samples.stream().mapToDouble(Double::doubleValue).toArray();
        for (double d : v) if (Double.isNaN(d)) throw new IllegalArgumentException("a NaN sample");
        Arrays.sort(v);
        return new Cdf(v);
    }

    /** How many samples. */
    public int size() {
        return x.length;
    }

    /** The samples in ascending order. */
    public double[] xs() {
        return x.clone();
    }

    /** The height after each sample of {@link #xs()}: (i + 1) / n. */
    public double[] ys() {
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) y[i] = (i + 1) / (double) x.length;
        return y;
    }

    /** The share of samples at most {@code value}. */
    public double at(double value) {
        int lo = 0;
        int hi = x.length;
        while (lo < hi) { // the first index whose sample is above value
            int mid = (lo + hi) >>> 1;
            if (x[mid] <= value) lo = mid + 1;
            else hi = mid;
        }
        return x.length == 0 ? 0 : lo / (double) x.length;
    }

    /** The nearest-rank quantile, {@code q} in (0, 1]: the smallest sample with at least q of the samples at most it; NaN when empty. */
    public double quantile(double q) {
        if (!(q > 0 && q <= 1)) throw new IllegalArgumentException("q must be in (0, 1]: " + q);
        if (x.length == 0) return Double.NaN;
        return x[Math.max(0, (int) Math.ceil(q * x.length) - 1)];
    }
}
