package dev.ferry.dht.store;

import dev.ferry.dht.record.Validation;
import java.util.Objects;
import java.util.Optional;

/** What {@link RecordStore#put} did with a record: one metric label per case and refusal reason. */
public sealed interface PutResult {
    /**
     * The record is now the stored one for its key: new, better than the one it replaced, or
     * the same value again (which renews its expiry, as a republish must).
     */
    record Stored(StoredRecord record) implements PutResult {}

    /** A valid record, but the stored one for its key is better, so the stored one stays. */
    record KeptExisting(StoredRecord existing) implements PutResult {}

    /** The record was not stored, and why; nothing stored was changed. */
    record Refused(Reason reason, Optional<Validation.Invalid> invalid, String detail) implements PutResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(invalid, "invalid");
            Objects.requireNonNull(detail, "detail");
        }

        static Refused invalid(Validation.Invalid why) {
            return new Refused(Reason.INVALID_RECORD, Optional.of(why), why.detail());
        }

        static Refused overLimit(Reason reason, String detail) {
            return new Refused(reason, Optional.empty(), detail);
        }
    }

    /** Why a record was refused. */
    enum Reason {
        /** The key's validator refused the record; {@link Refused#invalid} says why. */
        INVALID_RECORD,
        /** The store holds as many records as it may, and this key is not among them. */
        TOO_MANY_RECORDS,
        /** Storing the value would take the store past its total value bytes. */
        TOO_MANY_BYTES
    }
}
