package dev.ferry.store.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.SeededProperty;
import org.junit.jupiter.api.Test;

class GaloisMatrixTest {
    @Test
    void inverseTimesMatrixIsIdentityForRandomInvertibleMatrices() {
        SeededProperty.forAll("matrix inverse", 300, random -> {
            int size = 1 + random.nextInt(12);
            int[][] entries = new int[size][size];
            for (int[] row : entries) {
                for (int c = 0; c < size; c++) row[c] = random.nextInt(256);
            }
            GaloisMatrix matrix = GaloisMatrix.of(entries);
            if (!matrix.isInvertible()) return;
            assertThat(matrix.inverse().times(matrix)).isEqualTo(GaloisMatrix.identity(size));
            assertThat(matrix.times(matrix.inverse())).isEqualTo(GaloisMatrix.identity(size));
        });
    }

    @Test
    void singularMatrixIsRefused() {
        GaloisMatrix twoEqualRows = GaloisMatrix.of(new int[][] {{1, 2, 3}, {4, 5, 6}, {1, 2, 3}});
        assertThatThrownBy(twoEqualRows::inverse).isInstanceOf(ArithmeticException.class).hasMessageContaining("singular");
        assertThat(twoEqualRows.isInvertible()).isFalse();
    }

    @Test
    void nonSquareMatrixHasNoInverse() {
        GaloisMatrix wide = GaloisMatrix.of(new int[][] {{1, 2}});
        assertThatThrownBy(wide::inverse).isInstanceOf(ArithmeticException.class).hasMessageContaining("square");
    }

    @Test
    void entriesOutsideTheFieldAreRefused() {
        assertThatThrownBy(() -> GaloisMatrix.of(new int[][] {{256}})).isInstanceOf(IllegalArgumentException.class);
    }
}
