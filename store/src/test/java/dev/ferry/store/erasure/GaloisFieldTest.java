package dev.ferry.store.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GaloisFieldTest {
    /** Carry-less multiplication reduced by 0x11d, bit by bit: the definition the tables must match. */
    private static int slowMultiply(int a, int b) {
        int product = 0;
        for (int bit = 0; bit < 8; bit++) {
            if ((b >>> bit & 1) != 0) product ^= a << bit;
        }
        for (int bit = 15; bit >= 8; bit--) {
            if ((product >>> bit & 1) != 0) product ^= GaloisField.POLYNOMIAL << (bit - 8);
        }
        return product;
    }

    @Test
    void multiplicationMatchesPolynomialMultiplicationModulo0x11dForEveryPair() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertThat(GaloisField.multiply(a, b)).as("%d * %d", a, b).isEqualTo(slowMultiply(a, b));
            }
        }
    }

    @Test
    void multiplicationIsCommutativeWithOneAsIdentityAndZeroAbsorbing() {
        for (int a = 0; a < 256; a++) {
            assertThat(GaloisField.multiply(a, 1)).isEqualTo(a);
            assertThat(GaloisField.multiply(a, 0)).isZero();
            for (int b = 0; b < 256; b++) {
                assertThat(GaloisField.multiply(a, b)).isEqualTo(GaloisField.multiply(b, a));
            }
        }
    }

    @Test
    void multiplicationIsAssociativeAndDistributesOverAdditionForEveryTriple() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                int ab = GaloisField.multiply(a, b);
                for (int c = 0; c < 256; c++) {
                    if (GaloisField.multiply(ab, c) != GaloisField.multiply(a, GaloisField.multiply(b, c))) {
                        throw new AssertionError("not associative at " + a + ", " + b + ", " + c);
                    }
                    if (GaloisField.multiply(a, b ^ c) != (ab ^ GaloisField.multiply(a, c))) {
                        throw new AssertionError("not distributive at " + a + ", " + b + ", " + c);
                    }
                }
            }
        }
    }

    @Test
    void everyNonZeroElementHasAUniqueInverse() {
        for (int a = 1; a < 256; a++) {
            int inverse = GaloisField.inverse(a);
            assertThat(GaloisField.multiply(a, inverse)).as("%d * inverse", a).isEqualTo(1);
            for (int b = 1; b < 256; b++) {
                if (b != inverse) assertThat(GaloisField.multiply(a, b)).isNotEqualTo(1);
                assertThat(GaloisField.multiply(GaloisField.divide(a, b), b)).isEqualTo(a);
            }
        }
        assertThatThrownBy(() -> GaloisField.inverse(0)).isInstanceOf(ArithmeticException.class).hasMessageContaining("0 has no inverse");
    }

    @Test
    void twoGeneratesAllNonZeroElements() {
        Set<Integer> powers = new HashSet<>();
        for (int i = 0; i < 255; i++) powers.add(GaloisField.exp(i));
        assertThat(powers).hasSize(255).doesNotContain(0);
        assertThat(GaloisField.exp(255)).isEqualTo(1);
    }

    @Test
    void packedXtimeDoublesEveryByteOfALong() {
        for (int a = 0; a < 256; a++) {
            long packed = 0;
            for (int lane = 0; lane < 8; lane++) packed |= (long) ((a + 37 * lane) & 0xff) << (8 * lane);
            long doubled = LinearCombination.xtime(packed);
            for (int lane = 0; lane < 8; lane++) {
                int element = (a + 37 * lane) & 0xff;
                assertThat((int) (doubled >>> (8 * lane)) & 0xff).isEqualTo(GaloisField.multiply(element, 2));
            }
        }
    }
}
