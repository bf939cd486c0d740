package dev.ferry.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.store.FerryStore;
import dev.ferry.store.InboxMessage;
import dev.ferry.store.Shard;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.StoreUsage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that writes batches into a RocksDB store with SIGKILL, reopens the store, and
 * checks that every acknowledged batch is there whole, that no batch is there in part, and that
 * the byte accounting matches the shards.
 */
class RocksCrashTest {
    /** Enough acknowledged batches that the kill lands among steady writes, few enough to stay fast. */
    private static final int ACKNOWLEDGED_BEFORE_KILL = 400;

    /** How far past the last batch found the test checks that nothing of a later batch is there. */
    private static final int CHECKED_BEYOND = 200;

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldKeepEveryAcknowledgedBatchWholeAcrossAKill() throws IOException, InterruptedException {
        Path data = directory.resolve("db");
        Path errors = directory.resolve("child-stderr.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashWriter.class.getName(), data.toString())
                .redirectError(errors.toFile())
                .start();
        long lastAcknowledged = -1;
        try (BufferedReader acks = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (lastAcknowledged < ACKNOWLEDGED_BEFORE_KILL && (line = acks.readLine()) != null) {
                lastAcknowledged = Long.parseLong(line.strip());
            }
            assertThat(lastAcknowledged).as("child stopped early: %s", Files.readString(errors))
                    .isGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

        try (FerryStore store = RocksFerryStore.open(data, StoreLimits.DEFAULTS)) {
            long present = 0;
            while (store.shards().has(CrashWriter.envelope(present))) {
                assertBatchWhole(store, present);
                present++;
            }
            System.out.println("acknowledged up to " + lastAcknowledged + ", found batches 0.." + (present - 1));
            assertThat(present - 1).as("every acknowledged batch is there").isGreaterThanOrEqualTo(lastAcknowledged);
            for (long later = present; later < present + CHECKED_BEYOND; later++) {
                assertThat(store.shards().has(CrashWriter.envelope(later))).as("shard of batch %d", later).isFalse();
                assertThat(store.inbox().get(CrashWriter.CONVERSATION, later + 1)).as("message of batch %d", later)
                        .isEmpty();
            }
            assertThat(store.inbox().lastSequence(CrashWriter.CONVERSATION)).isEqualTo(present);
            for (int peer = 0; peer < CrashWriter.PEERS; peer++) {
                long lastOfPeer = present - 1 - Math.floorMod(present - 1 - peer, CrashWriter.PEERS);
                assertThat(store.sessions().get(CrashWriter.peer(peer))).as("session of peer %d", peer)
                        .hasValueSatisfying(v -> assertThat(v).isEqualTo(CrashWriter.numberBytes(lastOfPeer)));
            }
            assertAccountingMatchesShards(store, present);
        }
    }

    private static void assertBatchWhole(FerryStore store, long n) {
        assertThat(store.shards().get(CrashWriter.envelope(n), 0)).as("shard of batch %d", n)
                .contains(CrashWriter.shard(n));
        assertThat(store.inbox().get(CrashWriter.CONVERSATION, n + 1)).as("message of batch %d", n)
                .map(InboxMessage::body)
                .hasValueSatisfying(body -> assertThat(body).isEqualTo(CrashWriter.numberBytes(n)));
    }

    private static void assertAccountingMatchesShards(FerryStore store, long batches) {
        List<Shard> all = new ArrayList<>();
        for (int m = 0; m < CrashWriter.MAILBOXES; m++) {
            List<Shard> inMailbox = new ArrayList<>();
            Optional<dev.ferry.store.ShardPage.Cursor> cursor = Optional.empty();
            do {
                var page = store.shards().list(CrashWriter.mailbox(m), cursor, 500);
                inMailbox.addAll(page.shards());
                cursor = page.next();
            } while (cursor.isPresent());
            assertThat(store.shards().usage(CrashWriter.mailbox(m))).isEqualTo(usageOf(inMailbox));
            all.addAll(inMailbox);
        }
        for (int p = 0; p < CrashWriter.PEERS; p++) {
            var peer = CrashWriter.peer(p);
            assertThat(store.shards().usage(peer))
                    .isEqualTo(usageOf(all.stream().filter(s -> s.sender().equals(peer)).toList()));
        }
        assertThat(all).hasSize((int) batches);
        assertThat(store.shards().usage()).isEqualTo(usageOf(all));
    }

    private static StoreUsage usageOf(List<Shard> shards) {
        return new StoreUsage(shards.stream().mapToLong(Shard::chargedBytes).sum(), shards.size());
    }
}
