package dev.ferry.store.erasure;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a rebuilder must know besides the shards: the code's parameters, the length of the
 * original data and the SHA-256 of every shard (the envelope carries these). Immutable; shard
 * sizes follow from the data length ({@link ErasureParameters#shardSize(int)}).
 */
public final class ShardManifest {
    /** SHA-256 output, the size of each shard hash. */
    public static final int HASH_LENGTH = 32;

    private final ErasureParameters parameters;
    private final int dataLength;
    private final byte[][] shardHashes;

    /**
     * @param shardHashes one 32-byte SHA-256 per shard, in shard order (k data, then m parity)
     * @throws IllegalArgumentException if the data length is out of range or the hashes do not
     *     fit the parameters
     */
    public ShardManifest(ErasureParameters parameters, int dataLength, List<byte[]> shardHashes) {
        if (parameters == null) throw new IllegalArgumentException("parameters are required");
        ErasureParameters.checkDataLength(dataLength);
        if (shardHashes.size() != parameters.totalShards()) {
            throw new IllegalArgumentException(parameters + " code needs " + parameters.totalShards() + " shard hashes, got " + shardHashes.size());
        }
        this.parameters = parameters;
        this.dataLength = dataLength;
        this.shardHashes = new byte[shardHashes.size()][];
        for (int i = 0; i < shardHashes.size(); i++) {
            byte[] hash = shardHashes.get(i);
            if (hash == null || hash.length != HASH_LENGTH) {
                throw new IllegalArgumentException("shard hash " + i + " must be " + HASH_LENGTH + " bytes");
            }
            this.shardHashes[i] = hash.clone();
        }
    }

    public ErasureParameters parameters() {
        return parameters;
    }

    /** Length of the original data in bytes. */
    public int dataLength() {
        return dataLength;
    }

    /** Size of every shard in bytes. */
    public int shardSize() {
        return parameters.shardSize(dataLength);
    }

    /** A copy of the SHA-256 of shard {@code index}. */
    public byte[] shardHash(int index) {
        return shardHashes[checkIndex(index)].clone();
    }

    /** Copies of all shard hashes, in shard order. */
    public List<byte[]> shardHashes() {
        List<byte[]> copies = new ArrayList<>(shardHashes.length);
        for (byte[] hash : shardHashes) copies.add(hash.clone());
        return copies;
    }

    /** True if {@code shard} has the right size and its SHA-256 is that of shard {@code index}. */
    public boolean matches(int index, byte[] shard) {
        checkIndex(index);
        return shard != null && shard.length == shardSize() && MessageDigest.isEqual(sha256(shard), shardHashes[index]);
    }

    int checkIndex(int index) {
        if (index < 0 || index >= shardHashes.length) {
            throw new IllegalArgumentException("shard index " + index + " is outside 0.." + (shardHashes.length - 1));
        }
        return index;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK's SHA-256 is unavailable", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ShardManifest manifest
                && parameters.equals(manifest.parameters)
                && dataLength == manifest.dataLength
                && Arrays.deepEquals(shardHashes, manifest.shardHashes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * parameters.hashCode() + dataLength) + Arrays.deepHashCode(shardHashes);
    }

    @Override
    public String toString() {
        return "ShardManifest[" + parameters + ", " + dataLength + " bytes in shards of " + shardSize() + "]";
    }
}
