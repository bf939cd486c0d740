package dev.ferry.store.erasure;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One output shard as a fixed GF(2^8) combination of input shards, c_0 s_0 + ... + c_(k-1) s_(k-1),
 * computed eight bytes at a time in longs.
 *
 * <p>The sum is evaluated bit by bit of the coefficients, Horner style from the top bit:
 * acc = 2 acc + (XOR of the shards whose coefficient has this bit). Multiplying eight packed
 * bytes by 2 ("xtime") is a few shifts and masks, so a row costs at most 7 doublings plus one XOR
 * per set coefficient bit, with no table look-ups. A row of 1s is pure XOR and the RAID-6 row
 * [1, 2, 4, 8] is three doublings and four XORs. Work goes in blocks that stay in the L1 cache.
 * The bytes past the last whole long use the scalar field arithmetic.
 */
final class LinearCombination {
    /** Longs per block: 4 KiB of accumulator, well inside any L1 data cache next to its inputs. */
    private static final int BLOCK_LONGS = 512;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN_BITS = 0x7f7f7f7f7f7f7f7fL;
    private static final long LOW_BIT = 0x0101010101010101L;
    /** x^8 reduced by 0x11d: x^4 + x^3 + x^2 + 1. */
    private static final long REDUCTION = 0x1d;

    private final int[] coefficients;
    /** sourcesByBit[b]: the inputs whose coefficient has bit b set. */
    private final int[][] sourcesByBit;
    private final int topBit;

    LinearCombination(int[] coefficients) {
        this.coefficients = coefficients.clone();
        this.sourcesByBit = new int[8][];
        int top = -1;
        for (int bit = 0; bit < 8; bit++) {
            List<Integer> sources = new ArrayList<>();
            for (int i = 0; i < coefficients.length; i++) {
                if ((coefficients[i] >>> bit & 1) != 0) sources.add(i);
            }
            sourcesByBit[bit] = sources.stream().mapToInt(Integer::intValue).toArray();
            if (!sources.isEmpty()) top = bit;
        }
        this.topBit = top;
    }

    /** Number of inputs the combination takes. */
    int inputs() {
        return coefficients.length;
    }

    /**
     * Writes the combination of the first {@code length} bytes of each source into
     * {@code destination}.
     */
    void apply(byte[][] sources, byte[] destination, int length) {
        if (sources.length != coefficients.length) throw new IllegalArgumentException("expected " + coefficients.length + " sources, got " + sources.length);
        int longs = length >>> 3;
        if (topBit < 0) {
            Arrays.fill(destination, 0, length, (byte) 0);
            return;
        }
        long[] accumulator = new long[Math.min(BLOCK_LONGS, Math.max(longs, 1))];
        for (int start = 0; start < longs; start += BLOCK_LONGS) {
            int count = Math.min(BLOCK_LONGS, longs - start);
            int offset = start << 3;
            boolean empty = true;
            for (int bit = topBit; bit >= 0; bit--) {
                if (!empty) doubleAll(accumulator, count);
                for (int source : sourcesByBit[bit]) {
                    if (empty) {
                        load(accumulator, sources[source], offset, count);
                        empty = false;
                    } else {
                        xorInto(accumulator, sources[source], offset, count);
                    }
                }
            }
            store(accumulator, destination, offset, count);
        }
        for (int i = longs << 3; i < length; i++) {
            int sum = 0;
            for (int s = 0; s < coefficients.length; s++) sum ^= GaloisField.multiply(coefficients[s], sources[s][i] & 0xff);
            destination[i] = (byte) sum;
        }
    }

    /** Eight packed field elements times 2. */
    static long xtime(long packed) {
        long carries = (packed >>> 7) & LOW_BIT;
        return ((packed & LOW_SEVEN_BITS) << 1) ^ (carries * REDUCTION);
    }

    private static void doubleAll(long[] accumulator, int count) {
        for (int i = 0; i < count; i++) accumulator[i] = xtime(accumulator[i]);
    }

    private static void load(long[] accumulator, byte[] source, int offset, int count) {
        for (int i = 0; i < count; i++) accumulator[i] = (long) LONGS.get(source, offset + (i << 3));
    }

    private static void xorInto(long[] accumulator, byte[] source, int offset, int count) {
        for (int i = 0; i < count; i++) accumulator[i] ^= (long) LONGS.get(source, offset + (i << 3));
    }

    private static void store(long[] accumulator, byte[] destination, int offset, int count) {
        for (int i = 0; i < count; i++) LONGS.set(destination, offset + (i << 3), accumulator[i]);
    }
}
