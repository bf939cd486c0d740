package dev.ferry.messenger.repair;

import static dev.ferry.messenger.repair.UpkeepTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.mailbox.MailboxConfig;
import dev.ferry.messenger.repair.UpkeepTestNetwork.Envelope;
import dev.ferry.messenger.repair.UpkeepTestNetwork.Holder;
import dev.ferry.store.Shard;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import dev.ferry.store.erasure.ShardManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MailboxUpkeepTest {
    private final UpkeepTestNetwork network = new UpkeepTestNetwork();
    private final PeerId owner = IdentityKeyPair.generate(UpkeepTestNetwork.RANDOM).peerId();
    private final Envelope envelope = Envelope.to(owner);

    @AfterEach
    void closeNetwork() {
        network.close();
    }

    /** Holders sorted by distance to the envelope's mailbox, shard i on the i-th for each index given. */
    private List<Holder> placed(List<Holder> holders, int... indices) {
        List<Holder> sorted = UpkeepTestNetwork.byDistanceTo(envelope.mailbox(), holders);
        for (int index : indices) sorted.get(index).keep(envelope, index);
        return sorted;
    }

    @Test
    void theLeaderRebuildsTwoLostShardsOntoNewPeersAndTheEnvelopeSurvivesTwoMoreLosses() {
        List<Holder> all = network.holders(10);
        List<Holder> sorted = placed(all, 0, 1, 2, 3, 4, 5);
        MailboxUpkeep leader = network.upkeep(sorted.get(0), UpkeepTestNetwork.everyone(all), UpkeepConfig.DEFAULTS);

        sorted.get(2).stop();
        sorted.get(4).stop();
        UpkeepSummary first = join(leader.runNow());

        assertThat(first.repaired()).isEqualTo(2);
        assertThat(sorted.get(6).indicesOf(envelope)).hasSize(1);
        assertThat(sorted.get(7).indicesOf(envelope)).hasSize(1);
        Set<Integer> rebuilt = new HashSet<>(sorted.get(6).indicesOf(envelope));
        rebuilt.addAll(sorted.get(7).indicesOf(envelope));
        assertThat(rebuilt).containsExactlyInAnyOrder(2, 4);
        assertThat(leader.metrics().repairedCount()).isEqualTo(2);

        sorted.get(1).stop();
        sorted.get(3).stop();
        List<Holder> live = List.of(sorted.get(0), sorted.get(5), sorted.get(6), sorted.get(7));
        assertThat(decodeFrom(live)).isEqualTo(envelope.ciphertext());

        // And the leader restores the full set again, from the four that are left.
        UpkeepSummary second = join(leader.runNow());
        assertThat(second.repaired()).isEqualTo(2);
        Set<Integer> again = new HashSet<>(sorted.get(8).indicesOf(envelope));
        again.addAll(sorted.get(9).indicesOf(envelope));
        assertThat(again).containsExactlyInAnyOrder(1, 3);
        assertThat(leader.metrics().repairsFailedCount()).isZero();
    }

    @Test
    void aHolderNoLongerAmongTheClosestHandsItsShardToAFreeCloserPeerAndThenHoldsNone() {
        List<Holder> all = network.holders(8);
        List<Holder> sorted = placed(all, 0, 1, 2, 3, 4);
        Holder leaving = sorted.get(6); // held shard 5 before sorted[5] joined, closer to the mailbox
        leaving.keep(envelope, 5);
        MailboxUpkeep upkeep = network.upkeep(leaving, UpkeepTestNetwork.everyone(all), UpkeepConfig.DEFAULTS);

        UpkeepSummary summary = join(upkeep.runNow());

        assertThat(summary.handedOver()).isEqualTo(1);
        assertThat(sorted.get(5).indicesOf(envelope)).containsExactly(5);
        assertThat(leaving.indicesOf(envelope)).isEmpty();
        assertThat(upkeep.metrics().handedOverCount()).isEqualTo(1);
    }

    @Test
    void anEnvelopeFoundCompleteIsCheckedAgainAtOnceWhenItsClosestPeersChange() {
        // During a partition the holder sees only the others: it holds shard 5 among the six closest it knows.
        List<Holder> all = network.holders(8);
        List<Holder> sorted = placed(all, 0, 1, 2, 3, 4);
        Holder holder = sorted.get(6);
        holder.keep(envelope, 5);
        Holder unseen = sorted.get(5);
        List<PeerId> visible = all.stream().filter(h -> h != unseen).map(Holder::peerId).toList();
        AtomicReference<List<PeerId>> view = new AtomicReference<>(visible);
        MailboxUpkeep upkeep = network.upkeep(holder, mailbox -> CompletableFuture.completedFuture(view.get()), UpkeepConfig.DEFAULTS);

        UpkeepSummary during = join(upkeep.runNow());
        assertThat(during.handedOver()).isZero();
        UpkeepSummary again = join(upkeep.runNow());
        assertThat(again.skippedRecent()).as("complete, and nothing changed: not asked about within the hour").isEqualTo(1);

        // The partition heals: a closer peer is seen, so the hour-long memory no longer holds.
        view.set(all.stream().map(Holder::peerId).toList());
        UpkeepSummary healed = join(upkeep.runNow());

        assertThat(healed.skippedRecent()).isZero();
        assertThat(healed.handedOver()).isEqualTo(1);
        assertThat(unseen.indicesOf(envelope)).containsExactly(5);
        assertThat(holder.indicesOf(envelope)).isEmpty();
    }

    @Test
    void aHolderKeepsItsShardWhenTheCloserPeerRefusesTheHandover() {
        // Every holder here keeps shards for an hour at most; the envelope lives a day, so HANDOVER is refused.
        List<Holder> all = network.holders(8, MailboxConfig.DEFAULTS.withMaxTtl(Duration.ofHours(1)));
        List<Holder> sorted = placed(all, 0, 1, 2, 3, 4);
        Holder leaving = sorted.get(6);
        leaving.keep(envelope, 5);
        MailboxUpkeep upkeep = network.upkeep(leaving, UpkeepTestNetwork.everyone(all), UpkeepConfig.DEFAULTS);

        UpkeepSummary summary = join(upkeep.runNow());

        assertThat(summary.handedOver()).isZero();
        assertThat(sorted.get(5).indicesOf(envelope)).isEmpty();
        assertThat(leaving.indicesOf(envelope)).containsExactly(5);
    }

    @Test
    void anAckThatReachedOnlySomeHoldersMakesTheOthersDropTheirShardsAndKeepATombstone() {
        List<Holder> all = network.holders(6);
        List<Holder> sorted = placed(all, 0, 1, 2, 3, 4, 5);
        Holder recipientSide = sorted.get(5); // any host can carry the ACK; this one is not acked itself
        for (Holder acked : sorted.subList(0, 2)) {
            assertThat(join(recipientSide.client().ack(acked.peerId(), envelope.id(), envelope.secret())).isOk()).isTrue();
        }

        for (Holder other : sorted.subList(2, 6)) {
            MailboxUpkeep upkeep = network.upkeep(other, UpkeepTestNetwork.everyone(all), UpkeepConfig.DEFAULTS);
            assertThat(other.server().metrics().storedBytes()).isPositive();
            assertThat(join(upkeep.runNow()).acknowledged()).isEqualTo(1);
            // the holder's gauge says so too: an operator sees the store shrink (it once kept the old figure)
            assertThat(other.server().metrics().storedBytes()).isZero();
            assertThat(other.store().shards().has(envelope.id())).isFalse();
            assertThat(other.store().tombstones().expiry(envelope.id())).contains(envelope.header().expires());
            assertThat(upkeep.metrics().acknowledgedCount()).isEqualTo(1);
        }
    }

    @Test
    void fewerThanKShardsLeftIsCountedUnrecoverableAndNothingIsStored() {
        List<Holder> all = network.holders(9);
        List<Holder> sorted = placed(all, 0, 1, 2, 3, 4, 5);
        sorted.get(1).stop();
        sorted.get(2).stop();
        sorted.get(3).stop();
        MailboxUpkeep leader = network.upkeep(sorted.get(0), UpkeepTestNetwork.everyone(all), UpkeepConfig.DEFAULTS);

        UpkeepSummary summary = join(leader.runNow());

        assertThat(summary.unrecoverable()).isEqualTo(1);
        assertThat(summary.repaired()).isZero();
        assertThat(leader.metrics().unrecoverableCount()).isEqualTo(1);
        for (Holder spare : sorted.subList(6, 9)) assertThat(spare.store().shards().has(envelope.id())).isFalse();
        assertThat(sorted.get(0).indicesOf(envelope)).containsExactly(0);
    }

    @Test
    void roundsStayWithinTheirLimitsAndTheNextRoundResumesWhereTheLastStopped() {
        List<Holder> all = network.holders(6);
        Holder holder = all.getFirst();
        int envelopes = 0;
        for (int mailbox = 0; mailbox < 3; mailbox++) {
            PeerId recipient = IdentityKeyPair.generate(UpkeepTestNetwork.RANDOM).peerId();
            for (int i = 0; i < 2; i++) {
                holder.keep(Envelope.to(recipient), 0);
                envelopes++;
            }
        }
        // Five others to ask per envelope: twelve requests allow two envelopes a round.
        UpkeepConfig tight = UpkeepConfig.DEFAULTS.withRoundLimits(2, 3, 12);
        MailboxUpkeep upkeep = network.upkeep(holder, UpkeepTestNetwork.everyone(all), tight);

        int checked = 0;
        for (int round = 0; round < 3; round++) {
            UpkeepSummary summary = join(upkeep.runNow());
            assertThat(summary.requests()).isLessThanOrEqualTo(12);
            assertThat(summary.mailboxes()).isLessThanOrEqualTo(2);
            assertThat(summary.envelopes()).isEqualTo(2);
            checked += summary.envelopes();
        }
        assertThat(checked).isEqualTo(envelopes);
        // Each was found unrecoverable (one shard of six) and is not asked about again for a while.
        assertThat(upkeep.metrics().unrecoverableCount()).isEqualTo(envelopes);
        UpkeepSummary fourth = join(upkeep.runNow());
        assertThat(fourth.envelopes()).isZero();
        assertThat(fourth.requests()).isZero();
        assertThat(fourth.skippedRecent()).isPositive();
    }

    @Test
    void aTickThatFindsARoundRunningStartsNoOtherAndRunNowJoinsTheRunningRound() {
        List<Holder> all = network.holders(6);
        List<Holder> sorted = placed(all, 0, 1, 2, 3, 4, 5);
        CompletableFuture<List<PeerId>> lookup = new CompletableFuture<>();
        AtomicInteger lookups = new AtomicInteger();
        ClosestPeers slow = mailbox -> {
            lookups.incrementAndGet();
            return lookup;
        };
        MailboxUpkeep upkeep = network.upkeep(sorted.get(0), slow, UpkeepConfig.DEFAULTS.withInterval(Duration.ofMillis(20)));

        CompletableFuture<UpkeepSummary> first = upkeep.runNow();
        upkeep.start();
        await().atMost(UpkeepTestNetwork.WAIT).until(() -> upkeep.metrics().roundsSkippedCount() >= 3);
        CompletableFuture<UpkeepSummary> second = upkeep.runNow();

        assertThat(lookups).hasValue(1);
        assertThat(first).isNotDone();
        lookup.complete(all.stream().map(Holder::peerId).toList());
        assertThat(join(first).envelopes()).isEqualTo(1);
        assertThat(join(second)).isSameAs(join(first));
        upkeep.close();
    }

    /** The envelope's ciphertext, decoded from the shards the given holders keep. */
    private byte[] decodeFrom(List<Holder> holders) {
        Map<Integer, byte[]> shards = new HashMap<>();
        for (Holder holder : holders) {
            for (Shard shard : holder.store().shards().getAll(envelope.id())) shards.put(shard.index(), shard.data());
        }
        ErasureParameters code = ErasureParameters.DEFAULT;
        ShardManifest manifest = new ShardManifest(code, (int) envelope.header().ciphertextLength(), envelope.header().shardHashes());
        try {
            return new ReedSolomonCodec(code).decode(manifest, shards).data();
        } catch (Exception e) {
            throw new AssertionError("could not decode from " + new ArrayList<>(shards.keySet()), e);
        }
    }
}
