package dev.ferry.store.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.SeededProperty;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The any-k property: every set of k rows of the coding matrix is invertible. Checked by
 * enumerating every k-subset for small codes, and through its equivalent (every square
 * submatrix of the parity part invertible) at the largest sizes.
 */
class CodingMatricesTest {
    @Test
    void topIsTheIdentitySoTheCodeIsSystematic() {
        GaloisMatrix matrix = CodingMatrices.systematic(new ErasureParameters(5, 3));
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 5; c++) assertThat(matrix.get(r, c)).isEqualTo(r == c ? 1 : 0);
        }
    }

    @Test
    void defaultParityRowsAreXorAndPowersOfTwo() {
        GaloisMatrix matrix = CodingMatrices.systematic(ErasureParameters.DEFAULT);
        assertThat(matrix.row(4)).containsExactly(1, 1, 1, 1);
        assertThat(matrix.row(5)).containsExactly(1, 2, 4, 8);
    }

    @Test
    void cauchyParityHasAllOnesFirstRowAndColumn() {
        GaloisMatrix matrix = CodingMatrices.systematic(new ErasureParameters(6, 4));
        assertThat(matrix.row(6)).containsOnly(1);
        for (int r = 6; r < 10; r++) assertThat(matrix.get(r, 0)).isEqualTo(1);
    }

    @Test
    void everyKSubsetOfRowsIsInvertibleForSmallCodes() {
        int[][] codes = {{1, 0}, {1, 2}, {2, 1}, {4, 2}, {3, 3}, {5, 3}, {10, 4}, {6, 6}, {8, 5}};
        for (int[] code : codes) {
            ErasureParameters parameters = new ErasureParameters(code[0], code[1]);
            GaloisMatrix matrix = CodingMatrices.systematic(parameters);
            forEachSubset(parameters.totalShards(), parameters.dataShards(), rows ->
                    assertThat(matrix.selectRows(rows).isInvertible()).as("%s rows %s", parameters, java.util.Arrays.toString(rows)).isTrue());
        }
    }

    @Test
    void everySquareSubmatrixOfRaid6ParityIsInvertibleAtTheLargestK() {
        ErasureParameters largest = new ErasureParameters(ErasureParameters.MAX_TOTAL_SHARDS - 2, 2);
        assertEverySquareParitySubmatrixInvertible(largest, 2);
    }

    @Test
    void everySquareSubmatrixUpTo3x3OfCauchyParityIsInvertibleForAWideCode() {
        assertEverySquareParitySubmatrixInvertible(new ErasureParameters(60, 5), 3);
    }

    @Test
    void randomKSubsetsOfRowsAreInvertibleForTheLargestCodes() {
        int[][] codes = {{ErasureParameters.MAX_TOTAL_SHARDS - 2, 2}, {200, 55}, {128, 127}, {30, 30}};
        for (int[] code : codes) {
            ErasureParameters parameters = new ErasureParameters(code[0], code[1]);
            GaloisMatrix matrix = CodingMatrices.systematic(parameters);
            SeededProperty.forAll("random rows of " + parameters, 3, random -> {
                int n = parameters.totalShards();
                int[] all = new int[n];
                for (int i = 0; i < n; i++) all[i] = i;
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int swap = all[i];
                    all[i] = all[j];
                    all[j] = swap;
                }
                int[] rows = java.util.Arrays.copyOf(all, parameters.dataShards());
                java.util.Arrays.sort(rows);
                assertThat(matrix.selectRows(rows).isInvertible()).isTrue();
            });
        }
    }

    private static void assertEverySquareParitySubmatrixInvertible(ErasureParameters parameters, int maxSize) {
        int k = parameters.dataShards();
        int m = parameters.parityShards();
        GaloisMatrix matrix = CodingMatrices.systematic(parameters);
        for (int size = 1; size <= Math.min(maxSize, m); size++) {
            int square = size;
            forEachSubset(m, square, parityRows -> forEachSubset(k, square, columns -> {
                int[][] entries = new int[square][square];
                for (int r = 0; r < square; r++) {
                    for (int c = 0; c < square; c++) entries[r][c] = matrix.get(k + parityRows[r], columns[c]);
                }
                if (!GaloisMatrix.of(entries).isInvertible()) {
                    throw new AssertionError(parameters + ": singular parity submatrix rows " + java.util.Arrays.toString(parityRows)
                            + " columns " + java.util.Arrays.toString(columns));
                }
            }));
        }
    }

    /** Calls {@code action} with every size-element subset of 0..n-1, in increasing order. */
    static void forEachSubset(int n, int size, Consumer<int[]> action) {
        int[] subset = new int[size];
        for (int i = 0; i < size; i++) subset[i] = i;
        while (true) {
            action.accept(subset.clone());
            int i = size - 1;
            while (i >= 0 && subset[i] == n - size + i) i--;
            if (i < 0) return;
            subset[i]++;
            for (int j = i + 1; j < size; j++) subset[j] = subset[j - 1] + 1;
        }
    }
}
