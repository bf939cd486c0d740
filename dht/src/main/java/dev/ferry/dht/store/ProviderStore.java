package dev.ferry.dht.store;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The provider records this node stores for ADD_PROVIDER and answers GET_PROVIDERS from: per
 * key (a multihash), the peers that say they provide it, with their addresses, each expiring a
 * fixed time after it last announced itself.
 *
 * <p>Past its limits the store refreshes providers it already holds but refuses new ones with a
 * reason rather than evict stored ones, so a peer announcing many fake providers cannot push
 * out the real ones.
 *
 * <p>Pure and <b>single-threaded by contract</b>: no I/O, no clock ({@code now} is passed in),
 * no locks. The DHT service owns it on its one thread; calling it from two threads is a bug.
 */
public final class ProviderStore {
    /**
     * How long a provider record lives after its provider last announced it: 48 hours,
     * go-libp2p-kad-dht's {@code amino.DefaultProvideValidity}. Providers republish every 22
     * hours, so one missed republish does not lose a record. (The kad-dht spec text says 24
     * hours, which leaves a 22-hour republish almost no margin.)
     */
    public static final Duration DEFAULT_PROVIDER_VALIDITY = Duration.ofHours(48);

    /**
     * Most providers stored per key: 256, {@link DhtProtocol#MAX_PROVIDER_PEERS}, as many as a
     * peer reads from one GET_PROVIDERS answer. More could not be handed out in one answer, and a
     * key that popular is found through the other k - 1 closest peers as well.
     */
    public static final int DEFAULT_MAX_PROVIDERS_PER_KEY = DhtProtocol.MAX_PROVIDER_PEERS;

    /**
     * Most keys with providers: 65 536. A node holds the providers of keys closest to its own,
     * about k/N of all; Ferry announces few keys per node (its mailboxes, not every block as
     * IPFS does), so this serves a network with millions of announced keys.
     */
    public static final int DEFAULT_MAX_KEYS = 65_536;

    /**
     * Most providers over all keys: 131 072, two per key on average. With {@link
     * #MAX_ADDRESS_BYTES_PER_PROVIDER} and a key of at most 80 bytes an entry is under a
     * kilobyte, so a full store stays near 100 MiB at worst and far less as addresses run.
     */
    public static final int DEFAULT_MAX_PROVIDERS = 131_072;

    /**
     * Most address bytes kept per provider, in the order the provider gave them; the rest are
     * dropped. A public node's addresses are 10 to 40 bytes each, some ten in all, so 512 keeps
     * them while a provider padding its addresses up to {@link DhtProtocol#MAX_ADDRESSES_PER_PEER}
     * of the largest multiaddr cannot make each record 32 KiB.
     */
    public static final int MAX_ADDRESS_BYTES_PER_PROVIDER = 512;

    /**
     * Expired providers an {@link #add} removes before refusing for a limit: the periodic {@link
     * #sweep} may not have reached them yet, and a small batch keeps an add cheap.
     */
    static final int ADD_RECLAIM_BATCH = 16;

    /**
     * The limits and validity of a provider store. Immutable.
     *
     * @param maxKeys most keys with providers, at least 1
     * @param maxProvidersPerKey most providers per key, at least 1
     * @param maxProviders most providers over all keys, at least 1
     * @param validity how long a provider record lives after it was announced, positive
     */
    public record Config(int maxKeys, int maxProvidersPerKey, int maxProviders, Duration validity) {
        public Config {
            if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be at least 1: " + maxKeys);
            if (maxProvidersPerKey < 1) {
                throw new IllegalArgumentException("maxProvidersPerKey must be at least 1: " + maxProvidersPerKey);
            }
            if (maxProviders < 1) throw new IllegalArgumentException("maxProviders must be at least 1: " + maxProviders);
            Objects.requireNonNull(validity, "validity");
            if (validity.isNegative() || validity.isZero()) {
                throw new IllegalArgumentException("validity must be positive: " + validity);
            }
        }

        /** The documented defaults. */
        public static Config defaults() {
            return new Config(DEFAULT_MAX_KEYS, DEFAULT_MAX_PROVIDERS_PER_KEY, DEFAULT_MAX_PROVIDERS,
                    DEFAULT_PROVIDER_VALIDITY);
        }
    }

    /** One provider of one key; the serial breaks ties between equal expiries. */
    private record Provider(ByteKey key, DhtPeer peer, Instant expires, long serial) {
        boolean isExpiredAt(Instant now) {
            return !now.isBefore(expires);
        }
    }

    private static final Comparator<Provider> BY_EXPIRY =
            Comparator.comparing(Provider::expires).thenComparingLong(Provider::serial);

    private final Config config;
    /** Per key, its providers in the order they were last added: the most recent last. */
    private final Map<ByteKey, LinkedHashMap<PeerId, Provider>> byKey = new HashMap<>();
    private final TreeSet<Provider> byExpiry = new TreeSet<>(BY_EXPIRY);
    private long nextSerial;

    /** A store with the default limits. */
    public ProviderStore() {
        this(Config.defaults());
    }

    public ProviderStore(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Records {@code provider} as a provider of {@code key} until the validity runs out, keeping
     * the first {@link #MAX_ADDRESS_BYTES_PER_PROVIDER} bytes' worth of its addresses. A provider
     * already stored is refreshed: its addresses replaced, its expiry renewed, and it becomes the
     * most recent, even when the key or the store is full. Checking that the provider is the peer
     * that sent the ADD_PROVIDER is the caller's work. Never throws for bad input.
     */
    public AddProviderResult add(byte[] key, DhtPeer provider, Instant now) {
        if (key.length == 0) return new AddProviderResult.Refused(AddProviderResult.Reason.EMPTY_KEY, "empty key");
        if (key.length > DhtProtocol.MAX_PROVIDER_KEY_LENGTH) {
            return new AddProviderResult.Refused(AddProviderResult.Reason.KEY_TOO_LONG, "key of " + key.length
                    + " bytes, longer than " + DhtProtocol.MAX_PROVIDER_KEY_LENGTH);
        }
        ByteKey k = ByteKey.copyOf(key);
        PeerId id = provider.id();
        LinkedHashMap<PeerId, Provider> providers = byKey.get(k);
        Provider existing = providers == null ? null : providers.get(id);
        if (existing != null && existing.isExpiredAt(now)) {
            remove(existing); // dead already: adding it again is a new announcement
            existing = null;
        }
        if (existing == null) {
            AddProviderResult.Refused refused = checkLimits(k, now);
            if (refused != null) return refused;
        } else {
            remove(existing);
        }
        Provider entry = new Provider(k, DhtPeer.of(id, addressesToKeep(provider.addresses())),
                now.plus(config.validity()), nextSerial++);
        byKey.computeIfAbsent(k, unused -> new LinkedHashMap<>()).put(id, entry);
        byExpiry.add(entry);
        return existing == null ? new AddProviderResult.Added() : new AddProviderResult.Refreshed();
    }

    /**
     * Up to {@code max} live providers of {@code key}, the most recently added first; expired
     * ones are never returned, swept or not. Connection types are {@code NOT_CONNECTED}: what
     * the node knows of its connections is for the caller to add.
     */
    public List<DhtPeer> get(byte[] key, Instant now, int max) {
        if (max < 0) throw new IllegalArgumentException("max must not be negative: " + max);
        LinkedHashMap<PeerId, Provider> providers = byKey.get(ByteKey.copyOf(key));
        if (providers == null || max == 0) return List.of();
        List<DhtPeer> live = new ArrayList<>(Math.min(max, providers.size()));
        for (Provider provider : providers.sequencedValues().reversed()) {
            if (live.size() == max) break;
            if (!provider.isExpiredAt(now)) live.add(provider.peer());
        }
        return List.copyOf(live);
    }

    /**
     * Deletes up to {@code maxBatch} expired providers, those that expired first, and returns how
     * many it deleted; a key left without providers goes too. A result of {@code maxBatch} means
     * more may remain.
     *
     * @throws IllegalArgumentException if {@code maxBatch} is not positive
     */
    public int sweep(Instant now, int maxBatch) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
        int deleted = 0;
        while (deleted < maxBatch && !byExpiry.isEmpty() && byExpiry.first().isExpiredAt(now)) {
            remove(byExpiry.first());
            deleted++;
        }
        return deleted;
    }

    /** Keys with providers, counting expired providers not yet swept. */
    public int keyCount() {
        return byKey.size();
    }

    /** Providers over all keys, counting expired ones not yet swept. */
    public int providerCount() {
        return byExpiry.size();
    }

    /** The limits and validity this store was made with. */
    public Config config() {
        return config;
    }

    private void remove(Provider provider) {
        byExpiry.remove(provider);
        LinkedHashMap<PeerId, Provider> providers = byKey.get(provider.key());
        providers.remove(provider.peer().id());
        if (providers.isEmpty()) byKey.remove(provider.key());
    }

    /** Null if a new provider of {@code key} fits; reclaims a few expired providers before refusing. */
    private AddProviderResult.Refused checkLimits(ByteKey key, Instant now) {
        AddProviderResult.Refused refused = overLimit(key);
        if (refused == null) return null;
        sweep(now, ADD_RECLAIM_BATCH);
        return overLimit(key);
    }

    private AddProviderResult.Refused overLimit(ByteKey key) {
        LinkedHashMap<PeerId, Provider> providers = byKey.get(key);
        if (providers == null && byKey.size() >= config.maxKeys()) {
            return new AddProviderResult.Refused(AddProviderResult.Reason.TOO_MANY_KEYS,
                    "store holds providers for its maximum of " + config.maxKeys() + " keys");
        }
        if (providers != null && providers.size() >= config.maxProvidersPerKey()) {
            return new AddProviderResult.Refused(AddProviderResult.Reason.TOO_MANY_PROVIDERS_FOR_KEY,
                    "key has its maximum of " + config.maxProvidersPerKey() + " providers");
        }
        if (byExpiry.size() >= config.maxProviders()) {
            return new AddProviderResult.Refused(AddProviderResult.Reason.TOO_MANY_PROVIDERS,
                    "store holds its maximum of " + config.maxProviders() + " providers");
        }
        return null;
    }

    /** The leading addresses that fit in {@link #MAX_ADDRESS_BYTES_PER_PROVIDER} bytes. */
    private static List<Multiaddr> addressesToKeep(List<Multiaddr> addresses) {
        List<Multiaddr> kept = new ArrayList<>();
        int bytes = 0;
        for (Multiaddr address : addresses) {
            bytes += address.toBytes().length;
            if (bytes > MAX_ADDRESS_BYTES_PER_PROVIDER) break;
            kept.add(address);
        }
        return kept;
    }
}
