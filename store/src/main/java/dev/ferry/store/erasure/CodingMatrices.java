package dev.ferry.store.erasure;

/**
 * Builds the n x k coding matrix of a systematic code: the k x k identity (the data shards are
 * the data) over an m x k parity part P. The code rebuilds from any k shards exactly when every
 * square submatrix of P is invertible, so P is chosen for that property:
 *
 * <ul>
 *   <li>m &lt;= 2: the RAID-6 rows P = [1, 1, ..., 1] and Q = [1, 2, 4, ..., 2^(k-1)]. Every entry
 *       is non-zero, and a 2 x 2 minor is 2^i + 2^j, non-zero for i != j because 2 has order
 *       255 &gt; k. Both rows are geometric, which the region arithmetic computes with XORs and
 *       multiplications by 2 only: the fast default for 4 + 2.
 *   <li>m &gt;= 3: a Cauchy matrix 1 / (x_r + y_c) with x_r = r and y_c = m + c, all distinct
 *       since k + m &lt;= 255; every square submatrix of a Cauchy matrix is invertible. Its columns
 *       and rows are then scaled so that the first row and column are all 1 (scaling by non-zero
 *       factors keeps every minor non-zero), which makes the first parity shard a plain XOR.
 * </ul>
 */
final class CodingMatrices {
    private CodingMatrices() {}

    static GaloisMatrix systematic(ErasureParameters parameters) {
        int k = parameters.dataShards();
        int m = parameters.parityShards();
        int[][] entries = new int[k + m][k];
        for (int i = 0; i < k; i++) entries[i][i] = 1;
        int[][] parity = m <= 2 ? raid6Rows(k, m) : normalizedCauchy(k, m);
        for (int r = 0; r < m; r++) entries[k + r] = parity[r];
        return GaloisMatrix.of(entries);
    }

    private static int[][] raid6Rows(int k, int m) {
        int[][] rows = new int[m][k];
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < k; c++) rows[r][c] = r == 0 ? 1 : GaloisField.exp(c);
        }
        return rows;
    }

    private static int[][] normalizedCauchy(int k, int m) {
        int[][] rows = new int[m][k];
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < k; c++) rows[r][c] = GaloisField.inverse(GaloisField.add(r, m + c));
        }
        for (int c = 0; c < k; c++) {
            int scale = GaloisField.inverse(rows[0][c]);
            for (int r = 0; r < m; r++) rows[r][c] = GaloisField.multiply(rows[r][c], scale);
        }
        for (int r = 1; r < m; r++) {
            int scale = GaloisField.inverse(rows[r][0]);
            for (int c = 0; c < k; c++) rows[r][c] = GaloisField.multiply(rows[r][c], scale);
        }
        return rows;
    }
}
