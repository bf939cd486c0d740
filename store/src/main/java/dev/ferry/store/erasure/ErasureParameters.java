package dev.ferry.store.erasure;

/**
 * The shape of a Reed-Solomon code: {@code dataShards} (k) pieces of data and
 * {@code parityShards} (m) parity shards, n = k + m in all, any k of which rebuild the data.
 *
 * @param dataShards k, at least 1
 * @param parityShards m, at least 0 (0 means plain splitting, no redundancy)
 */
public record ErasureParameters(int dataShards, int parityShards) {
    /**
     * Most shards in one code. The shard index fits one byte, and the parity matrices need
     * distinct field elements: the Cauchy rows take k + m of GF(2^8)'s 256 elements and the
     * P + Q rows take k distinct powers of 2, of which there are 255.
     */
    public static final int MAX_TOTAL_SHARDS = 255;
    /**
     * Largest data one code call takes: 64 MiB, far above any envelope a node accepts, and a
     * bound on the memory one encode or decode holds (the data plus its n shards).
     */
    public static final int MAX_DATA_LENGTH = 64 * 1024 * 1024;
    /**
     * Ferry's default, 4 data + 2 parity: survives any two of the six mailbox holders going away
     * for 1.5 times the envelope's size in storage.
     */
    public static final ErasureParameters DEFAULT = new ErasureParameters(4, 2);

    /** Refuses k &lt; 1, m &lt; 0 and k + m &gt; {@link #MAX_TOTAL_SHARDS}. */
    public ErasureParameters {
        if (dataShards < 1) throw new IllegalArgumentException("need at least 1 data shard, got " + dataShards);
        if (parityShards < 0) throw new IllegalArgumentException("parity shards cannot be negative, got " + parityShards);
        if (dataShards + parityShards > MAX_TOTAL_SHARDS) {
            throw new IllegalArgumentException("at most " + MAX_TOTAL_SHARDS + " shards in all, got " + dataShards + " + " + parityShards);
        }
    }

    /** n = k + m. */
    public int totalShards() {
        return dataShards + parityShards;
    }

    /**
     * The size of every shard for data of {@code dataLength} bytes: ceil(dataLength / k), and at
     * least 1 so that no shard is ever an empty value (empty data gives k + m one-byte shards).
     * The data, followed by zeros up to k times this size, is cut into the k data shards.
     *
     * @throws IllegalArgumentException if the length is negative or above {@link #MAX_DATA_LENGTH}
     */
    public int shardSize(int dataLength) {
        checkDataLength(dataLength);
        return Math.max(1, (dataLength + dataShards - 1) / dataShards);
    }

    static void checkDataLength(int dataLength) {
        if (dataLength < 0) throw new IllegalArgumentException("data length cannot be negative, got " + dataLength);
        if (dataLength > MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("data of " + dataLength + " bytes is above the " + MAX_DATA_LENGTH + "-byte limit");
        }
    }

    @Override
    public String toString() {
        return dataShards + "+" + parityShards;
    }
}
