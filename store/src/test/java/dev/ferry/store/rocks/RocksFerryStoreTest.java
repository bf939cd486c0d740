package dev.ferry.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.store.ConversationId;
import dev.ferry.store.Durability;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.FerryStoreContract;
import dev.ferry.store.OutboxEntry;
import dev.ferry.store.OutboxState;
import dev.ferry.store.RefusalReason;
import dev.ferry.store.StoreFailureException;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.StoreUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on RocksDB, and what only a store on disk has: restarts, native errors, checkpoints. */
class RocksFerryStoreTest extends FerryStoreContract {
    @TempDir
    Path directory;

    private int stores;

    @Override
    protected FerryStore newStore(StoreLimits limits) {
        return RocksFerryStore.open(directory.resolve("db-" + stores++), limits);
    }

    @Test
    void shouldFindEverythingAndTheCountersAfterARestart() {
        Path data = directory.resolve("restart");
        StoreLimits limits = new StoreLimits(10_000, 10_000, 10_000, 1000);
        ConversationId chat = ConversationId.of(ALICE.bytes());
        try (FerryStore store = RocksFerryStore.open(data, limits)) {
            store.shards().put(shard(1, 0));
            store.shards().put(shard(1, 1, MAILBOX_B, BOB, T0.plusSeconds(10), 200));
            store.write(batch -> {
                batch.shards().put(shard(2, 0));
                batch.shards().deleteEnvelope(envelope(2));
                batch.tombstones().put(envelope(2), T0.plusSeconds(20));
            });
            store.write(batch -> {
                batch.sessions().put(ALICE, new byte[] {1, 2});
                batch.inbox().append(chat, new byte[] {3});
            });
            store.prekeys().put(5, new byte[] {4});
            store.outbox().put(new OutboxEntry(envelope(3), OutboxState.STORED, T0.plusSeconds(30), new byte[] {5}));
        }

        try (FerryStore store = RocksFerryStore.open(data, limits, Durability.POWER_LOSS)) {
            assertThat(store.shards().get(envelope(1), 0)).contains(shard(1, 0));
            assertThat(store.shards().list(MAILBOX_B, Optional.empty(), 10).shards())
                    .containsExactly(shard(1, 1, MAILBOX_B, BOB, T0.plusSeconds(10), 200));
            assertThat(store.shards().usage()).isEqualTo(new StoreUsage(340, 2));
            assertThat(store.shards().usage(BOB)).isEqualTo(new StoreUsage(220, 1));
            assertThat(store.shards().usage(MAILBOX_A)).isEqualTo(new StoreUsage(120, 1));
            assertThat(store.tombstones().contains(envelope(2))).isTrue();
            assertRefused(() -> store.shards().put(shard(2, 0)), RefusalReason.TOMBSTONED);
            assertThat(store.sessions().get(ALICE)).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2));
            assertThat(store.prekeys().get(5)).isPresent();
            assertThat(store.inbox().append(chat, new byte[] {6})).isEqualTo(2);
            assertThat(store.outbox().get(envelope(3))).map(OutboxEntry::state).contains(OutboxState.STORED);

            assertThat(store.sweepExpired(T0.plusSeconds(30), 100).total()).isEqualTo(3);
            assertThat(store.shards().usage()).isEqualTo(new StoreUsage(120, 1));
        }
    }

    @Test
    void anEnvelopesShardsAreFoundWhetherInTableFilesOrTheMemtableAndNoOtherEnvelopesWithThem() {
        // The shard table seeks by envelope-id prefix: neighbours in key order must never leak in.
        Path data = directory.resolve("prefix");
        StoreLimits roomy = new StoreLimits(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, 1000);
        try (FerryStore store = RocksFerryStore.open(data, roomy)) {
            for (int e = 0; e < 300; e += 2) for (int i = 0; i < 3; i++) store.shards().put(shard(e, i));
        }
        try (FerryStore store = RocksFerryStore.open(data, roomy)) { // the even envelopes are in table files now
            for (int e = 1; e < 300; e += 2) for (int i = 0; i < 3; i++) store.shards().put(shard(e, i));
            for (int e = 0; e < 300; e += 3) store.shards().deleteEnvelope(envelope(e));
            for (int e = 0; e < 301; e++) {
                int expected = e == 300 || e % 3 == 0 ? 0 : 3;
                EnvelopeId id = envelope(e);
                assertThat(store.shards().getAll(id)).as("envelope %d", e).hasSize(expected)
                        .allSatisfy(shard -> assertThat(shard.envelope()).isEqualTo(id));
                assertThat(store.shards().has(id)).isEqualTo(expected > 0);
            }
        }
    }

    @Test
    void shouldLeaveNoLogToReplayAfterAClose() throws IOException {
        Path data = directory.resolve("flushed");
        try (FerryStore store = RocksFerryStore.open(data, StoreLimits.DEFAULTS)) {
            for (int i = 0; i < 500; i++) store.shards().put(shard(i, 0));
        }

        // Everything went to table files as the store closed: the next open reads those, it does not replay the writes.
        long logBytes;
        try (var files = Files.list(data)) {
            logBytes = files.filter(f -> f.getFileName().toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
        }
        assertThat(logBytes).as("bytes in write-ahead logs").isLessThan(1024);
        try (FerryStore store = RocksFerryStore.open(data, StoreLimits.DEFAULTS)) {
            assertThat(store.shards().getAll(envelope(499))).hasSize(1);
        }
    }

    @Test
    void shouldNameTheDirectoryWhenItCannotOpen() throws IOException {
        Path notADirectory = Files.writeString(directory.resolve("a-file"), "x");

        assertThatThrownBy(() -> RocksFerryStore.open(notADirectory.resolve("db"), StoreLimits.DEFAULTS))
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining(notADirectory.toString());
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameDirectory() {
        Path data = directory.resolve("locked");
        try (FerryStore first = RocksFerryStore.open(data, StoreLimits.DEFAULTS)) {
            assertThatThrownBy(() -> RocksFerryStore.open(data, StoreLimits.DEFAULTS))
                    .isInstanceOfSatisfying(StoreFailureException.class,
                            failure -> assertThat(failure.directory()).isEqualTo(data))
                    .hasMessageContaining("open");
            assertThat(first.shards().usage()).isEqualTo(StoreUsage.NONE);
        }
    }

    @Test
    void shouldOpenACheckpointWithTheSameContents() {
        Path data = directory.resolve("live");
        Path backup = directory.resolve("backup");
        try (RocksFerryStore store = RocksFerryStore.open(data, StoreLimits.DEFAULTS)) {
            store.shards().put(shard(1, 0));
            store.checkpoint(backup);
            store.shards().put(shard(2, 0));
        }

        try (FerryStore restored = RocksFerryStore.open(backup, StoreLimits.DEFAULTS)) {
            assertThat(restored.shards().getAll(envelope(1))).containsExactly(shard(1, 0));
            assertThat(restored.shards().has(envelope(2))).isFalse();
            assertThat(restored.shards().usage()).isEqualTo(new StoreUsage(120, 1));
        }
    }
}
