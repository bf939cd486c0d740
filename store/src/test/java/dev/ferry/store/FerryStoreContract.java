package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.SeededProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link FerryStore} implementation passes: one suite, run against the
 * in-memory and the RocksDB store alike (go-libp2p's muxer test suite style).
 */
public abstract class FerryStoreContract {
    protected static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    protected static final MailboxKey MAILBOX_A = MailboxKey.of(filled(32, 0xA1));
    protected static final MailboxKey MAILBOX_B = MailboxKey.of(filled(32, 0xB2));
    protected static final PeerBytes ALICE = PeerBytes.of(filled(38, 0x0A));
    protected static final PeerBytes BOB = PeerBytes.of(filled(38, 0x0B));
    protected static final StoreLimits ROOMY = new StoreLimits(1 << 24, 1 << 22, 1 << 21, 1 << 16);

    private final List<FerryStore> opened = new ArrayList<>();

    /** A new, empty store enforcing {@code limits}. */
    protected abstract FerryStore newStore(StoreLimits limits);

    protected final FerryStore open(StoreLimits limits) {
        FerryStore store = newStore(limits);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(FerryStore::close);
    }

    protected static byte[] filled(int length, int value) {
        byte[] out = new byte[length];
        java.util.Arrays.fill(out, (byte) value);
        return out;
    }

    protected static EnvelopeId envelope(int n) {
        byte[] id = new byte[32];
        id[0] = (byte) (n >>> 24);
        id[1] = (byte) (n >>> 16);
        id[2] = (byte) (n >>> 8);
        id[3] = (byte) n;
        id[31] = 0x5A;
        return EnvelopeId.of(id);
    }

    protected static Shard shard(int envelope, int index, MailboxKey mailbox, PeerBytes sender, Instant expiry,
            int dataBytes) {
        return new Shard(envelope(envelope), index, mailbox, sender, expiry, filled(20, envelope),
                filled(dataBytes, index));
    }

    protected static Shard shard(int envelope, int index) {
        return shard(envelope, index, MAILBOX_A, ALICE, T0.plusSeconds(3600), 100);
    }

    // ---- shards

    @Test
    void shouldReturnAStoredShardWithEveryField() {
        FerryStore store = open(ROOMY);
        Shard shard = shard(1, 3);

        assertThat(store.shards().put(shard)).isTrue();

        assertThat(store.shards().get(envelope(1), 3)).contains(shard);
        assertThat(store.shards().get(envelope(1), 2)).isEmpty();
        assertThat(store.shards().has(envelope(1))).isTrue();
        assertThat(store.shards().has(envelope(2))).isFalse();
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(120, 1));
        assertThat(store.shards().usage(MAILBOX_A)).isEqualTo(new StoreUsage(120, 1));
        assertThat(store.shards().usage(ALICE)).isEqualTo(new StoreUsage(120, 1));
        assertThat(store.shards().usage(BOB)).isEqualTo(StoreUsage.NONE);
    }

    @Test
    void shouldKeepTheFirstCopyWhenTheSameShardIsPushedAgain() {
        FerryStore store = open(ROOMY);
        store.shards().put(shard(1, 0));

        Shard other = shard(1, 0, MAILBOX_B, BOB, T0, 500);
        assertThat(store.shards().put(other)).isFalse();

        assertThat(store.shards().get(envelope(1), 0)).contains(shard(1, 0));
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(120, 1));
    }

    @Test
    void shouldListAMailboxPageByPageWithoutRepeatsOrOtherMailboxes() {
        FerryStore store = open(ROOMY);
        Set<Shard> expected = new HashSet<>();
        for (int e = 0; e < 9; e++) {
            for (int i = 0; i < 3; i++) {
                expected.add(shard(e, i));
                store.shards().put(shard(e, i));
                store.shards().put(shard(100 + e, i, MAILBOX_B, BOB, T0.plusSeconds(60), 10));
            }
        }

        List<Shard> listed = new ArrayList<>();
        Optional<ShardPage.Cursor> cursor = Optional.empty();
        int pages = 0;
        do {
            ShardPage page = store.shards().list(MAILBOX_A, cursor, 10);
            listed.addAll(page.shards());
            cursor = page.next();
            pages++;
        } while (cursor.isPresent());

        assertThat(pages).isEqualTo(3);
        assertThat(listed).hasSize(27).doesNotHaveDuplicates();
        assertThat(new HashSet<>(listed)).isEqualTo(expected);
        assertThat(store.shards().list(MAILBOX_A, Optional.empty(), 27).next()).isEmpty();
    }

    @Test
    void shouldListTheMailboxesItHoldsShardsForOnceEachInKeyOrder() {
        FerryStore store = open(ROOMY);
        assertThat(store.shards().mailboxes(Optional.empty(), 10)).isEmpty();
        MailboxKey last = MailboxKey.of(filled(32, 0xFF));
        for (int i = 0; i < 3; i++) {
            store.shards().put(shard(i, 0));
            store.shards().put(shard(50 + i, i, MAILBOX_B, BOB, T0.plusSeconds(60), 10));
            store.shards().put(shard(80 + i, i, last, BOB, T0.plusSeconds(60), 10));
        }
        List<MailboxKey> sorted = new ArrayList<>(List.of(MAILBOX_A, MAILBOX_B, last));
        sorted.sort(null);

        assertThat(store.shards().mailboxes(Optional.empty(), 10)).containsExactlyElementsOf(sorted);
        assertThat(store.shards().mailboxes(Optional.empty(), 2)).containsExactlyElementsOf(sorted.subList(0, 2));
        assertThat(store.shards().mailboxes(Optional.of(sorted.get(1)), 10)).containsExactly(sorted.get(2));
        assertThat(store.shards().mailboxes(Optional.of(last), 10)).isEmpty();

        store.shards().deleteEnvelope(envelope(0));
        store.shards().deleteEnvelope(envelope(1));
        store.shards().deleteEnvelope(envelope(2));
        assertThat(store.shards().mailboxes(Optional.empty(), 10)).doesNotContain(MAILBOX_A).hasSize(2);
    }

    @Test
    void shouldDeleteEveryShardOfAnEnvelopeAndReleaseItsBytes() {
        FerryStore store = open(ROOMY);
        for (int i = 0; i < 6; i++) {
            store.shards().put(shard(1, i));
        }
        store.shards().put(shard(2, 0));

        assertThat(store.shards().deleteEnvelope(envelope(1))).isEqualTo(6);

        assertThat(store.shards().has(envelope(1))).isFalse();
        assertThat(store.shards().getAll(envelope(2))).containsExactly(shard(2, 0));
        assertThat(store.shards().list(MAILBOX_A, Optional.empty(), 100).shards()).containsExactly(shard(2, 0));
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(120, 1));
        assertThat(store.shards().deleteEnvelope(envelope(1))).isZero();
    }

    @Test
    void shouldReadAnEnvelopesShardsBelowACountByKey() {
        FerryStore store = open(ROOMY);
        store.shards().put(shard(1, 1));
        store.shards().put(shard(1, 4));
        store.shards().put(shard(1, 7));
        store.shards().put(shard(2, 0));

        assertThat(store.shards().getAll(envelope(1), 6)).containsExactly(shard(1, 1), shard(1, 4));
        assertThat(store.shards().getAll(envelope(1), 8)).containsExactlyElementsOf(store.shards().getAll(envelope(1)));
        assertThat(store.shards().getAll(envelope(1), 1)).isEmpty();
        assertThat(store.shards().getAll(envelope(3), 256)).isEmpty();
        assertThatThrownBy(() -> store.shards().getAll(envelope(1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.shards().getAll(envelope(1), 257)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDeleteTheShardsNamedWithTheirIndexEntriesAndSkipThoseNotHeld() {
        FerryStore store = open(ROOMY);
        for (int i = 0; i < 3; i++) store.shards().put(shard(1, i));
        store.shards().put(shard(2, 0));
        // Named by envelope and index: the bytes and index entries that go are those of the shard held.
        Shard stale = shard(1, 0, MAILBOX_B, BOB, T0.plusSeconds(60), 10);

        assertThat(store.shards().delete(List.of(stale, shard(1, 2), shard(2, 5)))).isEqualTo(2);

        assertThat(store.shards().getAll(envelope(1))).containsExactly(shard(1, 1));
        assertThat(store.shards().list(MAILBOX_A, Optional.empty(), 100).shards()).containsExactly(shard(1, 1), shard(2, 0));
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(240, 2));
        assertThat(store.shards().usage(MAILBOX_A)).isEqualTo(new StoreUsage(240, 2));
        assertThat(store.shards().delete(List.of(shard(1, 2)))).isZero();
    }

    // ---- limits

    @Test
    void shouldRefuseAShardLargerThanTheShardLimit() {
        FerryStore store = open(new StoreLimits(10_000, 10_000, 10_000, 200));

        assertRefused(() -> store.shards().put(shard(1, 0, MAILBOX_A, ALICE, T0, 181)), RefusalReason.TOO_LARGE);
        assertThat(store.shards().put(shard(1, 0, MAILBOX_A, ALICE, T0, 180))).isTrue();
    }

    @Test
    void shouldRefuseASenderOverItsQuotaButAcceptOthers() {
        FerryStore store = open(new StoreLimits(10_000, 10_000, 360, 1000));
        for (int i = 0; i < 3; i++) {
            store.shards().put(shard(1, i));
        }

        assertRefused(() -> store.shards().put(shard(1, 3)), RefusalReason.PEER_QUOTA);
        assertThat(store.shards().put(shard(1, 3, MAILBOX_A, BOB, T0, 100))).isTrue();
    }

    @Test
    void shouldRefuseAFullMailboxButAcceptOtherMailboxes() {
        FerryStore store = open(new StoreLimits(10_000, 240, 10_000, 1000));
        store.shards().put(shard(1, 0));
        store.shards().put(shard(1, 1, MAILBOX_A, BOB, T0, 100));

        assertRefused(() -> store.shards().put(shard(1, 2)), RefusalReason.MAILBOX_FULL);
        assertThat(store.shards().put(shard(1, 2, MAILBOX_B, ALICE, T0, 100))).isTrue();
    }

    @Test
    void shouldRefuseWhenTheNodeIsFullAndAcceptAgainOnceSpaceIsReleased() {
        FerryStore store = open(new StoreLimits(360, 10_000, 10_000, 1000));
        store.shards().put(shard(1, 0));
        store.shards().put(shard(2, 0, MAILBOX_B, BOB, T0, 100));
        store.shards().put(shard(3, 0, MAILBOX_A, BOB, T0, 100));

        assertRefused(() -> store.shards().put(shard(4, 0)), RefusalReason.TOTAL_FULL);
        assertThat(store.shards().has(envelope(4))).isFalse();
        assertThat(store.shards().usage().bytes()).isEqualTo(360);

        store.shards().deleteEnvelope(envelope(2));
        assertThat(store.shards().put(shard(4, 0))).isTrue();
    }

    @Test
    void shouldRefuseToStoreAnAcknowledgedEnvelopeAgain() {
        FerryStore store = open(ROOMY);
        store.shards().put(shard(1, 0));

        store.write(batch -> {
            batch.shards().deleteEnvelope(envelope(1));
            batch.tombstones().put(envelope(1), T0.plusSeconds(3600));
        });

        assertThat(store.tombstones().contains(envelope(1))).isTrue();
        assertThat(store.tombstones().expiry(envelope(1))).contains(T0.plusSeconds(3600));
        assertThat(store.shards().has(envelope(1))).isFalse();
        assertThat(store.shards().usage()).isEqualTo(StoreUsage.NONE);
        assertRefused(() -> store.shards().put(shard(1, 1)), RefusalReason.TOMBSTONED);
    }

    @Test
    void shouldKeepTheLaterExpiryOfTwoTombstones() {
        FerryStore store = open(ROOMY);
        store.tombstones().put(envelope(1), T0.plusSeconds(100));
        store.tombstones().put(envelope(1), T0.plusSeconds(50));
        store.tombstones().put(envelope(2), T0.plusSeconds(50));
        store.tombstones().put(envelope(2), T0.plusSeconds(100));

        assertThat(store.tombstones().expiry(envelope(1))).contains(T0.plusSeconds(100));
        assertThat(store.tombstones().expiry(envelope(2))).contains(T0.plusSeconds(100));
        assertThat(store.sweepExpired(T0.plusSeconds(99), 100).total()).isZero();
        assertThat(store.sweepExpired(T0.plusSeconds(100), 100).tombstones()).isEqualTo(2);
    }

    // ---- batches

    @Test
    void shouldApplyNothingOfABatchThatThrows() {
        FerryStore store = open(ROOMY);
        ConversationId chat = ConversationId.of(ALICE.bytes());

        assertThatThrownBy(() -> store.write(batch -> {
            batch.inbox().append(chat, new byte[] {1});
            batch.sessions().put(ALICE, new byte[] {2});
            batch.shards().put(shard(1, 0));
            throw new IllegalStateException("decryption failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("decryption failed");

        assertThat(store.inbox().lastSequence(chat)).isZero();
        assertThat(store.inbox().read(chat, 0, 10)).isEmpty();
        assertThat(store.sessions().get(ALICE)).isEmpty();
        assertThat(store.shards().has(envelope(1))).isFalse();
        assertThat(store.shards().usage()).isEqualTo(StoreUsage.NONE);
    }

    @Test
    void shouldApplyNothingOfABatchWhoseSecondShardIsRefused() {
        FerryStore store = open(new StoreLimits(10_000, 200, 10_000, 1000));

        assertRefused(() -> store.write(batch -> {
            batch.shards().put(shard(1, 0));
            batch.shards().put(shard(1, 1));
        }), RefusalReason.MAILBOX_FULL);

        assertThat(store.shards().has(envelope(1))).isFalse();
        assertThat(store.shards().usage(MAILBOX_A)).isEqualTo(StoreUsage.NONE);
    }

    @Test
    void shouldLetABatchReadWhatItWrote() {
        FerryStore store = open(ROOMY);
        store.shards().put(shard(1, 0));

        int shardsSeen = store.writeReturning(batch -> {
            batch.shards().put(shard(1, 1));
            batch.shards().put(shard(1, 2));
            batch.sessions().put(BOB, new byte[] {7});
            assertThat(batch.sessions().get(BOB)).hasValueSatisfying(v -> assertThat(v).containsExactly(7));
            assertThat(batch.shards().usage(ALICE).shards()).isEqualTo(3);
            assertThat(batch.shards().deleteEnvelope(envelope(1))).isEqualTo(3);
            batch.shards().put(shard(1, 4));
            return batch.shards().list(MAILBOX_A, Optional.empty(), 10).shards().size();
        });

        assertThat(shardsSeen).isEqualTo(1);
        assertThat(store.shards().getAll(envelope(1))).containsExactly(shard(1, 4));
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(120, 1));
    }

    @Test
    void shouldRefuseABatchUsedAfterItsCall() {
        FerryStore store = open(ROOMY);
        StoreBatch[] kept = new StoreBatch[1];
        store.write(batch -> kept[0] = batch);

        assertThatThrownBy(() -> kept[0].sessions().put(ALICE, new byte[1]))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseAWriteOnTheStoreItselfInsideABatch() {
        FerryStore store = open(ROOMY);

        assertThatThrownBy(() -> store.write(batch -> {
            batch.sessions().put(ALICE, new byte[] {1});
            store.sessions().put(BOB, new byte[] {2});
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("inside a batch");

        assertThat(store.sessions().get(ALICE)).isEmpty();
        assertThat(store.sessions().get(BOB)).isEmpty();
    }

    @Test
    void shouldNeverPassALimitUnderConcurrentWriters() throws InterruptedException {
        FerryStore store = open(new StoreLimits(120 * 50, 1 << 20, 1 << 20, 1000));
        int writers = 4;
        java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 40; i++) {
                    try {
                        store.shards().put(shard(writer * 1000 + i, 0));
                        stored.incrementAndGet();
                    } catch (StoreRefusedException e) {
                        refused.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(stored.get()).isEqualTo(50);
        assertThat(refused.get()).isEqualTo(writers * 40 - 50);
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(120 * 50, 50));
        assertThat(store.shards().list(MAILBOX_A, Optional.empty(), 1000).shards()).hasSize(50);
    }

    // ---- expiry

    @Test
    void shouldSweepWhatIsDueInBoundedBatchesAndKeepTheRest() {
        FerryStore store = open(ROOMY);
        for (int e = 0; e < 10; e++) {
            store.shards().put(shard(e, 0, MAILBOX_A, ALICE, T0.plusSeconds(10 + e), 100));
        }
        store.tombstones().put(envelope(50), T0.plusSeconds(15));
        store.outbox().put(new OutboxEntry(envelope(60), OutboxState.PENDING, T0.plusSeconds(12), new byte[] {1}));
        store.shards().put(shard(99, 0, MAILBOX_A, ALICE, T0.plusSeconds(1000), 100));

        assertThat(store.sweepExpired(T0, 100)).isEqualTo(new SweepResult(0, 0, 0, 0, false));

        Instant now = T0.plusSeconds(500);
        SweepResult first = store.sweepExpired(now, 5);
        assertThat(first.total()).isEqualTo(5);
        assertThat(first.more()).isTrue();
        SweepResult second = store.sweepExpired(now, 5);
        assertThat(second.total()).isEqualTo(5);
        assertThat(second.more()).isTrue();
        SweepResult third = store.sweepExpired(now, 5);
        assertThat(third.total()).isEqualTo(2);
        assertThat(third.more()).isFalse();

        assertThat(first.shards() + second.shards() + third.shards()).isEqualTo(10);
        assertThat(first.bytesFreed() + second.bytesFreed() + third.bytesFreed()).isEqualTo(1200);
        assertThat(first.tombstones() + second.tombstones() + third.tombstones()).isEqualTo(1);
        assertThat(first.outboxEntries() + second.outboxEntries() + third.outboxEntries()).isEqualTo(1);
        assertThat(store.tombstones().contains(envelope(50))).isFalse();
        assertThat(store.outbox().get(envelope(60))).isEmpty();
        assertThat(store.shards().list(MAILBOX_A, Optional.empty(), 100).shards()).containsExactly(
                shard(99, 0, MAILBOX_A, ALICE, T0.plusSeconds(1000), 100));
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(120, 1));
        assertThat(store.sweepExpired(now, 5).total()).isZero();
    }

    @Test
    void shouldSweepAShardExactlyAtItsExpiry() {
        FerryStore store = open(ROOMY);
        store.shards().put(shard(1, 0, MAILBOX_A, ALICE, T0, 100));

        assertThat(store.sweepExpired(T0.minusMillis(1), 10).shards()).isZero();
        assertThat(store.sweepExpired(T0, 10).shards()).isEqualTo(1);
    }

    @Test
    void shouldNotSweepAnOutboxEntryWhoseExpiryWasMovedLater() {
        FerryStore store = open(ROOMY);
        store.outbox().put(new OutboxEntry(envelope(1), OutboxState.PENDING, T0, new byte[] {1}));
        store.outbox().put(new OutboxEntry(envelope(1), OutboxState.STORED, T0.plusSeconds(60), new byte[] {1}));

        assertThat(store.sweepExpired(T0.plusSeconds(30), 10).total()).isZero();
        assertThat(store.outbox().get(envelope(1))).isPresent();
    }

    // ---- sessions, prekeys, contacts, groups

    @Test
    void shouldPutGetReplaceListAndDeleteRecords() {
        FerryStore store = open(ROOMY);
        store.sessions().put(ALICE, new byte[] {1});
        store.sessions().put(ALICE, new byte[] {2});
        store.sessions().put(BOB, new byte[] {3});
        store.prekeys().put(7, new byte[] {4});
        store.prekeys().put(300, new byte[] {5});
        store.contacts().put(BOB, new byte[] {6});
        GroupId group = GroupId.of(filled(32, 0x33));
        store.groups().put(group, new byte[] {8});

        assertThat(store.sessions().get(ALICE)).hasValueSatisfying(v -> assertThat(v).containsExactly(2));
        assertThat(store.sessions().list(Optional.empty(), 10)).extracting(Map.Entry::getKey).containsExactly(ALICE, BOB);
        assertThat(store.sessions().list(Optional.of(ALICE), 10)).extracting(Map.Entry::getKey).containsExactly(BOB);
        assertThat(store.prekeys().list(Optional.empty(), 10)).extracting(Map.Entry::getKey).containsExactly(7, 300);
        assertThat(store.contacts().get(ALICE)).isEmpty();
        assertThat(store.groups().get(group)).hasValueSatisfying(v -> assertThat(v).containsExactly(8));

        assertThat(store.sessions().delete(ALICE)).isTrue();
        assertThat(store.sessions().delete(ALICE)).isFalse();
        assertThat(store.sessions().get(ALICE)).isEmpty();
        assertThat(store.contacts().get(BOB)).isPresent();
    }

    @Test
    void shouldKeepSentMessagesByEnvelopeIdUntilDeleted() {
        FerryStore store = open(ROOMY);
        store.sentMessages().put(envelope(2), new byte[] {2});
        store.write(batch -> batch.sentMessages().put(envelope(1), new byte[] {1}));
        store.sentMessages().put(envelope(2), new byte[] {3});

        assertThat(store.sentMessages().list(Optional.empty(), 10)).extracting(Map.Entry::getKey)
                .containsExactly(envelope(1), envelope(2));
        assertThat(store.sentMessages().get(envelope(2))).hasValueSatisfying(v -> assertThat(v).containsExactly(3));
        // the sweep never touches them: a delivered message stays delivered
        store.sweepExpired(T0.plus(java.time.Duration.ofDays(3650)), 10);
        assertThat(store.sentMessages().delete(envelope(1))).isTrue();
        assertThat(store.sentMessages().get(envelope(1))).isEmpty();
        assertThat(store.sentMessages().get(envelope(2))).isPresent();
    }

    // ---- prekey bundles held for others

    @Test
    void shouldHoldOneBundlePerMailboxAndReplaceIt() {
        FerryStore store = open(ROOMY);
        store.heldPrekeyBundles().put(MAILBOX_A, new byte[] {1}, T0.plusSeconds(60));
        store.heldPrekeyBundles().put(MAILBOX_A, new byte[] {2, 2}, T0.plusSeconds(120));
        store.heldPrekeyBundles().put(MAILBOX_B, new byte[] {3}, T0.plusSeconds(60));

        assertThat(store.heldPrekeyBundles().get(MAILBOX_A)).hasValueSatisfying(v -> assertThat(v).containsExactly(2, 2));
        assertThat(store.heldPrekeyBundles().expiry(MAILBOX_A)).contains(T0.plusSeconds(120));
        assertThat(store.heldPrekeyBundles().count()).isEqualTo(2);

        assertThat(store.heldPrekeyBundles().delete(MAILBOX_B)).isTrue();
        assertThat(store.heldPrekeyBundles().delete(MAILBOX_B)).isFalse();
        assertThat(store.heldPrekeyBundles().get(MAILBOX_B)).isEmpty();
        assertThat(store.heldPrekeyBundles().count()).isEqualTo(1);
    }

    @Test
    void shouldRefuseANewBundlePastTheLimitButStillReplaceAHeldOne() {
        FerryStore store = open(new StoreLimits(10_000, 10_000, 10_000, 1000, 1));
        store.heldPrekeyBundles().put(MAILBOX_A, new byte[] {1}, T0);

        assertRefused(() -> store.heldPrekeyBundles().put(MAILBOX_B, new byte[] {2}, T0), RefusalReason.HELD_BUNDLES_FULL);
        store.heldPrekeyBundles().put(MAILBOX_A, new byte[] {3}, T0);

        assertThat(store.heldPrekeyBundles().get(MAILBOX_A)).hasValueSatisfying(v -> assertThat(v).containsExactly(3));
        assertThat(store.heldPrekeyBundles().get(MAILBOX_B)).isEmpty();
        assertThat(store.heldPrekeyBundles().count()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnEmptyOrOversizedBundle() {
        FerryStore store = open(ROOMY);

        assertThatThrownBy(() -> store.heldPrekeyBundles().put(MAILBOX_A, new byte[0], T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.heldPrekeyBundles().put(MAILBOX_A,
                new byte[HeldPrekeyBundles.MAX_BUNDLE_BYTES + 1], T0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.heldPrekeyBundles().count()).isZero();
    }

    @Test
    void shouldSweepAHeldBundleAtItsLatestExpiryOnly() {
        FerryStore store = open(ROOMY);
        store.heldPrekeyBundles().put(MAILBOX_A, new byte[] {1}, T0.plusSeconds(10));
        store.heldPrekeyBundles().put(MAILBOX_A, new byte[] {2}, T0.plusSeconds(60));
        store.heldPrekeyBundles().put(MAILBOX_B, new byte[] {3}, T0.plusSeconds(20));

        SweepResult early = store.sweepExpired(T0.plusSeconds(30), 10);
        assertThat(early.prekeyBundles()).isEqualTo(1);
        assertThat(early.total()).isEqualTo(1);
        assertThat(store.heldPrekeyBundles().get(MAILBOX_A)).isPresent();
        assertThat(store.heldPrekeyBundles().get(MAILBOX_B)).isEmpty();

        assertThat(store.sweepExpired(T0.plusSeconds(60), 10).prekeyBundles()).isEqualTo(1);
        assertThat(store.heldPrekeyBundles().count()).isZero();
    }

    @Test
    void shouldApplyNothingOfABundleWriteInABatchThatThrows() {
        FerryStore store = open(ROOMY);

        assertThatThrownBy(() -> store.write(batch -> {
            batch.heldPrekeyBundles().put(MAILBOX_A, new byte[] {1}, T0);
            assertThat(batch.heldPrekeyBundles().count()).isEqualTo(1);
            throw new IllegalStateException("abandon");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(store.heldPrekeyBundles().get(MAILBOX_A)).isEmpty();
        assertThat(store.heldPrekeyBundles().count()).isZero();
    }

    // ---- inbox

    @Test
    void shouldNumberEachConversationFromOneAndReadItPageByPage() {
        FerryStore store = open(ROOMY);
        ConversationId withAlice = ConversationId.of(ALICE.bytes());
        ConversationId withBob = ConversationId.of(BOB.bytes());
        for (int i = 1; i <= 25; i++) {
            assertThat(store.inbox().append(withAlice, new byte[] {(byte) i})).isEqualTo(i);
        }
        assertThat(store.inbox().append(withBob, new byte[] {9})).isEqualTo(1);

        List<InboxMessage> read = new ArrayList<>();
        long after = 0;
        List<InboxMessage> page;
        while (!(page = store.inbox().read(withAlice, after, 10)).isEmpty()) {
            read.addAll(page);
            after = page.getLast().sequence();
        }

        assertThat(read).extracting(InboxMessage::sequence).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 25).boxed().toList());
        assertThat(read.get(4).body()).containsExactly(5);
        assertThat(store.inbox().read(withBob, 0, 10)).containsExactly(new InboxMessage(withBob, 1, new byte[] {9}));
    }

    @Test
    void shouldNeverReuseASequenceNumberAfterADelete() {
        FerryStore store = open(ROOMY);
        ConversationId chat = ConversationId.of(ALICE.bytes());
        store.inbox().append(chat, new byte[] {1});
        store.inbox().append(chat, new byte[] {2});

        assertThat(store.inbox().delete(chat, 2)).isTrue();
        assertThat(store.inbox().get(chat, 2)).isEmpty();
        assertThat(store.inbox().append(chat, new byte[] {3})).isEqualTo(3);
        assertThat(store.inbox().lastSequence(chat)).isEqualTo(3);
    }

    @Test
    void shouldKeepAMessageAndItsSessionTogether() {
        FerryStore store = open(ROOMY);
        ConversationId chat = ConversationId.of(ALICE.bytes());

        long sequence = store.writeReturning(batch -> {
            batch.sessions().put(ALICE, new byte[] {42});
            return batch.inbox().append(chat, new byte[] {1, 2, 3});
        });

        assertThat(store.inbox().get(chat, sequence)).isPresent();
        assertThat(store.sessions().get(ALICE)).isPresent();
    }

    // ---- outbox

    @Test
    void shouldTrackOutboxEntriesThroughTheirStates() {
        FerryStore store = open(ROOMY);
        OutboxEntry entry = new OutboxEntry(envelope(1), OutboxState.PENDING, T0, new byte[] {1, 2});
        store.outbox().put(entry);
        store.outbox().put(new OutboxEntry(envelope(2), OutboxState.PENDING, T0, new byte[] {3}));

        assertThat(store.outbox().setState(envelope(1), OutboxState.STORED)).isTrue();
        assertThat(store.outbox().setState(envelope(3), OutboxState.STORED)).isFalse();

        assertThat(store.outbox().get(envelope(1))).contains(entry.withState(OutboxState.STORED));
        assertThat(store.outbox().list(Optional.empty(), 10)).extracting(OutboxEntry::envelope)
                .containsExactly(envelope(1), envelope(2));
        assertThat(store.outbox().list(Optional.of(envelope(1)), 10)).extracting(OutboxEntry::envelope)
                .containsExactly(envelope(2));
        assertThat(store.outbox().delete(envelope(1))).isTrue();
        assertThat(store.outbox().delete(envelope(1))).isFalse();
        assertThat(store.sweepExpired(T0, 10).outboxEntries()).isEqualTo(1);
    }

    // ---- lifecycle and secrets

    @Test
    void shouldRefuseUseAfterCloseAndIgnoreASecondClose() {
        FerryStore store = open(ROOMY);
        store.close();
        store.close();

        assertThatThrownBy(() -> store.shards().put(shard(1, 0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.sessions().get(ALICE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.sweepExpired(T0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseToCloseFromInsideABatch() {
        FerryStore store = open(ROOMY);

        assertThatThrownBy(() -> store.write(batch -> store.close())).isInstanceOf(IllegalStateException.class);
        assertThat(store.shards().usage()).isEqualTo(StoreUsage.NONE);
    }

    @Test
    void shouldNotShowSecretValuesInToString() {
        byte[] secret = "attack at dawn".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        InboxMessage message = new InboxMessage(ConversationId.of(ALICE.bytes()), 1, secret);
        OutboxEntry entry = new OutboxEntry(envelope(1), OutboxState.PENDING, T0, secret);

        assertThat(message.toString()).doesNotContain("attack").contains("14 bytes");
        assertThat(entry.toString()).doesNotContain("attack");
    }

    // ---- a model check

    @Test
    void shouldKeepTheAccountingEqualToTheShardsHeldThroughRandomWork() {
        StoreLimits tight = new StoreLimits(4000, 1500, 1200, 400);
        SeededProperty.forAll("store accounting", 3, random -> {
            FerryStore store = open(tight);
            Map<List<Integer>, Shard> model = new HashMap<>();
            Map<Integer, Instant> tombstoned = new HashMap<>();
            MailboxKey[] mailboxes = {MAILBOX_A, MAILBOX_B};
            PeerBytes[] senders = {ALICE, BOB};
            for (int step = 0; step < 300; step++) {
                int op = random.nextInt(10);
                int envelope = random.nextInt(30);
                if (op < 6) {
                    Shard shard = shard(envelope, random.nextInt(4), mailboxes[random.nextInt(2)],
                            senders[random.nextInt(2)], T0.plusSeconds(random.nextInt(100)), random.nextInt(420));
                    try {
                        if (store.shards().put(shard)) {
                            model.put(List.of(envelope, shard.index()), shard);
                        }
                    } catch (StoreRefusedException refused) {
                        // Only a shard too large for any node is refused for another reason than its tombstone.
                        if (refused.reason() != RefusalReason.TOO_LARGE) {
                            assertThat(refused.reason() == RefusalReason.TOMBSTONED)
                                    .isEqualTo(tombstoned.containsKey(envelope));
                        }
                    }
                } else if (op < 8) {
                    Instant expiry = T0.plusSeconds(random.nextInt(100));
                    store.write(batch -> {
                        batch.shards().deleteEnvelope(envelope(envelope));
                        batch.tombstones().put(envelope(envelope), expiry);
                    });
                    model.keySet().removeIf(key -> key.getFirst() == envelope);
                    tombstoned.merge(envelope, expiry, (a, b) -> a.isAfter(b) ? a : b);
                } else {
                    Instant now = T0.plusSeconds(random.nextInt(100));
                    SweepResult swept = store.sweepExpired(now, FerryStore.MAX_SWEEP_BATCH);
                    int due = (int) model.values().stream().filter(s -> !s.expiry().isAfter(now)).count();
                    assertThat(swept.shards()).isEqualTo(due);
                    assertThat(swept.more()).isFalse();
                    model.values().removeIf(s -> !s.expiry().isAfter(now));
                    tombstoned.values().removeIf(t -> !t.isAfter(now));
                }
                assertAccountingMatches(store, model.values(), tight);
            }
        });
    }

    private static void assertAccountingMatches(FerryStore store, java.util.Collection<Shard> expected,
            StoreLimits limits) {
        List<Shard> held = new ArrayList<>();
        for (MailboxKey mailbox : List.of(MAILBOX_A, MAILBOX_B)) {
            List<Shard> inMailbox = store.shards().list(mailbox, Optional.empty(), 1000).shards();
            long bytes = inMailbox.stream().mapToLong(Shard::chargedBytes).sum();
            assertThat(store.shards().usage(mailbox)).isEqualTo(new StoreUsage(bytes, inMailbox.size()));
            assertThat(bytes).isLessThanOrEqualTo(limits.maxMailboxBytes());
            held.addAll(inMailbox);
        }
        for (PeerBytes sender : List.of(ALICE, BOB)) {
            List<Shard> fromSender = held.stream().filter(s -> s.sender().equals(sender)).toList();
            long bytes = fromSender.stream().mapToLong(Shard::chargedBytes).sum();
            assertThat(store.shards().usage(sender)).isEqualTo(new StoreUsage(bytes, fromSender.size()));
            assertThat(bytes).isLessThanOrEqualTo(limits.maxPeerBytes());
        }
        assertThat(new HashSet<>(held)).isEqualTo(new HashSet<>(expected));
        long total = held.stream().mapToLong(Shard::chargedBytes).sum();
        assertThat(store.shards().usage()).isEqualTo(new StoreUsage(total, held.size()));
    }

    protected static void assertRefused(Runnable write, RefusalReason reason) {
        assertThatThrownBy(write::run).isInstanceOfSatisfying(StoreRefusedException.class,
                refused -> assertThat(refused.reason()).isEqualTo(reason));
    }
}
