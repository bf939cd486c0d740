package dev.ferry.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Opaque values by key, for the node's own small state: ratchet sessions by peer, signed
 * prekeys by id, contacts by peer, groups by group id. Values are what the layer above
 * serialized (protobuf); a session or prekey value is secret, and nothing here logs it.
 *
 * @param <K> the key type
 */
public interface KeyedRecords<K> {
    /** How many records one {@link #list} call returns at most: a page, not the whole table. */
    int MAX_LIST = 1000;

    /** Stores {@code value} under {@code key}, replacing what was there. */
    void put(K key, byte[] value);

    /** The value under {@code key}, if any. */
    Optional<byte[]> get(K key);

    /**
     * Deletes the value under {@code key}.
     *
     * @return whether there was one
     */
    boolean delete(K key);

    /**
     * Up to {@code limit} (at most {@link #MAX_LIST}) records in key order, starting after
     * {@code after} (from the first when empty).
     */
    List<Map.Entry<K, byte[]>> list(Optional<K> after, int limit);
}
