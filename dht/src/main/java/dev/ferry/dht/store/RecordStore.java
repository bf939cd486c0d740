package dev.ferry.dht.store;

import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.record.Validation;
import dev.ferry.dht.record.Validators;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The records this node stores for PUT_VALUE and answers GET_VALUE from: at most one per key,
 * the best by the key's validator, each expiring a fixed time after it was last stored.
 *
 * <p>A {@link #put} validates the record first; if the key already holds a live record, the
 * validator's {@code select} decides which stays, so an older {@code /ferry/} record never
 * replaces a newer one. Past its limits the store refuses new records with a reason rather than
 * evict stored ones, so a peer flooding PUT_VALUE cannot push out what others stored.
 *
 * <p>Pure and <b>single-threaded by contract</b>: no I/O, no clock ({@code now} is passed in),
 * no locks. The DHT service owns it on its one thread; calling it from two threads is a bug.
 */
public final class RecordStore {
    /**
     * How long a record lives after it was last stored: 36 hours, go-libp2p-kad-dht's default
     * {@code MaxRecordAge}. The kad-dht spec sets no number; keeping what go keeps means a
     * publisher that republishes often enough for go nodes keeps its record here too.
     */
    public static final Duration DEFAULT_RECORD_TTL = Duration.ofHours(36);

    /**
     * Most records stored. Ferry's records are public keys ({@code /pk/}) and prekey bundles
     * ({@code /ferry/}), a few per user, and a node holds only those whose keys are among the
     * closest to its own (about k/N of them), so even a network of a million users asks a node
     * of a thousand peers for some 20 000 times a few; 16 384 keeps the index small while
     * serving networks far larger than Ferry's first ones.
     */
    public static final int DEFAULT_MAX_RECORDS = 16_384;

    /**
     * Most value bytes stored in all: 32 MiB. A prekey bundle is about a kilobyte, so all of
     * {@link #DEFAULT_MAX_RECORDS} typical records fit; records at {@link
     * FerryRecord#MAX_ENCODED_LENGTH} fill it at some 4 000, which bounds what a peer sending
     * the largest valid records can make a node hold. Keys are bounded apart from this, by the
     * protocol's key length times the record count.
     */
    public static final long DEFAULT_MAX_VALUE_BYTES = 32L * 1024 * 1024;

    /**
     * Expired records a {@link #put} removes before refusing for a limit. The periodic {@link
     * #sweep} may not have reached records that expired since; reclaiming a few keeps dead
     * records from causing a refusal, and the small batch keeps a put cheap.
     */
    static final int PUT_RECLAIM_BATCH = 16;

    /**
     * The limits and lifetime of a record store. Immutable.
     *
     * @param maxRecords most records stored, at least 1
     * @param maxValueBytes most value bytes stored in all, at least 1
     * @param recordTtl how long a record lives after it was stored, positive
     */
    public record Config(int maxRecords, long maxValueBytes, Duration recordTtl) {
        public Config {
            if (maxRecords < 1) throw new IllegalArgumentException("maxRecords must be at least 1: " + maxRecords);
            if (maxValueBytes < 1) throw new IllegalArgumentException("maxValueBytes must be at least 1: " + maxValueBytes);
            Objects.requireNonNull(recordTtl, "recordTtl");
            if (recordTtl.isNegative() || recordTtl.isZero()) {
                throw new IllegalArgumentException("recordTtl must be positive: " + recordTtl);
            }
        }

        /** {@link #DEFAULT_MAX_RECORDS}, {@link #DEFAULT_MAX_VALUE_BYTES}, {@link #DEFAULT_RECORD_TTL}. */
        public static Config defaults() {
            return new Config(DEFAULT_MAX_RECORDS, DEFAULT_MAX_VALUE_BYTES, DEFAULT_RECORD_TTL);
        }
    }

    /** A stored record and its place in the expiry order; the serial breaks ties between equal expiries. */
    private record Entry(ByteKey key, StoredRecord record, long serial) {}

    private static final Comparator<Entry> BY_EXPIRY =
            Comparator.comparing((Entry e) -> e.record().expires()).thenComparingLong(Entry::serial);

    private final Validators validators;
    private final Config config;
    private final Map<ByteKey, Entry> byKey = new HashMap<>();
    private final TreeSet<Entry> byExpiry = new TreeSet<>(BY_EXPIRY);
    private long valueBytes;
    private long nextSerial;

    /** A store validating with {@code validators}, with the default limits. */
    public RecordStore(Validators validators) {
        this(validators, Config.defaults());
    }

    public RecordStore(Validators validators, Config config) {
        this.validators = Objects.requireNonNull(validators, "validators");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Stores {@code value} under {@code key} if it is valid, better than (or the same as) the
     * live record stored under the key, and within the limits. Storing the same value again
     * renews its expiry. Never throws for bad input: every refusal is a {@link PutResult.Refused}.
     */
    public PutResult put(byte[] key, byte[] value, Instant now) {
        Validation validation = validators.validate(key, value);
        if (validation instanceof Validation.Invalid invalid) return PutResult.Refused.invalid(invalid);

        ByteKey k = ByteKey.copyOf(key);
        Entry existing = byKey.get(k);
        if (existing != null && existing.record().isExpiredAt(now)) {
            remove(k); // dead already: it neither competes with the new record nor counts against the limits
            existing = null;
        }
        if (existing != null) {
            byte[] stored = existing.record().value();
            boolean same = Arrays.equals(stored, value);
            if (!same && validators.select(key, List.of(stored, value)) == 0) {
                return new PutResult.KeptExisting(existing.record());
            }
        }
        long freed = existing == null ? 0 : existing.record().valueLength();
        Optional<PutResult.Refused> overLimit = checkLimits(existing == null, value.length - freed, now);
        if (overLimit.isPresent()) return overLimit.get();

        remove(k);
        StoredRecord record = new StoredRecord(key, value, now, now.plus(config.recordTtl()));
        Entry entry = new Entry(k, record, nextSerial++);
        byKey.put(k, entry);
        byExpiry.add(entry);
        valueBytes += value.length;
        return new PutResult.Stored(record);
    }

    /** The live record under {@code key}; an expired one is never returned, swept or not. */
    public Optional<StoredRecord> get(byte[] key, Instant now) {
        return Optional.ofNullable(liveEntry(ByteKey.copyOf(key), now)).map(Entry::record);
    }

    /**
     * Deletes up to {@code maxBatch} expired records, those that expired first, and returns how
     * many it deleted. Call it periodically; a result of {@code maxBatch} means more may remain.
     *
     * @throws IllegalArgumentException if {@code maxBatch} is not positive
     */
    public int sweep(Instant now, int maxBatch) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
        int deleted = 0;
        Iterator<Entry> oldestFirst = byExpiry.iterator();
        while (deleted < maxBatch && oldestFirst.hasNext()) {
            Entry entry = oldestFirst.next();
            if (!entry.record().isExpiredAt(now)) break;
            oldestFirst.remove();
            byKey.remove(entry.key());
            valueBytes -= entry.record().valueLength();
            deleted++;
        }
        return deleted;
    }

    /** Records held, including expired ones not yet swept. */
    public int size() {
        return byKey.size();
    }

    /** Value bytes held, including those of expired records not yet swept. */
    public long valueBytes() {
        return valueBytes;
    }

    /** The limits and lifetime this store was made with. */
    public Config config() {
        return config;
    }

    private Entry liveEntry(ByteKey key, Instant now) {
        Entry entry = byKey.get(key);
        return entry == null || entry.record().isExpiredAt(now) ? null : entry;
    }

    private void remove(ByteKey key) {
        Entry old = byKey.remove(key);
        if (old != null) {
            byExpiry.remove(old);
            valueBytes -= old.record().valueLength();
        }
    }

    /**
     * Whether adding a record (a new key if {@code newKey}) growing the value bytes by {@code
     * growth} stays within the limits; reclaims a few expired records before refusing.
     */
    private Optional<PutResult.Refused> checkLimits(boolean newKey, long growth, Instant now) {
        if (growth > config.maxValueBytes()) {
            return Optional.of(PutResult.Refused.overLimit(PutResult.Reason.TOO_MANY_BYTES,
                    "value larger than the store's " + config.maxValueBytes() + " bytes"));
        }
        if (!fits(newKey, growth)) sweep(now, PUT_RECLAIM_BATCH);
        if (newKey && byKey.size() >= config.maxRecords()) {
            return Optional.of(PutResult.Refused.overLimit(PutResult.Reason.TOO_MANY_RECORDS,
                    "store holds its maximum of " + config.maxRecords() + " records"));
        }
        if (valueBytes + growth > config.maxValueBytes()) {
            return Optional.of(PutResult.Refused.overLimit(PutResult.Reason.TOO_MANY_BYTES,
                    "store holds " + valueBytes + " of its " + config.maxValueBytes() + " value bytes"));
        }
        return Optional.empty();
    }

    private boolean fits(boolean newKey, long growth) {
        return (!newKey || byKey.size() < config.maxRecords()) && valueBytes + growth <= config.maxValueBytes();
    }
}
