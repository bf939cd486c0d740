package dev.ferry.messenger.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardCollectorTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

    /** An envelope's ciphertext coded 4 + 2, with the header that commits to its shards. */
    private record Coded(byte[] ciphertext, EnvelopeHeader header, EncodedShards shards) {
        byte[] shard(int index) {
            return shards.shard(index);
        }
    }

    private static Coded coded(int size) {
        byte[] ciphertext = new byte[size];
        RANDOM.nextBytes(ciphertext);
        EncodedShards shards = new ReedSolomonCodec(ErasureParameters.DEFAULT).encode(ciphertext);
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) hashes.add(shards.shardHash(i));
        byte[] mailbox = new byte[32];
        byte[] ackHash = new byte[32];
        RANDOM.nextBytes(mailbox);
        RANDOM.nextBytes(ackHash);
        EnvelopeHeader header = EnvelopeHeader.coded(mailbox, NOW, NOW.plusSeconds(3600), ackHash, ciphertext, 4, 2, hashes);
        return new Coded(ciphertext, header, shards);
    }

    @Test
    void anyFourShardsRebuildTheEnvelopeOnce() {
        Coded envelope = coded(1000);
        ShardCollector collector = new ShardCollector(16, 1 << 20);
        assertThat(collector.offer(envelope.header(), 5, envelope.shard(5))).isEqualTo(new ShardCollector.Kept(1, 4));
        assertThat(collector.offer(envelope.header(), 1, envelope.shard(1))).isEqualTo(new ShardCollector.Kept(2, 4));
        assertThat(collector.offer(envelope.header(), 1, envelope.shard(1))).isInstanceOf(ShardCollector.Duplicate.class);
        assertThat(collector.offer(envelope.header(), 4, envelope.shard(4))).isEqualTo(new ShardCollector.Kept(3, 4));

        ShardCollector.Outcome last = collector.offer(envelope.header(), 2, envelope.shard(2));
        assertThat(last).isInstanceOfSatisfying(ShardCollector.Complete.class,
                complete -> assertThat(complete.ciphertext()).isEqualTo(envelope.ciphertext()));
        assertThat(collector.offer(envelope.header(), 0, envelope.shard(0))).isInstanceOf(ShardCollector.Duplicate.class);
        assertThat(collector.pendingEnvelopes()).isZero();
        assertThat(collector.pendingBytes()).isZero();
    }

    @Test
    void aTamperedShardIsNoticedAndTheOthersStillRebuild() {
        Coded envelope = coded(333);
        ShardCollector collector = new ShardCollector(16, 1 << 20);
        byte[] bad = envelope.shard(0);
        bad[0] ^= 1;
        assertThat(collector.offer(envelope.header(), 0, bad)).isEqualTo(new ShardCollector.Tampered(0));
        // A shard presented under another index does not match that index's hash either.
        assertThat(collector.offer(envelope.header(), 3, envelope.shard(2))).isEqualTo(new ShardCollector.Tampered(3));
        for (int i : new int[] {1, 2, 3}) collector.offer(envelope.header(), i, envelope.shard(i));
        assertThat(collector.offer(envelope.header(), 4, envelope.shard(4))).isInstanceOf(ShardCollector.Complete.class);
    }

    @Test
    void aShardIndexOutsideTheCodeIsMalformed() {
        Coded envelope = coded(100);
        ShardCollector collector = new ShardCollector(16, 1 << 20);
        assertThat(collector.offer(envelope.header(), 6, envelope.shard(0))).isInstanceOf(ShardCollector.Malformed.class);
        assertThat(collector.offer(envelope.header(), -1, envelope.shard(0))).isInstanceOf(ShardCollector.Malformed.class);
    }

    @Test
    void theOldestIncompleteEnvelopesGoWhenTheLimitsAreReached() {
        ShardCollector collector = new ShardCollector(3, 1 << 20);
        List<Coded> envelopes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Coded envelope = coded(400);
            envelopes.add(envelope);
            collector.offer(envelope.header(), 0, envelope.shard(0));
        }
        assertThat(collector.pendingEnvelopes()).isEqualTo(3);
        // The first envelope was dropped: its next shard starts over.
        assertThat(collector.offer(envelopes.get(0).header(), 1, envelopes.get(0).shard(1))).isEqualTo(new ShardCollector.Kept(1, 4));

        ShardCollector small = new ShardCollector(100, 250);
        Coded a = coded(400);
        Coded b = coded(400);
        small.offer(a.header(), 0, a.shard(0));
        small.offer(a.header(), 1, a.shard(1));
        small.offer(b.header(), 0, b.shard(0));
        assertThat(small.pendingBytes()).isLessThanOrEqualTo(250);
        assertThat(small.pendingEnvelopes()).isEqualTo(1);
    }
}
