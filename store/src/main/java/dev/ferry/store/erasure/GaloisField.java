package dev.ferry.store.erasure;

/**
 * Arithmetic in GF(2^8) with the reducing polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), the
 * field of most Reed-Solomon codes; 2 generates its multiplicative group. Elements are ints in
 * 0..255. Addition is XOR; multiplication goes through log and exp tables.
 */
final class GaloisField {
    /** Number of elements. */
    static final int ORDER = 256;
    /** The reducing polynomial, x^8 + x^4 + x^3 + x^2 + 1. */
    static final int POLYNOMIAL = 0x11d;
    /** A generator of the 255-element multiplicative group. */
    static final int GENERATOR = 2;

    /** exp[i] = 2^i, doubled in length so that exp[log a + log b] needs no reduction mod 255. */
    private static final int[] EXP = new int[2 * (ORDER - 1)];
    /** log[a] for a != 0; log[0] is unused. */
    private static final int[] LOG = new int[ORDER];

    static {
        int value = 1;
        for (int i = 0; i < ORDER - 1; i++) {
            EXP[i] = value;
            EXP[i + ORDER - 1] = value;
            LOG[value] = i;
            value <<= 1;
            if (value >= ORDER) value ^= POLYNOMIAL;
        }
    }

    private GaloisField() {}

    static int add(int a, int b) {
        return a ^ b;
    }

    static int multiply(int a, int b) {
        if (a == 0 || b == 0) return 0;
        return EXP[LOG[a] + LOG[b]];
    }

    /** The multiplicative inverse of a non-zero element. */
    static int inverse(int a) {
        if (a == 0) throw new ArithmeticException("0 has no inverse in GF(2^8)");
        return EXP[ORDER - 1 - LOG[a]];
    }

    static int divide(int a, int b) {
        return multiply(a, inverse(b));
    }

    /** {@code GENERATOR} to the power {@code exponent} (any exponent >= 0). */
    static int exp(int exponent) {
        return EXP[exponent % (ORDER - 1)];
    }
}
