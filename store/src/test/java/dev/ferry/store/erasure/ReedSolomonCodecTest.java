package dev.ferry.store.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.SeededProperty;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReedSolomonCodecTest {
    private static final int[][] CODES = {{4, 2}, {1, 0}, {1, 2}, {3, 3}, {10, 4}};

    @Test
    void everyKSubsetOfShardsRebuildsTheDataForRandomSizes() {
        for (int[] code : CODES) {
            ErasureParameters parameters = new ErasureParameters(code[0], code[1]);
            ReedSolomonCodec codec = new ReedSolomonCodec(parameters);
            SeededProperty.forAll("any k rebuild " + parameters, 12, random -> {
                byte[] data = SeededProperty.bytes(random, randomLength(random));
                EncodedShards encoded = codec.encode(data);
                CodingMatricesTest.forEachSubset(parameters.totalShards(), parameters.dataShards(), subset -> {
                    Map<Integer, byte[]> present = new HashMap<>();
                    for (int index : subset) present.put(index, encoded.shard(index));
                    assertThat(decode(codec, encoded.manifest(), present).data())
                            .as("%s, %d bytes, shards %s", parameters, data.length, java.util.Arrays.toString(subset))
                            .isEqualTo(data);
                });
            });
        }
    }

    @Test
    void emptyAndOneByteDataRoundTripInOneByteShards() throws Exception {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        for (byte[] data : List.of(new byte[0], new byte[] {42})) {
            EncodedShards encoded = codec.encode(data);
            assertThat(encoded.shardSize()).isEqualTo(1);
            assertThat(encoded.totalShards()).isEqualTo(6);
            assertThat(encoded.dataLength()).isEqualTo(data.length);
            Map<Integer, byte[]> parityAndTwoData = encoded.shardsByIndex();
            parityAndTwoData.remove(0);
            parityAndTwoData.remove(3);
            assertThat(codec.decode(encoded.manifest(), parityAndTwoData).data()).isEqualTo(data);
        }
    }

    @Test
    void dataShardsAreTheDataCutInKPiecesZeroPadded() {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        byte[] data = {1, 2, 3, 4, 5};
        EncodedShards encoded = codec.encode(data);
        assertThat(encoded.shardSize()).isEqualTo(2);
        assertThat(encoded.shard(0)).containsExactly(1, 2);
        assertThat(encoded.shard(1)).containsExactly(3, 4);
        assertThat(encoded.shard(2)).containsExactly(5, 0);
        assertThat(encoded.shard(3)).containsExactly(0, 0);
        assertThat(encoded.shard(4)).containsExactly(1 ^ 3 ^ 5, 2 ^ 4);
    }

    @Test
    void encodeParityGivesTheParityShardsOfEncode() {
        ReedSolomonCodec codec = new ReedSolomonCodec(new ErasureParameters(3, 3));
        EncodedShards encoded = codec.encode(SeededProperty.bytes(new Random(3), 3 * 1001));
        byte[][] parity = codec.encodeParity(new byte[][] {encoded.shard(0), encoded.shard(1), encoded.shard(2)});
        assertThat(parity).hasDimensions(3, 1001);
        for (int r = 0; r < 3; r++) assertThat(parity[r]).isEqualTo(encoded.shard(3 + r));
        assertThatThrownBy(() -> codec.encodeParity(new byte[][] {new byte[2], new byte[2]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a 3+3 code takes 3 data shards");
        assertThatThrownBy(() -> codec.encodeParity(new byte[][] {new byte[2], new byte[2], new byte[3]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("data shards must be non-empty and of one size");
    }

    @Test
    void shardHashesAreTheSha256OfEachShard() {
        EncodedShards encoded = ReedSolomonCodec.withDefaultParameters().encode(new byte[1000]);
        for (int i = 0; i < encoded.totalShards(); i++) {
            assertThat(encoded.shardHash(i)).isEqualTo(ShardManifest.sha256(encoded.shard(i)));
        }
        assertThat(encoded.manifest().shardHashes()).hasSize(6);
    }

    @Test
    void shardSizeIsCeilingOfLengthOverKAndAtLeastOne() {
        ErasureParameters parameters = new ErasureParameters(4, 2);
        assertThat(parameters.shardSize(0)).isEqualTo(1);
        assertThat(parameters.shardSize(1)).isEqualTo(1);
        assertThat(parameters.shardSize(4)).isEqualTo(1);
        assertThat(parameters.shardSize(5)).isEqualTo(2);
        assertThat(parameters.shardSize(1 << 20)).isEqualTo(1 << 18);
    }

    @Test
    void corruptedShardsAreRejectedAndReportedWhileKValidRemain() {
        for (int[] code : CODES) {
            ErasureParameters parameters = new ErasureParameters(code[0], code[1]);
            ReedSolomonCodec codec = new ReedSolomonCodec(parameters);
            SeededProperty.forAll("corruption " + parameters, 20, random -> {
                byte[] data = SeededProperty.bytes(random, randomLength(random));
                EncodedShards encoded = codec.encode(data);
                Map<Integer, byte[]> shards = encoded.shardsByIndex();
                int bad = random.nextInt(parameters.parityShards() + 1);
                java.util.Set<Integer> corrupted = new java.util.TreeSet<>();
                while (corrupted.size() < bad) corrupted.add(random.nextInt(parameters.totalShards()));
                for (int index : corrupted) {
                    byte[] shard = shards.get(index);
                    if (random.nextBoolean()) {
                        shard[random.nextInt(shard.length)] ^= (byte) (1 + random.nextInt(255));
                    } else {
                        shards.put(index, java.util.Arrays.copyOf(shard, shard.length + 1));
                    }
                }
                RebuiltData rebuilt = decode(codec, encoded.manifest(), shards);
                assertThat(rebuilt.data()).isEqualTo(data);
                assertThat(rebuilt.rejectedShards()).isEqualTo(corrupted);
            });
        }
    }

    @Test
    void fewerThanKValidShardsAreRefusedNamingHowManyWereValid() {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        EncodedShards encoded = codec.encode("hello, mailbox".getBytes());
        Map<Integer, byte[]> shards = encoded.shardsByIndex();
        shards.remove(0);
        shards.remove(1);
        shards.get(5)[0] ^= 1;
        assertThatThrownBy(() -> codec.decode(encoded.manifest(), shards))
                .isInstanceOfSatisfying(NotEnoughShardsException.class, e -> {
                    assertThat(e.validShards()).isEqualTo(3);
                    assertThat(e.requiredShards()).isEqualTo(4);
                    assertThat(e.rejectedShards()).containsExactly(5);
                })
                .hasMessage("need 4 valid shards, have 3 (rejected as not matching their hash: [5])");
        assertThatThrownBy(() -> codec.decode(encoded.manifest(), Map.of()))
                .isInstanceOf(NotEnoughShardsException.class)
                .hasMessage("need 4 valid shards, have 0");
    }

    @Test
    void nullShardMeansMissing() throws Exception {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        byte[] data = "offline recipient".getBytes();
        EncodedShards encoded = codec.encode(data);
        Map<Integer, byte[]> shards = encoded.shardsByIndex();
        shards.put(2, null);
        RebuiltData rebuilt = codec.decode(encoded.manifest(), shards);
        assertThat(rebuilt.data()).isEqualTo(data);
        assertThat(rebuilt.rejectedShards()).isEmpty();
    }

    @Test
    void repairRegeneratesAnyShardEqualToTheOriginalFromAnyKOthers() {
        for (int[] code : CODES) {
            ErasureParameters parameters = new ErasureParameters(code[0], code[1]);
            ReedSolomonCodec codec = new ReedSolomonCodec(parameters);
            SeededProperty.forAll("repair " + parameters, 6, random -> {
                EncodedShards encoded = codec.encode(SeededProperty.bytes(random, randomLength(random)));
                int n = parameters.totalShards();
                CodingMatricesTest.forEachSubset(n, parameters.dataShards(), subset -> {
                    Map<Integer, byte[]> present = new HashMap<>();
                    for (int index : subset) present.put(index, encoded.shard(index));
                    for (int lost = 0; lost < n; lost++) {
                        if (present.containsKey(lost)) continue;
                        try {
                            assertThat(codec.repair(encoded.manifest(), lost, present)).as("shard %d", lost).isEqualTo(encoded.shard(lost));
                        } catch (ShardDecodingException e) {
                            throw new AssertionError(e);
                        }
                    }
                });
            });
        }
    }

    @Test
    void repairOfAPresentValidShardReturnsACopy() throws Exception {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        EncodedShards encoded = codec.encode(new byte[] {1, 2, 3});
        assertThat(codec.repair(encoded.manifest(), 4, encoded.shardsByIndex())).isEqualTo(encoded.shard(4));
    }

    @Test
    void repairWithFewerThanKValidShardsIsRefused() {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        EncodedShards encoded = codec.encode(new byte[100]);
        Map<Integer, byte[]> three = Map.of(0, encoded.shard(0), 1, encoded.shard(1), 4, encoded.shard(4));
        assertThatThrownBy(() -> codec.repair(encoded.manifest(), 5, three))
                .isInstanceOf(NotEnoughShardsException.class)
                .hasMessage("need 4 valid shards, have 3");
    }

    @Test
    void repairRefusesAShardThatDoesNotMatchItsHashWhenTheManifestIsInconsistent() {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        EncodedShards encoded = codec.encode(new byte[64]);
        byte[] forgedShard = encoded.shard(0);
        forgedShard[0] = 9;
        List<byte[]> hashes = encoded.shardHashes();
        hashes.set(0, ShardManifest.sha256(forgedShard));
        ShardManifest inconsistent = new ShardManifest(encoded.parameters(), encoded.dataLength(), hashes);
        Map<Integer, byte[]> shards = Map.of(0, forgedShard, 1, encoded.shard(1), 2, encoded.shard(2), 3, encoded.shard(3));
        assertThatThrownBy(() -> codec.repair(inconsistent, 4, shards))
                .isInstanceOfSatisfying(InconsistentShardsException.class, e -> assertThat(e.shardIndex()).isEqualTo(4))
                .hasMessageContaining("rebuilt shard 4 does not match its hash");
    }

    @Test
    void badParametersAreRefusedWithClearMessages() {
        assertThatThrownBy(() -> new ErasureParameters(0, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("need at least 1 data shard, got 0");
        assertThatThrownBy(() -> new ErasureParameters(4, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parity shards cannot be negative, got -1");
        assertThatThrownBy(() -> new ErasureParameters(200, 56)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("at most 255 shards in all, got 200 + 56");
        assertThat(new ErasureParameters(200, 55).totalShards()).isEqualTo(255);
        assertThatThrownBy(() -> new ReedSolomonCodec(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataAboveTheLimitIsRefused() {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        assertThatThrownBy(() -> codec.encode(new byte[ErasureParameters.MAX_DATA_LENGTH + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data of 67108865 bytes is above the 67108864-byte limit");
        assertThatThrownBy(() -> codec.encode(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manifestForOtherParametersOrOutOfRangeIndexIsRefused() {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        EncodedShards other = new ReedSolomonCodec(new ErasureParameters(3, 3)).encode(new byte[10]);
        assertThatThrownBy(() -> codec.decode(other.manifest(), other.shardsByIndex()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("manifest is for a 3+3 code, this codec is 4+2");
        EncodedShards encoded = codec.encode(new byte[10]);
        assertThatThrownBy(() -> codec.decode(encoded.manifest(), Map.of(6, new byte[3])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shard index 6 is outside 0..5");
        assertThatThrownBy(() -> codec.repair(encoded.manifest(), -1, encoded.shardsByIndex()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manifestRefusesWrongHashCountOrLength() {
        assertThatThrownBy(() -> new ShardManifest(ErasureParameters.DEFAULT, 10, List.of(new byte[32])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("4+2 code needs 6 shard hashes, got 1");
        assertThatThrownBy(() -> new ShardManifest(new ErasureParameters(1, 0), 10, List.of(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shard hash 0 must be 32 bytes");
        assertThatThrownBy(() -> new ShardManifest(new ErasureParameters(1, 0), -1, List.of(new byte[32])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manifestsWithTheSameContentAreEqual() {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        ShardManifest a = codec.encode(new byte[] {1, 2, 3}).manifest();
        ShardManifest b = codec.encode(new byte[] {1, 2, 3}).manifest();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(codec.encode(new byte[] {1, 2, 4}).manifest());
        assertThat(a.toString()).isEqualTo("ShardManifest[4+2, 3 bytes in shards of 1]");
    }

    @Test
    void largePayloadWithTwoDataShardsMissingRebuilds() throws Exception {
        ReedSolomonCodec codec = ReedSolomonCodec.withDefaultParameters();
        byte[] data = SeededProperty.bytes(new Random(7), (1 << 20) + 13);
        EncodedShards encoded = codec.encode(data);
        Map<Integer, byte[]> shards = encoded.shardsByIndex();
        shards.remove(1);
        shards.remove(2);
        assertThat(codec.decode(encoded.manifest(), shards).data()).isEqualTo(data);
    }

    /** Mostly small lengths, including 0, 1 and lengths not divisible by k, sometimes several KiB. */
    private static int randomLength(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(3);
            case 1 -> random.nextInt(64);
            case 2 -> random.nextInt(1000);
            default -> random.nextInt(20_000);
        };
    }

    private static RebuiltData decode(ReedSolomonCodec codec, ShardManifest manifest, Map<Integer, byte[]> shards) {
        try {
            return codec.decode(manifest, shards);
        } catch (NotEnoughShardsException e) {
            throw new AssertionError(e);
        }
    }
}
