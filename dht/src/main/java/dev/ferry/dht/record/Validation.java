package dev.ferry.dht.record;

import java.util.Objects;

/** Whether a record is valid for its key; if not, why. */
public sealed interface Validation {
    /** Why a record is not valid; one metric label each. */
    enum Reason {
        /** The key is in no namespace this node validates. */
        UNKNOWN_NAMESPACE,
        /** The key is longer than the protocol allows. */
        KEY_TOO_LONG,
        /** The key does not have the form its namespace requires. */
        MALFORMED_KEY,
        /** The value is longer than its namespace allows. */
        VALUE_TOO_LARGE,
        /** The value does not have the form its namespace requires. */
        MALFORMED_VALUE,
        /** The value holds a public key of a type Ferry does not accept (only Ed25519). */
        UNSUPPORTED_KEY_TYPE,
        /** The value's public key is not the key of the peer the record key names. */
        WRONG_PUBLIC_KEY,
        /** The signature does not verify. */
        BAD_SIGNATURE
    }

    /** True if the record is valid. */
    boolean isValid();

    /** The record is valid. */
    static Validation valid() {
        return Valid.INSTANCE;
    }

    /** The record is invalid, for {@code reason}; {@code detail} is one line without the record's bytes. */
    static Validation invalid(Reason reason, String detail) {
        return new Invalid(reason, detail);
    }

    /** A valid record. */
    final class Valid implements Validation {
        private static final Valid INSTANCE = new Valid();

        private Valid() {}

        @Override
        public boolean isValid() {
            return true;
        }

        @Override
        public String toString() {
            return "Valid";
        }
    }

    /** An invalid record, and why. */
    record Invalid(Reason reason, String detail) implements Validation {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public boolean isValid() {
            return false;
        }
    }
}
