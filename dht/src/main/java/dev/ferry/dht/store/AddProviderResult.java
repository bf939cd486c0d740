package dev.ferry.dht.store;

import java.util.Objects;

/** What {@link ProviderStore#add} did with a provider: one metric label per case and refusal reason. */
public sealed interface AddProviderResult {
    /** The provider is now stored for the key, and was not before. */
    record Added() implements AddProviderResult {}

    /** The provider was stored for the key already; its addresses and expiry are renewed. */
    record Refreshed() implements AddProviderResult {}

    /** The provider was not stored, and why; nothing stored was changed. */
    record Refused(Reason reason, String detail) implements AddProviderResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Why a provider was refused. */
    enum Reason {
        /** The key is empty: no multihash is. */
        EMPTY_KEY,
        /** The key is longer than {@code DhtProtocol.MAX_PROVIDER_KEY_LENGTH}. */
        KEY_TOO_LONG,
        /** The key has as many providers as one key may, and this one is not among them. */
        TOO_MANY_PROVIDERS_FOR_KEY,
        /** The store holds as many keys as it may, and this key is not among them. */
        TOO_MANY_KEYS,
        /** The store holds as many providers, over all keys, as it may. */
        TOO_MANY_PROVIDERS
    }
}
