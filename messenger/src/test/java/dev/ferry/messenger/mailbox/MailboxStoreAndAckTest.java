package dev.ferry.messenger.mailbox;

import static dev.ferry.messenger.mailbox.MailboxTestNetwork.START;
import static dev.ferry.messenger.mailbox.MailboxTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** STORE, HANDOVER, ACK, HAS and the sweep, between real hosts on loopback, over an in-memory store. */
class MailboxStoreAndAckTest {
    private static final Instant EXPIRES = START.plus(Duration.ofDays(2));

    private final MailboxTestNetwork network = new MailboxTestNetwork();
    private final PeerId recipient = IdentityKeyPair.generate(MailboxTestNetwork.RANDOM).peerId();

    @AfterEach
    void close() {
        network.close();
    }

    private MailboxTestNetwork.Holder holder() {
        return network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));
    }

    private static MailboxReply store(MailboxTestNetwork.Peer sender, MailboxTestNetwork.Holder holder, TestEnvelope envelope,
            int index) {
        return join(sender.client().store(holder.peerId(), envelope.header(), index, envelope.shard(index)));
    }

    private TestEnvelope envelope() {
        return TestEnvelope.to(recipient, START, EXPIRES, 300);
    }

    @Test
    void shouldStoreAShardChargedToItsSenderAndAcceptTheSameStoreAgain() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        TestEnvelope envelope = envelope();

        assertThat(store(sender, holder, envelope, 2)).isEqualTo(MailboxReply.OK);
        assertThat(store(sender, holder, envelope, 2).status()).isEqualTo(MailboxStatus.OK);

        assertThat(join(sender.client().has(holder.peerId(), envelope.id()))).isEqualTo(new EnvelopeHoldings(false, List.of(2)));
        assertThat(holder.store().shards().get(envelope.id(), 2)).hasValueSatisfying(shard -> {
            assertThat(shard.sender()).isEqualTo(PeerBytes.of(sender.peerId().toBytes()));
            assertThat(shard.mailbox()).isEqualTo(MailboxKey.of(envelope.header().mailbox()));
            assertThat(shard.expiry()).isEqualTo(EXPIRES);
            assertThat(shard.header()).isEqualTo(envelope.header().encode());
            assertThat(shard.data()).isEqualTo(envelope.shard(2));
        });
        assertThat(holder.metrics().shardsStored()).isEqualTo(1);
        assertThat(holder.metrics().requests(RequestType.STORE, MailboxStatus.OK)).isEqualTo(2);
        assertThat(holder.metrics().storedBytes()).isEqualTo(holder.store().shards().usage().bytes()).isPositive();
    }

    @Test
    void shouldExportTheStoredBytesBesideTheStoreLimitSoThatHowFullItIsIsOneDivision() {
        StoreLimits limits = new StoreLimits(3 << 20, 1 << 20, 1 << 20, 1 << 16);
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(limits));
        MailboxTestNetwork.Peer sender = network.peer();

        assertThat(store(sender, holder, envelope(), 0)).isEqualTo(MailboxReply.OK);

        String scrape = holder.registry().scrapeText();
        assertThat(sample(scrape, "ferry_mailbox_max_stored_bytes")).isEqualTo(3 << 20);
        assertThat(sample(scrape, "ferry_mailbox_stored_bytes")).isEqualTo(holder.store().shards().usage().bytes()).isPositive();
    }

    /** The value of the unlabelled sample {@code name} in a scrape. */
    private static double sample(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + scrape));
    }

    @Test
    void shouldSendABurstOfStoresToOneHolderInBatchesAndStoreEveryShard() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        List<TestEnvelope> envelopes = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) envelopes.add(envelope());

        List<java.util.concurrent.CompletableFuture<MailboxReply>> replies = new java.util.ArrayList<>();
        for (TestEnvelope envelope : envelopes) {
            for (int index = 0; index < 2; index++) {
                replies.add(sender.client().store(holder.peerId(), envelope.header(), index, envelope.shard(index)));
            }
        }

        replies.forEach(reply -> assertThat(join(reply)).isEqualTo(MailboxReply.OK));
        for (TestEnvelope envelope : envelopes) {
            assertThat(holder.store().shards().getAll(envelope.id())).extracting(dev.ferry.store.Shard::index).containsExactly(0, 1);
        }
        assertThat(holder.metrics().shardsStored()).isEqualTo(200);
        assertThat(holder.metrics().requests(RequestType.STORE, MailboxStatus.OK)).as("each store counted as itself").isEqualTo(200);
        assertThat(holder.metrics().requests(RequestType.BATCH, MailboxStatus.OK)).as("batches").isPositive();
    }

    @Test
    void shouldKeepAGroupEnvelopeThatAMemberTriesToAcknowledgeWithTheInnerSecret() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        MailboxTestNetwork.Peer member = network.peer();
        TestEnvelope envelope = TestEnvelope.unacknowledgeable(recipient, START, EXPIRES, 300);
        assertThat(store(sender, holder, envelope, 0)).isEqualTo(MailboxReply.OK);

        assertThat(join(member.client().ack(holder.peerId(), envelope.id(), envelope.secret())).status())
                .isEqualTo(MailboxStatus.BAD_SECRET);

        assertThat(holder.store().shards().getAll(envelope.id())).hasSize(1);
        assertThat(holder.store().tombstones().contains(envelope.id())).isFalse();
    }

    @Test
    void shouldHandAHeldShardToWhoeverNamesItsEnvelopeAndIndex() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        MailboxTestNetwork.Peer otherHolder = network.peer();
        TestEnvelope envelope = envelope();
        store(sender, holder, envelope, 3);

        assertThat(join(otherHolder.client().shard(holder.peerId(), envelope.id(), 3))).hasValueSatisfying(shard -> {
            assertThat(shard.index()).isEqualTo(3);
            assertThat(shard.data()).isEqualTo(envelope.shard(3));
            assertThat(shard.header()).isEqualTo(envelope.header());
        });
        assertThat(join(otherHolder.client().shard(holder.peerId(), envelope.id(), 4))).isEmpty();
        assertThat(join(otherHolder.client().shard(holder.peerId(), TestEnvelope.to(recipient, START, EXPIRES, 10).id(), 3))).isEmpty();
    }

    @Test
    void shouldRefuseAShardThatIsNotTheOneItsHeaderNames() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        TestEnvelope envelope = envelope();
        byte[] tampered = envelope.shard(1);
        tampered[0] ^= 1;

        assertThat(join(sender.client().store(holder.peerId(), envelope.header(), 1, tampered)).status())
                .isEqualTo(MailboxStatus.SHARD_MISMATCH);
        assertThat(join(sender.client().store(holder.peerId(), envelope.header(), 6, envelope.shard(1))).status())
                .isEqualTo(MailboxStatus.BAD_INDEX);
        byte[] badHeader = envelope.header().encode();
        badHeader[badHeader.length - 1] ^= 1; // the id no longer matches the fields
        List<MailboxResponse> answers = join(sender.client().exchange(holder.peerId(),
                List.of(new MailboxRequest.Store(1, new EnvelopeShard(badHeader, 0, envelope.shard(0))))));
        assertThat(answers.getFirst().status()).isEqualTo(MailboxStatus.BAD_HEADER);

        assertThat(holder.store().shards().has(envelope.id())).isFalse();
        assertThat(holder.metrics().shardsRefused(MailboxStatus.SHARD_MISMATCH)).isEqualTo(1);
        assertThat(holder.metrics().shardsRefused(MailboxStatus.BAD_INDEX)).isEqualTo(1);
        assertThat(holder.metrics().shardsRefused(MailboxStatus.BAD_HEADER)).isEqualTo(1);
    }

    @Test
    void shouldRefuseEnvelopesThatExpiredLiveTooLongOrComeFromTheFuture() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS),
                MailboxConfig.DEFAULTS.withMaxTtl(Duration.ofDays(3)));
        MailboxTestNetwork.Peer sender = network.peer();
        TestEnvelope expired = TestEnvelope.to(recipient, START.minus(Duration.ofDays(2)), START.minusSeconds(1), 100);
        TestEnvelope tooLong = TestEnvelope.to(recipient, START, START.plus(Duration.ofDays(4)), 100);
        TestEnvelope future = TestEnvelope.to(recipient, START.plus(Duration.ofHours(1)), EXPIRES, 100);
        TestEnvelope justRight = TestEnvelope.to(recipient, START.plus(Duration.ofMinutes(5)), START.plus(Duration.ofDays(3)), 100);

        assertThat(store(sender, holder, expired, 0).status()).isEqualTo(MailboxStatus.EXPIRED);
        assertThat(store(sender, holder, tooLong, 0).status()).isEqualTo(MailboxStatus.TTL_TOO_LONG);
        assertThat(store(sender, holder, future, 0).status()).isEqualTo(MailboxStatus.CREATED_IN_FUTURE);
        assertThat(store(sender, holder, justRight, 0)).isEqualTo(MailboxReply.OK);
    }

    @Test
    void shouldRefuseAFloodingPeerPastItsQuotaWhileAnotherPeerStillStores() {
        StoreLimits limits = new StoreLimits(1 << 20, 1 << 20, 4000, 2000);
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(limits));
        MailboxTestNetwork.Peer flooder = network.peer();
        MailboxTestNetwork.Peer honest = network.peer();

        List<MailboxStatus> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            TestEnvelope envelope = envelope();
            statuses.add(store(flooder, holder, envelope, 0).status());
        }
        MailboxReply honestReply = store(honest, holder, envelope(), 0);

        assertThat(statuses).startsWith(MailboxStatus.OK).endsWith(MailboxStatus.PEER_QUOTA);
        assertThat(honestReply).isEqualTo(MailboxReply.OK);
        assertThat(holder.store().shards().usage(PeerBytes.of(flooder.peerId().toBytes())).bytes()).isLessThanOrEqualTo(4000);
        assertThat(holder.metrics().shardsRefused(MailboxStatus.PEER_QUOTA)).isPositive();
    }

    @Test
    void shouldAnswerEachStoreLimitWithItsOwnStatus() {
        TestEnvelope big = TestEnvelope.to(recipient, START, EXPIRES, 4000);
        MailboxTestNetwork.Holder tooLarge = network.holder(InMemoryFerryStore.create(new StoreLimits(1 << 20, 1 << 20, 1 << 20, 1000)));
        MailboxTestNetwork.Holder mailboxFull = network.holder(InMemoryFerryStore.create(new StoreLimits(1 << 20, 2500, 1 << 20, 2000)));
        MailboxTestNetwork.Holder totalFull = network.holder(InMemoryFerryStore.create(new StoreLimits(2500, 1 << 20, 1 << 20, 2000)));
        MailboxTestNetwork.Peer sender = network.peer();

        assertThat(store(sender, tooLarge, big, 0).status()).isEqualTo(MailboxStatus.TOO_LARGE);
        assertThat(store(sender, mailboxFull, big, 0)).isEqualTo(MailboxReply.OK);
        assertThat(store(sender, mailboxFull, big, 1).status()).isEqualTo(MailboxStatus.MAILBOX_FULL);
        TestEnvelope other = TestEnvelope.to(IdentityKeyPair.generate(MailboxTestNetwork.RANDOM).peerId(), START, EXPIRES, 4000);
        assertThat(store(sender, totalFull, big, 0)).isEqualTo(MailboxReply.OK);
        assertThat(store(sender, totalFull, other, 0).status()).isEqualTo(MailboxStatus.TOTAL_FULL);
        assertThat(store(sender, mailboxFull, other, 0)).isEqualTo(MailboxReply.OK);

        // A node's largest envelope counts the whole envelope its header states, not the shard offered.
        MailboxTestNetwork.Holder smallEnvelopes = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS),
                MailboxConfig.DEFAULTS.withMaxEnvelopeBytes(4000));
        MailboxTestNetwork.Peer laterSender = network.peer(); // peers know the holders there are when they start
        MailboxReply refused = store(laterSender, smallEnvelopes, big, 0);
        assertThat(refused.status()).isEqualTo(MailboxStatus.TOO_LARGE);
        assertThat(refused.detail()).contains("over this holder's largest of 4000");
        assertThat(smallEnvelopes.store().shards().usage().shards()).isZero();
        assertThat(store(laterSender, smallEnvelopes, TestEnvelope.to(recipient, START, EXPIRES, 1000), 0)).isEqualTo(MailboxReply.OK);
    }

    @Test
    void shouldDeleteNothingForAForgedAckAndLeaveOnlyATombstoneForTheRealOne() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        MailboxTestNetwork.Peer recipientPeer = network.peer();
        TestEnvelope envelope = envelope();
        for (int i = 0; i < envelope.total(); i++) store(sender, holder, envelope, i);

        AckSecret forged = AckSecret.generate(MailboxTestNetwork.RANDOM);
        assertThat(join(recipientPeer.client().ack(holder.peerId(), envelope.id(), forged)).status())
                .isEqualTo(MailboxStatus.BAD_SECRET);
        assertThat(join(recipientPeer.client().has(holder.peerId(), envelope.id())))
                .isEqualTo(new EnvelopeHoldings(false, List.of(0, 1, 2, 3, 4, 5)));
        assertThat(holder.acks()).isEmpty();

        PeerId otherHolder = network.peer().peerId();
        assertThat(join(recipientPeer.client().ack(holder.peerId(), envelope.id(), envelope.secret(), List.of(otherHolder))))
                .isEqualTo(MailboxReply.OK);
        assertThat(join(recipientPeer.client().has(holder.peerId(), envelope.id()))).isEqualTo(new EnvelopeHoldings(true, List.of()));
        assertThat(holder.store().tombstones().expiry(envelope.id())).contains(EXPIRES);
        assertThat(holder.store().shards().usage().shards()).isZero();
        assertThat(holder.acks()).singleElement().satisfies(heard -> {
            assertThat(heard.header()).isEqualTo(envelope.header());
            assertThat(heard.secret()).isEqualTo(envelope.secret());
            assertThat(heard.from()).isEqualTo(recipientPeer.peerId());
            assertThat(heard.notified()).as("the holders the recipient acknowledged to as well").containsExactly(otherHolder);
        });
        assertThat(holder.metrics().shardsAcknowledged()).isEqualTo(6);

        assertThat(join(recipientPeer.client().ack(holder.peerId(), envelope.id(), envelope.secret())).status())
                .isEqualTo(MailboxStatus.ALREADY_ACKNOWLEDGED);
        assertThat(store(sender, holder, envelope, 0).status()).isEqualTo(MailboxStatus.TOMBSTONED);
        assertThat(join(recipientPeer.client().ack(holder.peerId(), envelope().id(), envelope.secret())).status())
                .isEqualTo(MailboxStatus.NOT_FOUND);
    }

    @Test
    void shouldFindEveryShardOfAnAckedEnvelopeByTheShardCountItNamesEvenAShortOne() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        MailboxTestNetwork.Peer recipientPeer = network.peer();
        TestEnvelope full = envelope();
        TestEnvelope shortCount = envelope();
        TestEnvelope outOfReach = envelope();
        for (TestEnvelope envelope : List.of(full, shortCount)) {
            store(sender, holder, envelope, 1);
            store(sender, holder, envelope, 5);
        }
        store(sender, holder, outOfReach, 3);

        AckSecret forged = AckSecret.generate(MailboxTestNetwork.RANDOM);
        assertThat(join(recipientPeer.client().ack(holder.peerId(), full.id(), forged, List.of(), 6)).status())
                .isEqualTo(MailboxStatus.BAD_SECRET);
        assertThat(join(recipientPeer.client().ack(holder.peerId(), full.id(), full.secret(), List.of(), full.total())))
                .isEqualTo(MailboxReply.OK);
        // A count short of the header's finds shard 1; the header then names all six to look for.
        assertThat(join(recipientPeer.client().ack(holder.peerId(), shortCount.id(), shortCount.secret(), List.of(), 2)))
                .isEqualTo(MailboxReply.OK);
        // One that misses every shard held deletes nothing; the shard waits for an ACK that names it.
        assertThat(join(recipientPeer.client().ack(holder.peerId(), outOfReach.id(), outOfReach.secret(), List.of(), 3)).status())
                .isEqualTo(MailboxStatus.NOT_FOUND);
        assertThat(join(recipientPeer.client().has(holder.peerId(), outOfReach.id()))).isEqualTo(new EnvelopeHoldings(false, List.of(3)));
        assertThat(join(recipientPeer.client().ack(holder.peerId(), outOfReach.id(), outOfReach.secret(), List.of(), 4)))
                .isEqualTo(MailboxReply.OK);

        for (TestEnvelope envelope : List.of(full, shortCount, outOfReach)) {
            assertThat(join(recipientPeer.client().has(holder.peerId(), envelope.id()))).isEqualTo(new EnvelopeHoldings(true, List.of()));
        }
        assertThat(holder.store().shards().usage().shards()).isZero();
        assertThat(holder.metrics().shardsAcknowledged()).isEqualTo(5);
    }

    @Test
    void shouldTakeAHandoverWithAStatusPerShardChargedToTheHandingOverPeer() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer previousHolder = network.peer();
        TestEnvelope envelope = envelope();
        EnvelopeShard tampered = new EnvelopeShard(envelope.header().encode(), 3, envelope.shard(2));

        List<MailboxReply> replies = join(previousHolder.client().handover(holder.peerId(),
                List.of(envelope.wire(0), envelope.wire(1), tampered, envelope.wire(1))));

        assertThat(replies).extracting(MailboxReply::status).containsExactly(
                MailboxStatus.OK, MailboxStatus.OK, MailboxStatus.SHARD_MISMATCH, MailboxStatus.OK);
        assertThat(holder.store().shards().usage(PeerBytes.of(previousHolder.peerId().toBytes())).shards()).isEqualTo(2);
        assertThat(holder.metrics().shardsHandedOver()).isEqualTo(2);
    }

    @Test
    void shouldSplitALargeHandoverIntoBatchesOnOneStream() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer previousHolder = network.peer();
        List<EnvelopeShard> shards = new ArrayList<>();
        for (int e = 0; e < 12; e++) {
            TestEnvelope envelope = envelope();
            for (int i = 0; i < envelope.total(); i++) shards.add(envelope.wire(i));
        }

        List<MailboxReply> replies = join(previousHolder.client().handover(holder.peerId(), shards));

        assertThat(shards).hasSizeGreaterThan(MailboxLimits.MAX_HANDOVER_SHARDS);
        assertThat(replies).hasSize(shards.size()).allMatch(MailboxReply::isOk);
        assertThat(holder.metrics().requests(RequestType.HANDOVER, MailboxStatus.OK)).isEqualTo(2);
    }

    @Test
    void shouldSweepExpiredShardsAndTombstonesOnlyOnceTheirTimeHasCome() {
        MailboxTestNetwork.Holder holder = holder();
        MailboxTestNetwork.Peer sender = network.peer();
        TestEnvelope soon = TestEnvelope.to(recipient, START, START.plus(Duration.ofHours(1)), 100);
        TestEnvelope later = envelope();
        TestEnvelope acknowledged = TestEnvelope.to(recipient, START, START.plus(Duration.ofHours(1)), 100);
        store(sender, holder, soon, 0);
        store(sender, holder, later, 0);
        store(sender, holder, acknowledged, 0);
        join(sender.client().ack(holder.peerId(), acknowledged.id(), acknowledged.secret()));

        assertThat(join(holder.server().sweepNow()).total()).isZero();
        network.clock.advance(Duration.ofHours(2));
        var swept = join(holder.server().sweepNow());

        assertThat(swept.shards()).isEqualTo(1);
        assertThat(swept.tombstones()).isEqualTo(1);
        assertThat(holder.store().shards().has(soon.id())).isFalse();
        assertThat(holder.store().shards().has(later.id())).isTrue();
        assertThat(holder.metrics().shardsExpired()).isEqualTo(1);
        assertThat(holder.metrics().tombstonesExpired()).isEqualTo(1);
        assertThat(holder.metrics().storedBytes()).isEqualTo(holder.store().shards().usage().bytes());
    }

    @Test
    void shouldSweepOnItsOwnOnTheScheduler() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS),
                MailboxConfig.DEFAULTS.withSweep(Duration.ofMillis(20), 1));
        MailboxTestNetwork.Peer sender = network.peer();
        TestEnvelope soon = TestEnvelope.to(recipient, START, START.plus(Duration.ofHours(1)), 100);
        for (int i = 0; i < soon.total(); i++) store(sender, holder, soon, i);

        network.clock.advance(Duration.ofHours(2));

        org.awaitility.Awaitility.await().atMost(MailboxTestNetwork.WAIT)
                .until(() -> holder.metrics().shardsExpired() == soon.total());
        assertThat(holder.store().shards().usage().shards()).isZero();
    }
}
