package dev.ferry.store.erasure;

import java.util.Arrays;

/**
 * An immutable matrix over GF(2^8): the coding matrix of a (k, m) code and the decoding matrices
 * inverted from it. Small (at most 255 x 255), so plain int arrays serve.
 */
final class GaloisMatrix {
    private final int[][] entries;

    private GaloisMatrix(int[][] entries) {
        this.entries = entries;
    }

    static GaloisMatrix of(int[][] entries) {
        int[][] copy = new int[entries.length][];
        for (int r = 0; r < entries.length; r++) {
            copy[r] = entries[r].clone();
            if (copy[r].length != entries[0].length) throw new IllegalArgumentException("rows differ in length");
            for (int value : copy[r]) {
                if (value < 0 || value >= GaloisField.ORDER) throw new IllegalArgumentException("not a GF(2^8) element: " + value);
            }
        }
        return new GaloisMatrix(copy);
    }

    static GaloisMatrix identity(int size) {
        int[][] entries = new int[size][size];
        for (int i = 0; i < size; i++) entries[i][i] = 1;
        return new GaloisMatrix(entries);
    }

    int rows() {
        return entries.length;
    }

    int columns() {
        return entries.length == 0 ? 0 : entries[0].length;
    }

    int get(int row, int column) {
        return entries[row][column];
    }

    /** A copy of one row. */
    int[] row(int row) {
        return entries[row].clone();
    }

    /** The matrix made of the given rows, in the given order. */
    GaloisMatrix selectRows(int[] rowIndices) {
        int[][] selected = new int[rowIndices.length][];
        for (int i = 0; i < rowIndices.length; i++) selected[i] = entries[rowIndices[i]].clone();
        return new GaloisMatrix(selected);
    }

    GaloisMatrix times(GaloisMatrix other) {
        if (columns() != other.rows()) throw new IllegalArgumentException("cannot multiply " + rows() + "x" + columns() + " by " + other.rows() + "x" + other.columns());
        int[][] product = new int[rows()][other.columns()];
        for (int r = 0; r < rows(); r++) {
            for (int c = 0; c < other.columns(); c++) {
                int sum = 0;
                for (int i = 0; i < columns(); i++) sum ^= GaloisField.multiply(entries[r][i], other.entries[i][c]);
                product[r][c] = sum;
            }
        }
        return new GaloisMatrix(product);
    }

    /**
     * The inverse, by Gauss-Jordan elimination.
     *
     * @throws ArithmeticException if the matrix is not square or is singular
     */
    GaloisMatrix inverse() {
        int size = rows();
        if (size != columns()) throw new ArithmeticException("only a square matrix has an inverse, not " + size + "x" + columns());
        int[][] work = new int[size][];
        for (int r = 0; r < size; r++) work[r] = entries[r].clone();
        int[][] result = identity(size).entries;
        for (int column = 0; column < size; column++) {
            int pivot = column;
            while (pivot < size && work[pivot][column] == 0) pivot++;
            if (pivot == size) throw new ArithmeticException("singular matrix");
            swap(work, pivot, column);
            swap(result, pivot, column);
            int scale = GaloisField.inverse(work[column][column]);
            scaleRow(work[column], scale);
            scaleRow(result[column], scale);
            for (int r = 0; r < size; r++) {
                int factor = work[r][column];
                if (r == column || factor == 0) continue;
                subtractScaled(work[r], work[column], factor);
                subtractScaled(result[r], result[column], factor);
            }
        }
        return new GaloisMatrix(result);
    }

    /** True if the matrix is square and invertible. */
    boolean isInvertible() {
        try {
            inverse();
            return true;
        } catch (ArithmeticException singular) {
            return false;
        }
    }

    private static void swap(int[][] rows, int a, int b) {
        int[] row = rows[a];
        rows[a] = rows[b];
        rows[b] = row;
    }

    private static void scaleRow(int[] row, int factor) {
        for (int i = 0; i < row.length; i++) row[i] = GaloisField.multiply(row[i], factor);
    }

    /** target -= factor * source; in GF(2^8) subtraction is addition. */
    private static void subtractScaled(int[] target, int[] source, int factor) {
        for (int i = 0; i < target.length; i++) target[i] ^= GaloisField.multiply(source[i], factor);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GaloisMatrix matrix && Arrays.deepEquals(entries, matrix.entries);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(entries);
    }

    @Override
    public String toString() {
        return Arrays.deepToString(entries);
    }
}
