package dev.ferry.store.erasure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Systematic Reed-Solomon erasure code over GF(2^8) for one {@link ErasureParameters} (k, m).
 *
 * <p>{@link #encode} cuts the data, zero-padded to k times the shard size, into k data shards and
 * computes m parity shards and the SHA-256 of each. {@link #decode} takes any shards by index,
 * checks each against the manifest's hashes, ignores (and reports) those that do not match, and
 * rebuilds the data from k valid ones. {@link #repair} regenerates one shard from any k others,
 * for a holder replacing a holder that has gone.
 *
 * <p>The coding matrix is described in {@link CodingMatrices}. Immutable and thread-safe; no I/O.
 */
public final class ReedSolomonCodec {
    private final ErasureParameters parameters;
    private final GaloisMatrix codingMatrix;
    private final LinearCombination[] parityRows;

    public ReedSolomonCodec(ErasureParameters parameters) {
        if (parameters == null) throw new IllegalArgumentException("parameters are required");
        this.parameters = parameters;
        this.codingMatrix = CodingMatrices.systematic(parameters);
        this.parityRows = new LinearCombination[parameters.parityShards()];
        for (int r = 0; r < parityRows.length; r++) {
            parityRows[r] = new LinearCombination(codingMatrix.row(parameters.dataShards() + r));
        }
    }

    /** A codec for {@link ErasureParameters#DEFAULT} (4 + 2). */
    public static ReedSolomonCodec withDefaultParameters() {
        return of(ErasureParameters.DEFAULT);
    }

    /**
     * Codecs kept by {@link #of}: building one inverts and multiplies GF(2^8) matrices, and a node
     * codes every envelope with one of a handful of shapes. Beyond this many shapes (only a peer
     * sending odd k + m would cause that) the cache starts over.
     */
    static final int MAX_CACHED_CODECS = 64;

    private static final java.util.concurrent.ConcurrentHashMap<ErasureParameters, ReedSolomonCodec> CACHE =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The codec for {@code parameters}, built once and shared (codecs are immutable and thread-safe). */
    public static ReedSolomonCodec of(ErasureParameters parameters) {
        ReedSolomonCodec cached = CACHE.get(parameters);
        if (cached != null) return cached;
        if (CACHE.size() >= MAX_CACHED_CODECS) CACHE.clear();
        return CACHE.computeIfAbsent(parameters, ReedSolomonCodec::new);
    }

    public ErasureParameters parameters() {
        return parameters;
    }

    /**
     * Splits {@code data} into k data shards and adds m parity shards and every shard's SHA-256.
     *
     * @throws IllegalArgumentException if data is null or longer than
     *     {@link ErasureParameters#MAX_DATA_LENGTH}
     */
    public EncodedShards encode(byte[] data) {
        if (data == null) throw new IllegalArgumentException("data is required");
        int k = parameters.dataShards();
        int shardSize = parameters.shardSize(data.length);
        byte[][] shards = new byte[parameters.totalShards()][];
        for (int i = 0; i < k; i++) {
            long from = (long) i * shardSize;
            shards[i] = from >= data.length ? new byte[shardSize] : Arrays.copyOfRange(data, (int) from, (int) from + shardSize);
        }
        byte[][] parity = encodeParity(Arrays.copyOf(shards, k));
        System.arraycopy(parity, 0, shards, k, parity.length);
        List<byte[]> hashes = new ArrayList<>(shards.length);
        for (byte[] shard : shards) hashes.add(ShardManifest.sha256(shard));
        return new EncodedShards(new ShardManifest(parameters, data.length, hashes), shards);
    }

    /**
     * Only the coding step of {@link #encode}: the m parity shards of k equal-sized data shards,
     * without hashes. For callers that cut the data themselves, and to measure the arithmetic
     * apart from SHA-256.
     *
     * @throws IllegalArgumentException unless there are k data shards of one size, at least 1
     */
    public byte[][] encodeParity(byte[][] dataShards) {
        int k = parameters.dataShards();
        if (dataShards == null || dataShards.length != k) {
            throw new IllegalArgumentException("a " + parameters + " code takes " + k + " data shards");
        }
        for (byte[] shard : dataShards) {
            if (shard == null || shard.length == 0 || shard.length != dataShards[0].length) {
                throw new IllegalArgumentException("data shards must be non-empty and of one size");
            }
        }
        int shardSize = dataShards[0].length;
        byte[][] parity = new byte[parityRows.length][];
        for (int r = 0; r < parityRows.length; r++) {
            parity[r] = new byte[shardSize];
            parityRows[r].apply(dataShards, parity[r], shardSize);
        }
        return parity;
    }

    /**
     * Rebuilds the data from the given shards (index to bytes; absent or null means missing).
     * Each shard is checked against its hash in the manifest; those that do not match are
     * ignored and listed in the result.
     *
     * @throws NotEnoughShardsException if fewer than k shards match their hashes
     * @throws IllegalArgumentException if the manifest is for other parameters or an index is
     *     outside 0..n-1
     */
    public RebuiltData decode(ShardManifest manifest, Map<Integer, byte[]> shards) throws NotEnoughShardsException {
        ValidShards valid = validate(manifest, shards);
        int k = parameters.dataShards();
        int shardSize = manifest.shardSize();
        byte[][] dataShards = new byte[k][];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            dataShards[i] = valid.shards[i];
            if (dataShards[i] == null) missing.add(i);
        }
        if (!missing.isEmpty()) {
            int[] chosen = valid.firstK(k);
            GaloisMatrix decoding = codingMatrix.selectRows(chosen).inverse();
            byte[][] sources = valid.select(chosen);
            for (int index : missing) {
                dataShards[index] = new byte[shardSize];
                new LinearCombination(decoding.row(index)).apply(sources, dataShards[index], shardSize);
            }
        }
        byte[] data = new byte[manifest.dataLength()];
        for (int i = 0; i < k; i++) {
            int from = i * shardSize;
            int length = Math.min(shardSize, data.length - from);
            if (length <= 0) break;
            System.arraycopy(dataShards[i], 0, data, from, length);
        }
        return new RebuiltData(data, valid.rejected);
    }

    /**
     * Regenerates shard {@code index} from any k other shards that match their hashes, and checks
     * the result against the manifest.
     *
     * @return the shard's bytes (a copy of the given shard if it is present and valid)
     * @throws NotEnoughShardsException if fewer than k shards match their hashes
     * @throws InconsistentShardsException if the rebuilt shard does not match its hash
     * @throws IllegalArgumentException if the manifest is for other parameters or an index is
     *     outside 0..n-1
     */
    public byte[] repair(ShardManifest manifest, int index, Map<Integer, byte[]> shards) throws ShardDecodingException {
        ValidShards valid = validate(manifest, shards);
        manifest.checkIndex(index);
        if (valid.shards[index] != null) return valid.shards[index].clone();
        int k = parameters.dataShards();
        int[] chosen = valid.firstK(k);
        GaloisMatrix decoding = codingMatrix.selectRows(chosen).inverse();
        GaloisMatrix target = GaloisMatrix.of(new int[][] {codingMatrix.row(index)}).times(decoding);
        byte[] rebuilt = new byte[manifest.shardSize()];
        new LinearCombination(target.row(0)).apply(valid.select(chosen), rebuilt, rebuilt.length);
        if (!manifest.matches(index, rebuilt)) throw new InconsistentShardsException(index);
        return rebuilt;
    }

    private ValidShards validate(ShardManifest manifest, Map<Integer, byte[]> shards) throws NotEnoughShardsException {
        if (manifest == null) throw new IllegalArgumentException("manifest is required");
        if (!manifest.parameters().equals(parameters)) {
            throw new IllegalArgumentException("manifest is for a " + manifest.parameters() + " code, this codec is " + parameters);
        }
        if (shards == null) throw new IllegalArgumentException("shards are required (an empty map if none)");
        byte[][] valid = new byte[parameters.totalShards()][];
        Set<Integer> rejected = new TreeSet<>();
        int count = 0;
        for (Map.Entry<Integer, byte[]> entry : shards.entrySet()) {
            if (entry.getKey() == null) throw new IllegalArgumentException("shard index is required");
            int index = manifest.checkIndex(entry.getKey());
            byte[] shard = entry.getValue();
            if (shard == null) continue;
            if (manifest.matches(index, shard)) {
                valid[index] = shard;
                count++;
            } else {
                rejected.add(index);
            }
        }
        if (count < parameters.dataShards()) throw new NotEnoughShardsException(count, parameters.dataShards(), rejected);
        return new ValidShards(valid, rejected);
    }

    /** Shards that matched their hashes (null where missing or rejected), and the rejected indices. */
    private record ValidShards(byte[][] shards, Set<Integer> rejected) {
        /** The k lowest valid indices: data shards first, as they need no arithmetic. */
        int[] firstK(int k) {
            int[] chosen = new int[k];
            int found = 0;
            for (int i = 0; i < shards.length && found < k; i++) {
                if (shards[i] != null) chosen[found++] = i;
            }
            return chosen;
        }

        byte[][] select(int[] indices) {
            byte[][] selected = new byte[indices.length][];
            for (int i = 0; i < indices.length; i++) selected[i] = shards[indices[i]];
            return selected;
        }
    }
}
