package dev.ferry.dht.record;

import dev.ferry.dht.message.DhtProtocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The record validators of a node, one per namespace. A key belongs to the namespace of its
 * first path segment: {@code /pk/...} to {@code pk}. A key in no registered namespace, or in
 * none at all, is refused, as go- and js-libp2p refuse it: a node stores nothing it cannot
 * validate. Immutable.
 */
public final class Validators {
    private final List<RecordValidator> validators;
    private final List<byte[]> prefixes;

    private Validators(List<RecordValidator> validators) {
        this.validators = List.copyOf(validators);
        List<byte[]> p = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (RecordValidator validator : this.validators) {
            String namespace = validator.namespace();
            if (namespace.isEmpty() || namespace.indexOf('/') >= 0
                    || !StandardCharsets.US_ASCII.newEncoder().canEncode(namespace)) {
                throw new IllegalArgumentException("namespace must be non-empty ASCII without '/': \"" + namespace + "\"");
            }
            if (seen.contains(namespace)) throw new IllegalArgumentException("two validators for namespace " + namespace);
            seen.add(namespace);
            p.add(("/" + namespace + "/").getBytes(StandardCharsets.US_ASCII));
        }
        this.prefixes = List.copyOf(p);
    }

    /** Ferry's namespaces: {@code /pk/} and {@code /ferry/}. */
    public static Validators standard() {
        return of(new PublicKeyValidator(), new FerryRecordValidator());
    }

    /**
     * The given validators.
     *
     * @throws IllegalArgumentException if two share a namespace or a namespace is not a plain segment
     */
    public static Validators of(RecordValidator... validators) {
        return new Validators(Arrays.asList(validators));
    }

    /** The validator of {@code key}'s namespace, if there is one. */
    public Optional<RecordValidator> forKey(byte[] key) {
        for (int i = 0; i < prefixes.size(); i++) {
            byte[] prefix = prefixes.get(i);
            if (key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
                return Optional.of(validators.get(i));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code value} is valid under {@code key}, by the rules of the key's namespace. */
    public Validation validate(byte[] key, byte[] value) {
        if (key.length > DhtProtocol.MAX_KEY_LENGTH) {
            return Validation.invalid(Validation.Reason.KEY_TOO_LONG,
                    "key of " + key.length + " bytes, longer than " + DhtProtocol.MAX_KEY_LENGTH);
        }
        return forKey(key)
                .map(validator -> validator.validate(key, value))
                .orElseGet(() -> Validation.invalid(Validation.Reason.UNKNOWN_NAMESPACE,
                        "no validator for the namespace of this key"));
    }

    /**
     * The index of the best of {@code values}, by the rules of the key's namespace.
     *
     * @throws IllegalArgumentException if {@code values} is empty or the key is in no namespace
     *     (validate values before selecting among them)
     */
    public int select(byte[] key, List<byte[]> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("nothing to select from");
        RecordValidator validator = forKey(key)
                .orElseThrow(() -> new IllegalArgumentException("no validator for the namespace of this key"));
        return values.size() == 1 ? 0 : validator.select(key, values);
    }
}
