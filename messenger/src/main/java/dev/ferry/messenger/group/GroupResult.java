package dev.ferry.messenger.group;

import java.util.Optional;

/**
 * What a group operation gives: the value, or the refusal (and then the state passed in is still
 * the one to keep). Errors are values here: nothing a peer sends makes the group layer throw.
 *
 * @param <T> the value of a success
 */
public sealed interface GroupResult<T> permits GroupResult.Ok, GroupResult.Refused {
    /** A success. */
    record Ok<T>(T value) implements GroupResult<T> {}

    /** A refusal, with its reason. */
    record Refused<T>(GroupRefusal refusal) implements GroupResult<T> {}

    static <T> GroupResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> GroupResult<T> refused(GroupRefusal refusal) {
        return new Refused<>(refusal);
    }

    default boolean isRefused() {
        return this instanceof Refused;
    }

    /** The refusal, if this is one. */
    default Optional<GroupRefusal> whyRefused() {
        return this instanceof Refused<T> r ? Optional.of(r.refusal()) : Optional.empty();
    }

    /** The value; for callers that know the operation cannot be refused (and for tests). */
    default T orElseThrow() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case Refused<T> r -> throw new IllegalStateException("group operation refused: " + r.refusal());
        };
    }
}
