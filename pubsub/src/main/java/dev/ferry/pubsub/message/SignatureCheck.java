package dev.ferry.pubsub.message;

import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import java.util.Objects;
import java.util.Optional;

/** What {@link SignaturePolicy#check} found: the message is valid under the policy, or why not. */
public sealed interface SignatureCheck {
    /** True for {@link Valid}. */
    default boolean isValid() {
        return this instanceof Valid;
    }

    /**
     * The message passed. Under STRICT_SIGN, {@code author} is the verified {@code from} and
     * {@code key} its public key; under STRICT_NO_SIGN both are empty.
     */
    record Valid(Optional<PeerId> author, Optional<IdentityPublicKey> key) implements SignatureCheck {
        /** The result for an anonymous message under STRICT_NO_SIGN. */
        public static final Valid ANONYMOUS = new Valid(Optional.empty(), Optional.empty());

        public Valid {
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(key, "key");
        }
    }

    /** The message failed; {@code detail} is one line, without the message's contents. */
    record Invalid(SignatureFailure reason, String detail) implements SignatureCheck {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
