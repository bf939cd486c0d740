package dev.ferry.dht.record;

import java.util.List;

/**
 * The rules of one record namespace (the spec's {@code Validator}): which values are valid for
 * a key, and which of several valid values is best. Both are pure functions of their arguments,
 * so every node decides the same, and GET_VALUE lookups converge on one value.
 */
public interface RecordValidator {
    /** The namespace, without slashes: {@code "pk"} for keys starting {@code /pk/}. */
    String namespace();

    /**
     * Whether {@code value} may be stored and returned under {@code key}. Called on a PUT_VALUE
     * before storing, and on every record a GET_VALUE returns. {@code key} starts with this
     * validator's namespace.
     */
    Validation validate(byte[] key, byte[] value);

    /**
     * The index of the best of {@code values}, all stored under {@code key} and each valid.
     * Stable: the same values give the same choice whatever their order, up to equal values.
     *
     * @throws IllegalArgumentException if {@code values} is empty
     */
    int select(byte[] key, List<byte[]> values);
}
