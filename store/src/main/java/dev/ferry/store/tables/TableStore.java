package dev.ferry.store.tables;

import dev.ferry.store.AckTombstones;
import dev.ferry.store.ConversationId;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.GroupId;
import dev.ferry.store.HeldPrekeyBundles;
import dev.ferry.store.Inbox;
import dev.ferry.store.InboxMessage;
import dev.ferry.store.KeyedRecords;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.Outbox;
import dev.ferry.store.OutboxEntry;
import dev.ferry.store.OutboxState;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.RefusalReason;
import dev.ferry.store.Shard;
import dev.ferry.store.ShardPage;
import dev.ferry.store.ShardStore;
import dev.ferry.store.StoreBatch;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.StoreRefusedException;
import dev.ferry.store.StoreUsage;
import dev.ferry.store.SweepResult;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * {@link FerryStore} over {@link SortedTables}: every rule of the store (layouts, limits,
 * accounting, indexes, batches, sweep) in one place for both engines.
 *
 * <p>Writes run one at a time under a lock, each staged in a {@link Staging} and applied as one
 * {@link SortedTables#apply} call, so a limit check and the write it allows cannot interleave
 * with another write. Reads take no write lock. A read-write lock keeps {@link #close()} from
 * releasing the engine under a running call.
 */
public class TableStore implements FerryStore {
    /** More shards than this under one envelope cannot exist: shard indexes are one byte. */
    private static final int MAX_SHARDS_PER_ENVELOPE = Shard.MAX_INDEX + 1;

    private final SortedTables tables;
    private final StoreLimits limits;
    private final String description;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock writer = new ReentrantLock();
    private boolean closed;

    private final Parts direct;

    /**
     * A store over {@code tables}, enforcing {@code limits}.
     *
     * @param description what {@link #toString()} and the closed-store error name, e.g. the path
     */
    protected TableStore(SortedTables tables, StoreLimits limits, String description) {
        this.tables = Objects.requireNonNull(tables, "tables");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.description = description;
        this.direct = new Parts(new DirectAccess());
    }

    @Override
    public ShardStore shards() {
        return direct.shards;
    }

    @Override
    public AckTombstones tombstones() {
        return direct.tombstones;
    }

    @Override
    public KeyedRecords<PeerBytes> sessions() {
        return direct.sessions;
    }

    @Override
    public KeyedRecords<Integer> prekeys() {
        return direct.prekeys;
    }

    @Override
    public HeldPrekeyBundles heldPrekeyBundles() {
        return direct.heldPrekeyBundles;
    }

    @Override
    public KeyedRecords<PeerBytes> contacts() {
        return direct.contacts;
    }

    @Override
    public KeyedRecords<GroupId> groups() {
        return direct.groups;
    }

    @Override
    public Inbox inbox() {
        return direct.inbox;
    }

    @Override
    public Outbox outbox() {
        return direct.outbox;
    }

    @Override
    public KeyedRecords<EnvelopeId> sentMessages() {
        return direct.sentMessages;
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public <T> T writeReturning(Function<StoreBatch, T> work) {
        Objects.requireNonNull(work, "work");
        return mutate(staging -> {
            BatchAccess access = new BatchAccess(staging);
            try {
                return work.apply(new Batch(new Parts(access)));
            } finally {
                access.done = true;
            }
        });
    }

    @Override
    public SweepResult sweepExpired(Instant now, int maxBatch) {
        Objects.requireNonNull(now, "now");
        if (maxBatch < 1 || maxBatch > MAX_SWEEP_BATCH) {
            throw new IllegalArgumentException("maxBatch must be 1.." + MAX_SWEEP_BATCH + ", got " + maxBatch);
        }
        long nowSortable = Layout.sortableMillis(now);
        return mutate(staging -> {
            List<TableEntry> due = staging.scan(Table.EXPIRY, new byte[0], new byte[0], maxBatch + 1);
            int shards = 0;
            int tombstones = 0;
            int outbox = 0;
            int bundles = 0;
            long freed = 0;
            int handled = 0;
            boolean more = false;
            for (TableEntry entry : due) {
                ByteBuffer key = ByteBuffer.wrap(entry.key());
                long expiry = key.getLong();
                if (expiry > nowSortable) {
                    break;
                }
                if (handled == maxBatch) {
                    more = true;
                    break;
                }
                handled++;
                byte kind = key.get();
                byte[] itemKey = Layout.take(key, key.remaining());
                staging.delete(Table.EXPIRY, entry.key());
                Instant at = Layout.fromSortableMillis(expiry);
                switch (kind) {
                    case Layout.KIND_SHARD -> {
                        byte[] value = staging.get(Table.SHARDS, itemKey);
                        if (value != null) {
                            Shard shard = Layout.shard(itemKey, value);
                            if (shard.expiry().equals(at)) {
                                deleteShard(staging, shard);
                                shards++;
                                freed += shard.chargedBytes();
                            }
                        }
                    }
                    case Layout.KIND_TOMBSTONE -> {
                        byte[] value = staging.get(Table.TOMBSTONES, itemKey);
                        if (value != null && Layout.instant(value).equals(at)) {
                            staging.delete(Table.TOMBSTONES, itemKey);
                            tombstones++;
                        }
                    }
                    case Layout.KIND_OUTBOX -> {
                        byte[] value = staging.get(Table.OUTBOX, itemKey);
                        if (value != null && Layout.outboxEntry(itemKey, value).expiry().equals(at)) {
                            staging.delete(Table.OUTBOX, itemKey);
                            outbox++;
                        }
                    }
                    case Layout.KIND_HELD_PREKEY_BUNDLE -> {
                        byte[] value = staging.get(Table.HELD_PREKEY_BUNDLES, itemKey);
                        if (value != null && Layout.heldBundleExpiry(value).equals(at)) {
                            staging.delete(Table.HELD_PREKEY_BUNDLES, itemKey);
                            countHeldBundles(staging, -1);
                            bundles++;
                        }
                    }
                    default -> throw new IllegalStateException("expiry index entry of unknown kind " + kind);
                }
            }
            return new SweepResult(shards, tombstones, outbox, bundles, freed, more);
        });
    }

    /** Closes the engine once no call is running; later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (lifecycle.getReadHoldCount() > 0) {
            throw new IllegalStateException("close called from inside a call on the same store: " + description);
        }
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                tables.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + description + "]";
    }

    /** Runs {@code work} while the store is open (and keeps it open meanwhile), for an engine's own operations. */
    protected final <T> T whileOpen(java.util.function.Supplier<T> work) {
        return read(staging -> work.get());
    }

    private <T> T read(Function<Staging, T> work) {
        lifecycle.readLock().lock();
        try {
            requireOpen();
            return work.apply(new Staging(tables));
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private <T> T mutate(Function<Staging, T> work) {
        lifecycle.readLock().lock();
        try {
            requireOpen();
            if (writer.isHeldByCurrentThread()) {
                // It would commit on its own, apart from the batch the caller is in.
                throw new IllegalStateException(
                        "write on the store inside a batch of the same store: write through the batch's parts");
            }
            writer.lock();
            try {
                Staging staging = new Staging(tables);
                T result = work.apply(staging);
                if (!staging.isEmpty()) {
                    tables.apply(staging.writes());
                }
                return result;
            } finally {
                writer.unlock();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed: " + description);
        }
    }

    // ---- shards

    private boolean putShard(Staging staging, Shard shard) {
        long charged = shard.chargedBytes();
        if (charged > limits.maxShardBytes()) {
            throw new StoreRefusedException(RefusalReason.TOO_LARGE,
                    "shard of " + charged + " bytes, the limit is " + limits.maxShardBytes());
        }
        byte[] key = Layout.shardKey(shard.envelope(), shard.index());
        if (staging.get(Table.SHARDS, key) != null) {
            return false;
        }
        if (staging.get(Table.TOMBSTONES, shard.envelope().bytes()) != null) {
            throw new StoreRefusedException(RefusalReason.TOMBSTONED, shard.envelope() + " was acknowledged");
        }
        checkRoom(staging, Layout.peerCounter(shard.sender()), charged, limits.maxPeerBytes(),
                RefusalReason.PEER_QUOTA, "sender " + shard.sender());
        checkRoom(staging, Layout.mailboxCounter(shard.mailbox()), charged, limits.maxMailboxBytes(),
                RefusalReason.MAILBOX_FULL, shard.mailbox().toString());
        checkRoom(staging, Layout.totalCounter(), charged, limits.maxTotalBytes(), RefusalReason.TOTAL_FULL,
                "the node");
        staging.put(Table.SHARDS, key, Layout.shardValue(shard));
        staging.put(Table.MAILBOX_INDEX, Layout.mailboxIndexKey(shard.mailbox(), shard.envelope(), shard.index()),
                new byte[0]);
        staging.put(Table.EXPIRY, Layout.expiryKey(shard.expiry(), Layout.KIND_SHARD, key), new byte[0]);
        account(staging, shard, 1);
        return true;
    }

    private static void checkRoom(
            Staging staging, byte[] counter, long charged, long limit, RefusalReason reason, String who) {
        long used = Layout.usage(staging.get(Table.COUNTERS, counter)).bytes();
        if (used + charged > limit) {
            throw new StoreRefusedException(reason,
                    who + " holds " + used + " bytes, " + charged + " more would pass the limit of " + limit);
        }
    }

    private static void account(Staging staging, Shard shard, int sign) {
        long bytes = sign * shard.chargedBytes();
        for (byte[] counter : List.of(Layout.totalCounter(), Layout.mailboxCounter(shard.mailbox()),
                Layout.peerCounter(shard.sender()))) {
            StoreUsage old = Layout.usage(staging.get(Table.COUNTERS, counter));
            StoreUsage updated = new StoreUsage(old.bytes() + bytes, old.shards() + sign);
            if (updated.shards() == 0) {
                staging.delete(Table.COUNTERS, counter);
            } else {
                staging.put(Table.COUNTERS, counter, Layout.usageValue(updated));
            }
        }
    }

    private static void deleteShard(Staging staging, Shard shard) {
        byte[] key = Layout.shardKey(shard.envelope(), shard.index());
        staging.delete(Table.SHARDS, key);
        staging.delete(Table.MAILBOX_INDEX, Layout.mailboxIndexKey(shard.mailbox(), shard.envelope(), shard.index()));
        staging.delete(Table.EXPIRY, Layout.expiryKey(shard.expiry(), Layout.KIND_SHARD, key));
        account(staging, shard, -1);
    }

    private static List<Shard> shardsOf(Staging staging, EnvelopeId envelope) {
        byte[] prefix = envelope.bytes();
        return staging.scan(Table.SHARDS, prefix, prefix, MAX_SHARDS_PER_ENVELOPE).stream()
                .map(entry -> Layout.shard(entry.key(), entry.value()))
                .toList();
    }

    private static void countHeldBundles(Staging staging, int delta) {
        byte[] counter = Layout.heldPrekeyBundlesCounter();
        long count = Layout.longOf(staging.get(Table.COUNTERS, counter)) + delta;
        if (count == 0) {
            staging.delete(Table.COUNTERS, counter);
        } else {
            staging.put(Table.COUNTERS, counter, Layout.longValue(count));
        }
    }

    private static int checkLimit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw new IllegalArgumentException("limit must be 1.." + max + ", got " + limit);
        }
        return limit;
    }

    /** How a part reaches the tables: directly (each write its own batch) or inside a batch. */
    private interface Access {
        <T> T read(Function<Staging, T> work);

        <T> T mutate(Function<Staging, T> work);
    }

    private final class DirectAccess implements Access {
        @Override
        public <T> T read(Function<Staging, T> work) {
            return TableStore.this.read(work);
        }

        @Override
        public <T> T mutate(Function<Staging, T> work) {
            return TableStore.this.mutate(work);
        }
    }

    private static final class BatchAccess implements Access {
        private final Staging staging;
        private boolean done;

        BatchAccess(Staging staging) {
            this.staging = staging;
        }

        @Override
        public <T> T read(Function<Staging, T> work) {
            return mutate(work);
        }

        @Override
        public <T> T mutate(Function<Staging, T> work) {
            if (done) {
                throw new IllegalStateException("batch used after its write call returned");
            }
            return work.apply(staging);
        }
    }

    /** The parts of the store over one {@link Access}. */
    private final class Parts {
        final ShardStore shards;
        final AckTombstones tombstones;
        final KeyedRecords<PeerBytes> sessions;
        final KeyedRecords<Integer> prekeys;
        final HeldPrekeyBundles heldPrekeyBundles;
        final KeyedRecords<PeerBytes> contacts;
        final KeyedRecords<GroupId> groups;
        final Inbox inbox;
        final Outbox outbox;
        final KeyedRecords<EnvelopeId> sentMessages;

        Parts(Access access) {
            shards = new Shards(access);
            tombstones = new Tombstones(access);
            sessions = new Records<>(access, Table.SESSIONS, PeerBytes::bytes, PeerBytes::of);
            prekeys = new Records<>(access, Table.PREKEYS, id -> Layout.concat(ByteBuffer.allocate(4).putInt(id).array()),
                    key -> ByteBuffer.wrap(key).getInt());
            heldPrekeyBundles = new HeldBundles(access);
            contacts = new Records<>(access, Table.CONTACTS, PeerBytes::bytes, PeerBytes::of);
            groups = new Records<>(access, Table.GROUPS, GroupId::bytes, GroupId::of);
            inbox = new InboxPart(access);
            outbox = new OutboxPart(access);
            sentMessages = new Records<>(access, Table.SENT_MESSAGES, EnvelopeId::bytes, EnvelopeId::of);
        }
    }

    private record Batch(Parts parts) implements StoreBatch {
        @Override
        public ShardStore shards() {
            return parts.shards;
        }

        @Override
        public AckTombstones tombstones() {
            return parts.tombstones;
        }

        @Override
        public KeyedRecords<PeerBytes> sessions() {
            return parts.sessions;
        }

        @Override
        public KeyedRecords<Integer> prekeys() {
            return parts.prekeys;
        }

        @Override
        public HeldPrekeyBundles heldPrekeyBundles() {
            return parts.heldPrekeyBundles;
        }

        @Override
        public KeyedRecords<PeerBytes> contacts() {
            return parts.contacts;
        }

        @Override
        public KeyedRecords<GroupId> groups() {
            return parts.groups;
        }

        @Override
        public Inbox inbox() {
            return parts.inbox;
        }

        @Override
        public Outbox outbox() {
            return parts.outbox;
        }

        @Override
        public KeyedRecords<EnvelopeId> sentMessages() {
            return parts.sentMessages;
        }
    }

    private final class Shards implements ShardStore {
        private final Access access;

        Shards(Access access) {
            this.access = access;
        }

        @Override
        public boolean put(Shard shard) {
            Objects.requireNonNull(shard, "shard");
            return access.mutate(staging -> putShard(staging, shard));
        }

        @Override
        public Optional<Shard> get(EnvelopeId envelope, int index) {
            if (index < 0 || index > Shard.MAX_INDEX) {
                return Optional.empty();
            }
            byte[] key = Layout.shardKey(envelope, index);
            return access.read(staging -> Optional.ofNullable(staging.get(Table.SHARDS, key))
                    .map(value -> Layout.shard(key, value)));
        }

        @Override
        public List<Shard> getAll(EnvelopeId envelope) {
            return access.read(staging -> shardsOf(staging, envelope));
        }

        @Override
        public List<Shard> getAll(EnvelopeId envelope, int shardCount) {
            if (shardCount < 1 || shardCount > MAX_SHARDS_PER_ENVELOPE) {
                throw new IllegalArgumentException("shardCount must be 1.." + MAX_SHARDS_PER_ENVELOPE + ", got " + shardCount);
            }
            return access.read(staging -> {
                List<Shard> held = new ArrayList<>(1);
                for (int index = 0; index < shardCount; index++) {
                    byte[] key = Layout.shardKey(envelope, index);
                    byte[] value = staging.get(Table.SHARDS, key);
                    if (value != null) held.add(Layout.shard(key, value));
                }
                return held;
            });
        }

        @Override
        public boolean has(EnvelopeId envelope) {
            byte[] prefix = envelope.bytes();
            return access.read(staging -> !staging.scan(Table.SHARDS, prefix, prefix, 1).isEmpty());
        }

        @Override
        public ShardPage list(MailboxKey mailbox, Optional<ShardPage.Cursor> after, int limit) {
            checkLimit(limit, MAX_LIST);
            byte[] prefix = mailbox.bytes();
            byte[] from = after.map(c -> Layout.successor(Layout.mailboxIndexKey(mailbox, c.envelope(), c.index())))
                    .orElse(prefix);
            return access.read(staging -> {
                List<TableEntry> keys = staging.scan(Table.MAILBOX_INDEX, from, prefix, limit + 1);
                List<Shard> shards = new ArrayList<>();
                for (TableEntry entry : keys.subList(0, Math.min(limit, keys.size()))) {
                    byte[] shardKey = java.util.Arrays.copyOfRange(entry.key(), MailboxKey.LENGTH, entry.key().length);
                    byte[] value = staging.get(Table.SHARDS, shardKey);
                    if (value == null) {
                        throw new IllegalStateException("mailbox index names a missing shard");
                    }
                    shards.add(Layout.shard(shardKey, value));
                }
                Optional<ShardPage.Cursor> next = keys.size() > limit
                        ? Optional.of(new ShardPage.Cursor(shards.getLast().envelope(), shards.getLast().index()))
                        : Optional.empty();
                return new ShardPage(shards, next);
            });
        }

        @Override
        public List<MailboxKey> mailboxes(Optional<MailboxKey> after, int limit) {
            checkLimit(limit, MAX_LIST);
            return access.read(staging -> {
                List<MailboxKey> found = new ArrayList<>();
                Optional<byte[]> from = after.isPresent() ? Layout.prefixSuccessor(after.get().bytes()) : Optional.of(new byte[0]);
                while (from.isPresent() && found.size() < limit) {
                    List<TableEntry> next = staging.scan(Table.MAILBOX_INDEX, from.get(), new byte[0], 1);
                    if (next.isEmpty()) break;
                    byte[] mailbox = java.util.Arrays.copyOf(next.getFirst().key(), MailboxKey.LENGTH);
                    found.add(MailboxKey.of(mailbox));
                    from = Layout.prefixSuccessor(mailbox);
                }
                return found;
            });
        }

        @Override
        public int deleteEnvelope(EnvelopeId envelope) {
            return access.mutate(staging -> {
                List<Shard> shards = shardsOf(staging, envelope);
                shards.forEach(shard -> deleteShard(staging, shard));
                return shards.size();
            });
        }

        @Override
        public int delete(List<Shard> shards) {
            return access.mutate(staging -> {
                int deleted = 0;
                for (Shard shard : shards) {
                    // What is held, not what the caller passed, says which index entries and bytes go.
                    byte[] key = Layout.shardKey(shard.envelope(), shard.index());
                    byte[] value = staging.get(Table.SHARDS, key);
                    if (value == null) continue;
                    deleteShard(staging, Layout.shard(key, value));
                    deleted++;
                }
                return deleted;
            });
        }

        @Override
        public StoreUsage usage() {
            return access.read(staging -> Layout.usage(staging.get(Table.COUNTERS, Layout.totalCounter())));
        }

        @Override
        public StoreUsage usage(MailboxKey mailbox) {
            return access.read(staging -> Layout.usage(staging.get(Table.COUNTERS, Layout.mailboxCounter(mailbox))));
        }

        @Override
        public StoreUsage usage(PeerBytes sender) {
            return access.read(staging -> Layout.usage(staging.get(Table.COUNTERS, Layout.peerCounter(sender))));
        }
    }

    private static final class Tombstones implements AckTombstones {
        private final Access access;

        Tombstones(Access access) {
            this.access = access;
        }

        @Override
        public void put(EnvelopeId envelope, Instant expiry) {
            byte[] key = envelope.bytes();
            access.mutate(staging -> {
                byte[] old = staging.get(Table.TOMBSTONES, key);
                Instant keep = expiry;
                if (old != null) {
                    Instant oldExpiry = Layout.instant(old);
                    if (!oldExpiry.isBefore(Instant.ofEpochMilli(expiry.toEpochMilli()))) {
                        return null;
                    }
                    staging.delete(Table.EXPIRY, Layout.expiryKey(oldExpiry, Layout.KIND_TOMBSTONE, key));
                }
                staging.put(Table.TOMBSTONES, key, Layout.millis(keep));
                staging.put(Table.EXPIRY, Layout.expiryKey(keep, Layout.KIND_TOMBSTONE, key), new byte[0]);
                return null;
            });
        }

        @Override
        public boolean contains(EnvelopeId envelope) {
            return expiry(envelope).isPresent();
        }

        @Override
        public Optional<Instant> expiry(EnvelopeId envelope) {
            return access.read(staging -> Optional.ofNullable(staging.get(Table.TOMBSTONES, envelope.bytes()))
                    .map(Layout::instant));
        }
    }

    private final class HeldBundles implements HeldPrekeyBundles {
        private final Access access;

        HeldBundles(Access access) {
            this.access = access;
        }

        @Override
        public void put(MailboxKey mailbox, byte[] bundle, Instant expiry) {
            Objects.requireNonNull(mailbox, "mailbox");
            Objects.requireNonNull(expiry, "expiry");
            if (bundle.length == 0 || bundle.length > MAX_BUNDLE_BYTES) {
                throw new IllegalArgumentException("a held prekey bundle must be 1.." + MAX_BUNDLE_BYTES + " bytes, got "
                        + bundle.length);
            }
            byte[] key = mailbox.bytes();
            byte[] value = Layout.heldBundleValue(expiry, bundle);
            access.mutate(staging -> {
                byte[] old = staging.get(Table.HELD_PREKEY_BUNDLES, key);
                if (old == null) {
                    long held = Layout.longOf(staging.get(Table.COUNTERS, Layout.heldPrekeyBundlesCounter()));
                    if (held >= limits.maxHeldPrekeyBundles()) {
                        throw new StoreRefusedException(RefusalReason.HELD_BUNDLES_FULL,
                                "the node holds " + held + " prekey bundles, the limit is " + limits.maxHeldPrekeyBundles());
                    }
                    countHeldBundles(staging, 1);
                } else {
                    staging.delete(Table.EXPIRY,
                            Layout.expiryKey(Layout.heldBundleExpiry(old), Layout.KIND_HELD_PREKEY_BUNDLE, key));
                }
                staging.put(Table.HELD_PREKEY_BUNDLES, key, value);
                staging.put(Table.EXPIRY, Layout.expiryKey(Layout.heldBundleExpiry(value),
                        Layout.KIND_HELD_PREKEY_BUNDLE, key), new byte[0]);
                return null;
            });
        }

        @Override
        public Optional<byte[]> get(MailboxKey mailbox) {
            byte[] key = mailbox.bytes();
            return access.read(staging -> Optional.ofNullable(staging.get(Table.HELD_PREKEY_BUNDLES, key))
                    .map(Layout::heldBundle));
        }

        @Override
        public Optional<Instant> expiry(MailboxKey mailbox) {
            byte[] key = mailbox.bytes();
            return access.read(staging -> Optional.ofNullable(staging.get(Table.HELD_PREKEY_BUNDLES, key))
                    .map(Layout::heldBundleExpiry));
        }

        @Override
        public boolean delete(MailboxKey mailbox) {
            byte[] key = mailbox.bytes();
            return access.mutate(staging -> {
                byte[] old = staging.get(Table.HELD_PREKEY_BUNDLES, key);
                if (old == null) {
                    return false;
                }
                staging.delete(Table.HELD_PREKEY_BUNDLES, key);
                staging.delete(Table.EXPIRY,
                        Layout.expiryKey(Layout.heldBundleExpiry(old), Layout.KIND_HELD_PREKEY_BUNDLE, key));
                countHeldBundles(staging, -1);
                return true;
            });
        }

        @Override
        public long count() {
            return access.read(staging ->
                    Layout.longOf(staging.get(Table.COUNTERS, Layout.heldPrekeyBundlesCounter())));
        }
    }

    private static final class Records<K> implements KeyedRecords<K> {
        private final Access access;
        private final Table table;
        private final Function<K, byte[]> encode;
        private final Function<byte[], K> decode;

        Records(Access access, Table table, Function<K, byte[]> encode, Function<byte[], K> decode) {
            this.access = access;
            this.table = table;
            this.encode = encode;
            this.decode = decode;
        }

        @Override
        public void put(K key, byte[] value) {
            byte[] encoded = encode.apply(Objects.requireNonNull(key, "key"));
            byte[] copy = value.clone();
            access.mutate(staging -> {
                staging.put(table, encoded, copy);
                return null;
            });
        }

        @Override
        public Optional<byte[]> get(K key) {
            byte[] encoded = encode.apply(key);
            return access.read(staging -> Optional.ofNullable(staging.get(table, encoded)).map(byte[]::clone));
        }

        @Override
        public boolean delete(K key) {
            byte[] encoded = encode.apply(key);
            return access.mutate(staging -> {
                boolean present = staging.get(table, encoded) != null;
                if (present) {
                    staging.delete(table, encoded);
                }
                return present;
            });
        }

        @Override
        public List<Map.Entry<K, byte[]>> list(Optional<K> after, int limit) {
            checkLimit(limit, MAX_LIST);
            byte[] from = after.map(key -> Layout.successor(encode.apply(key))).orElse(new byte[0]);
            return access.read(staging -> staging.scan(table, from, new byte[0], limit).stream()
                    .<Map.Entry<K, byte[]>>map(e -> new AbstractMap.SimpleImmutableEntry<>(decode.apply(e.key()), e.value().clone()))
                    .toList());
        }
    }

    private static final class InboxPart implements Inbox {
        private final Access access;

        InboxPart(Access access) {
            this.access = access;
        }

        @Override
        public long append(ConversationId conversation, byte[] body) {
            byte[] copy = body.clone();
            byte[] counter = Layout.inboxSequenceCounter(conversation);
            return access.mutate(staging -> {
                long sequence = Layout.longOf(staging.get(Table.COUNTERS, counter)) + 1;
                staging.put(Table.COUNTERS, counter, Layout.longValue(sequence));
                staging.put(Table.INBOX, Layout.inboxKey(conversation, sequence), copy);
                return sequence;
            });
        }

        @Override
        public List<InboxMessage> read(ConversationId conversation, long afterSequence, int limit) {
            checkLimit(limit, MAX_READ);
            if (afterSequence == Long.MAX_VALUE) {
                return List.of();
            }
            byte[] prefix = Layout.conversationPrefix(conversation);
            byte[] from = Layout.inboxKey(conversation, Math.max(0, afterSequence + 1));
            return access.read(staging -> staging.scan(Table.INBOX, from, prefix, limit).stream()
                    .map(e -> new InboxMessage(conversation, Layout.inboxSequence(e.key()), e.value()))
                    .toList());
        }

        @Override
        public Optional<InboxMessage> get(ConversationId conversation, long sequence) {
            return access.read(staging -> Optional.ofNullable(
                            staging.get(Table.INBOX, Layout.inboxKey(conversation, sequence)))
                    .map(body -> new InboxMessage(conversation, sequence, body)));
        }

        @Override
        public long lastSequence(ConversationId conversation) {
            return access.read(staging ->
                    Layout.longOf(staging.get(Table.COUNTERS, Layout.inboxSequenceCounter(conversation))));
        }

        @Override
        public boolean delete(ConversationId conversation, long sequence) {
            byte[] key = Layout.inboxKey(conversation, sequence);
            return access.mutate(staging -> {
                boolean present = staging.get(Table.INBOX, key) != null;
                if (present) {
                    staging.delete(Table.INBOX, key);
                }
                return present;
            });
        }
    }

    private static final class OutboxPart implements Outbox {
        private final Access access;

        OutboxPart(Access access) {
            this.access = access;
        }

        @Override
        public void put(OutboxEntry entry) {
            Objects.requireNonNull(entry, "entry");
            access.mutate(staging -> {
                write(staging, entry);
                return null;
            });
        }

        private static void write(Staging staging, OutboxEntry entry) {
            byte[] key = entry.envelope().bytes();
            byte[] old = staging.get(Table.OUTBOX, key);
            if (old != null) {
                staging.delete(Table.EXPIRY,
                        Layout.expiryKey(Layout.outboxEntry(key, old).expiry(), Layout.KIND_OUTBOX, key));
            }
            staging.put(Table.OUTBOX, key, Layout.outboxValue(entry));
            staging.put(Table.EXPIRY, Layout.expiryKey(entry.expiry(), Layout.KIND_OUTBOX, key), new byte[0]);
        }

        @Override
        public Optional<OutboxEntry> get(EnvelopeId envelope) {
            byte[] key = envelope.bytes();
            return access.read(staging -> Optional.ofNullable(staging.get(Table.OUTBOX, key))
                    .map(value -> Layout.outboxEntry(key, value)));
        }

        @Override
        public boolean setState(EnvelopeId envelope, OutboxState state) {
            byte[] key = envelope.bytes();
            return access.mutate(staging -> {
                byte[] old = staging.get(Table.OUTBOX, key);
                if (old == null) {
                    return false;
                }
                write(staging, Layout.outboxEntry(key, old).withState(state));
                return true;
            });
        }

        @Override
        public boolean delete(EnvelopeId envelope) {
            byte[] key = envelope.bytes();
            return access.mutate(staging -> {
                byte[] old = staging.get(Table.OUTBOX, key);
                if (old == null) {
                    return false;
                }
                staging.delete(Table.OUTBOX, key);
                staging.delete(Table.EXPIRY,
                        Layout.expiryKey(Layout.outboxEntry(key, old).expiry(), Layout.KIND_OUTBOX, key));
                return true;
            });
        }

        @Override
        public List<OutboxEntry> list(Optional<EnvelopeId> after, int limit) {
            checkLimit(limit, MAX_LIST);
            byte[] from = after.map(id -> Layout.successor(id.bytes())).orElse(new byte[0]);
            return access.read(staging -> staging.scan(Table.OUTBOX, from, new byte[0], limit).stream()
                    .map(e -> Layout.outboxEntry(e.key(), e.value()))
                    .toList());
        }
    }
}
