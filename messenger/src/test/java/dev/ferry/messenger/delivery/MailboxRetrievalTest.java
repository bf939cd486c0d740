package dev.ferry.messenger.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.mailbox.FetchedPage;
import dev.ferry.messenger.mailbox.FetchedShard;
import dev.ferry.messenger.mailbox.MailboxReply;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MailboxRetrieval} against holders that serve pages from memory and an intake that
 * records what it is given: the order envelopes reach the intake, and whom they are
 * acknowledged to.
 */
class MailboxRetrievalTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final byte[] MAILBOX = new byte[32];

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final IdentityKeyPair owner = IdentityKeyPair.generate(RANDOM);
    private final List<PeerId> holders = new ArrayList<>();
    /** What each holder lists, in envelope-id order as real holders do. */
    private final Map<PeerId, java.util.concurrent.ConcurrentSkipListMap<EnvelopeId, FetchedShard>> listings = new ConcurrentHashMap<>();
    private final List<EnvelopeHeader> opened = new CopyOnWriteArrayList<>();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    /** The holder of each listing begun (a FETCH without a cursor), in order. */
    private final List<PeerId> listed = new CopyOnWriteArrayList<>();
    /** The intake answers once this completes: meanwhile everything is rebuilt and queued. */
    private final CompletableFuture<Void> intakeGate = new CompletableFuture<>();
    /** What the intake answers for an envelope, once the gate is open. */
    private volatile java.util.function.Function<EnvelopeHeader, MailboxRetrieval.IntakeOutcome> intakeAnswer =
            header -> new MailboxRetrieval.IntakeOutcome.Acknowledge(new byte[32]);
    /** How long each page takes to come. */
    private volatile Duration pageDelay = Duration.ZERO;
    /** Holders that never answer a FETCH past their first page, as one that went away mid-listing. */
    private final Set<PeerId> stalledAfterFirstPage = ConcurrentHashMap.newKeySet();
    /** Whether a holder drops an envelope from its listing once acknowledged, as real ones do. */
    private volatile boolean holdersDeleteOnAck;
    private MailboxRetrieval retrieval;

    private record Ack(PeerId holder, EnvelopeId envelope, List<PeerId> notified, int shardCount) {}

    @AfterEach
    void stop() {
        if (retrieval != null) retrieval.close();
        executor.shutdownNow();
    }

    private MailboxRetrieval start() {
        return start(Duration.ofHours(1));
    }

    private MailboxRetrieval start(Duration fetchInterval) {
        DeliveryPorts.HolderDirectory directory = (mailbox, ownerPeer) -> CompletableFuture.completedFuture(List.copyOf(holders));
        MailboxRetrieval.MailboxReader reader = new MailboxRetrieval.MailboxReader() {
            @Override
            public CompletableFuture<FetchedPage> fetch(PeerId holder, IdentityKeyPair who, Optional<byte[]> cursor, int limit) {
                if (cursor.isEmpty()) listed.add(holder);
                if (cursor.isPresent() && stalledAfterFirstPage.contains(holder)) return new CompletableFuture<>();
                var all = listings.getOrDefault(holder, new java.util.concurrent.ConcurrentSkipListMap<>());
                var rest = cursor.isEmpty() ? all : all.tailMap(EnvelopeId.of(cursor.get()), false);
                List<FetchedShard> page = rest.values().stream().limit(limit).toList();
                Optional<byte[]> next = rest.size() > page.size()
                        ? Optional.of(page.getLast().header().envelopeId()) : Optional.empty();
                FetchedPage answer = new FetchedPage(MailboxReply.OK, page, next, 0);
                if (pageDelay.isZero()) return CompletableFuture.completedFuture(answer);
                return CompletableFuture.supplyAsync(() -> answer,
                        CompletableFuture.delayedExecutor(pageDelay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            }

            @Override
            public CompletableFuture<Boolean> acknowledge(PeerId holder, byte[] envelopeId, byte[] secret, Collection<PeerId> notified,
                    int shardCount) {
                acks.add(new Ack(holder, EnvelopeId.of(envelopeId), List.copyOf(notified), shardCount));
                if (holdersDeleteOnAck) listings.get(holder).remove(EnvelopeId.of(envelopeId));
                return CompletableFuture.completedFuture(true);
            }

            @Override
            public CompletableFuture<AutoCloseable> watch(PeerId holder, IdentityKeyPair who, Runnable onPush, Runnable onEnd) {
                return new CompletableFuture<>(); // never pushes
            }
        };
        retrieval = new MailboxRetrieval(MAILBOX, owner, owner.peerId(), true, directory, reader, MailboxRetrieval.Intake.oneByOne((header, ciphertext) -> {
            opened.add(header);
            return intakeGate.thenApply(v -> intakeAnswer.apply(header));
        }), executor, fetchInterval, 6);
        return retrieval;
    }

    /** {@code count} envelopes sealed one millisecond apart, coded 4 + 2 onto the first six holders, listed in id order. */
    private List<EnvelopeHeader> stored(int count) {
        List<EnvelopeHeader> headers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] ciphertext = new byte[100 + i];
            RANDOM.nextBytes(ciphertext);
            EncodedShards shards = ReedSolomonCodec.of(ErasureParameters.DEFAULT).encode(ciphertext);
            List<byte[]> hashes = new ArrayList<>();
            for (int s = 0; s < shards.totalShards(); s++) hashes.add(shards.shardHash(s));
            Instant sealed = T0.plusMillis(i);
            EnvelopeHeader header = EnvelopeHeader.coded(MAILBOX, sealed, sealed.plusSeconds(3600), new byte[32], ciphertext, 4, 2, hashes);
            headers.add(header);
            for (int s = 0; s < 6; s++) {
                listings.computeIfAbsent(holders.get(s), h -> new java.util.concurrent.ConcurrentSkipListMap<>())
                        .put(EnvelopeId.of(header.envelopeId()), new FetchedShard(header, s, shards.shard(s)));
            }
        }
        return headers;
    }

    private void holders(int count) {
        for (int i = 0; i < count; i++) holders.add(IdentityKeyPair.generate(RANDOM).peerId());
    }

    @Test
    void envelopesListedInIdOrderReachTheIntakeInTheOrderTheyWereSealed() {
        holders(6);
        List<EnvelopeHeader> sealed = stored(200);
        start().start();

        // Two handfuls went to the (gated) intake; the rest wait for them, in the order they were sealed.
        int withTheIntake = MailboxRetrieval.MAX_OPENING * MailboxRetrieval.MAX_HANDFUL;
        await().atMost(Duration.ofSeconds(20)).until(() -> retrieval.waitingToOpen().join() == sealed.size() - withTheIntake);
        assertThat(opened).hasSize(withTheIntake);
        intakeGate.complete(null);
        await().atMost(Duration.ofSeconds(20)).until(() -> opened.size() == sealed.size());

        // Opening waited for the listings to bring every page: all of them go oldest first.
        List<Instant> order = opened.stream().map(EnvelopeHeader::created).toList();
        List<Instant> sorted = new ArrayList<>(order);
        Collections.sort(sorted);
        assertThat(order).isEqualTo(sorted);
    }

    @Test
    void listingsThatKeepBringingPagesAreWaitedForPastTheOrderingWait() {
        holders(6);
        // Eight pages a holder, a quarter of a second each: the listings take twice ORDERING_WAIT.
        List<EnvelopeHeader> sealed = stored(7 * MailboxRetrieval.PAGE_SIZE + 2);
        pageDelay = Duration.ofMillis(250);
        intakeGate.complete(null);
        start().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> opened.size() == sealed.size());

        List<Instant> order = opened.stream().map(EnvelopeHeader::created).toList();
        List<Instant> sorted = new ArrayList<>(order);
        Collections.sort(sorted);
        assertThat(order).as("opened in the order sealed").isEqualTo(sorted);
    }

    @Test
    void aHolderThatStopsAnsweringHoldsTheOthersEnvelopesBackForTheOrderingWaitOnly() {
        holders(6);
        List<EnvelopeHeader> sealed = stored(MailboxRetrieval.PAGE_SIZE + 10);
        stalledAfterFirstPage.add(holders.getFirst());
        intakeGate.complete(null);
        long started = System.nanoTime();
        start().start();
        await().atMost(Duration.ofSeconds(10)).until(() -> opened.size() == sealed.size());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(MailboxRetrieval.ORDERING_WAIT);
    }

    @Test
    void anEnvelopeTheIntakeCanTakeOnlyLaterIsRebuiltFromANewListingOnceTheOthersAreIn() {
        holders(6);
        holdersDeleteOnAck = true;
        List<EnvelopeHeader> sealed = stored(50);
        Set<EnvelopeId> refusedOnce = ConcurrentHashMap.newKeySet();
        intakeAnswer = header -> {
            EnvelopeId id = EnvelopeId.of(header.envelopeId());
            // Every fifth is "too far ahead" the first time, as a session says before a gap closes.
            boolean later = sealed.indexOf(header) % 5 == 4 && refusedOnce.add(id);
            return later ? new MailboxRetrieval.IntakeOutcome.Later() : new MailboxRetrieval.IntakeOutcome.Acknowledge(new byte[32]);
        };
        intakeGate.complete(null);
        start().start(); // rounds an hour apart: only the listing the retrieval asks for itself brings them back

        await().atMost(Duration.ofSeconds(20)).until(() -> acks.stream().map(Ack::envelope).distinct().count() == sealed.size());
        assertThat(refusedOnce).hasSize(10);
        assertThat(opened).hasSize(sealed.size() + refusedOnce.size());
        assertThat(listings.values()).allSatisfy(listing -> assertThat(listing).isEmpty());
    }

    @Test
    void envelopesTheIntakeCanNeverTakeAreNotListedAgainAndAgain() {
        holders(6);
        List<EnvelopeHeader> sealed = stored(10);
        intakeAnswer = header -> new MailboxRetrieval.IntakeOutcome.Later();
        intakeGate.complete(null);
        start().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> opened.size() == sealed.size());
        // No envelope was taken, so no listing would make progress: the next round tries again, not before.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> opened.size() == sealed.size());
        retrieval.fetchNow().join();
        assertThat(opened).hasSize(2 * sealed.size());
    }

    @Test
    void aMailboxPastOneListingsPageBudgetIsListedAgainAtOnce() {
        holders(6);
        holdersDeleteOnAck = true;
        int count = MailboxRetrieval.MAX_PAGES_PER_ROUND * MailboxRetrieval.PAGE_SIZE + 100;
        List<EnvelopeHeader> sealed = stored(count);
        intakeGate.complete(null);
        start().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> opened.size() == sealed.size());
        assertThat(opened.stream().map(h -> EnvelopeId.of(h.envelopeId())).distinct().count()).isEqualTo(count);
    }

    @Test
    void anEnvelopeIsAcknowledgedOnceToEachHolderTheOneNamedFirstToldOfAllTheOthersOfIt() {
        holders(8);
        List<EnvelopeHeader> sealed = stored(20);
        intakeGate.complete(null);
        start().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> opened.size() == sealed.size());
        // Listings run again (the holders still list everything: these ACKs delete nothing).
        for (int round = 0; round < 3; round++) retrieval.fetchNow().join();

        for (EnvelopeHeader header : sealed) {
            EnvelopeId id = EnvelopeId.of(header.envelopeId());
            List<Ack> toIt = acks.stream().filter(a -> a.envelope().equals(id)).toList();
            assertThat(toIt).extracting(Ack::holder).as("each of the six holders once").containsExactlyInAnyOrderElementsOf(holders.subList(0, 6));
            assertThat(toIt).extracting(Ack::shardCount).as("the header's k + m").containsOnly(header.dataShards() + header.parityShards());
            // The ACK names a forwarder first; it gets the whole list, the others only its name.
            PeerId forwarder = toIt.getFirst().notified().getFirst();
            for (Ack ack : toIt) {
                if (ack.holder().equals(forwarder)) {
                    assertThat(ack.notified()).containsExactlyInAnyOrderElementsOf(holders.subList(0, 6));
                } else {
                    assertThat(ack.notified()).containsExactly(forwarder);
                }
            }
        }
    }

    @Test
    void aHolderAskedForAgainWhileWhatItListedIsStillWithTheIntakeIsListedOnceThatIsThrough() {
        holders(6);
        holdersDeleteOnAck = true;
        List<EnvelopeHeader> sealed = stored(20);
        start().start();
        // All 20 went to the (gated) intake in one handful.
        await().atMost(Duration.ofSeconds(20)).until(() -> opened.size() == sealed.size());
        assertThat(retrieval.waitingToOpen().join()).isZero();
        assertThat(listed).hasSize(6);

        // Listed again now, every holder would bring all 20 again: they wait for the intake.
        CompletableFuture<Void> again = retrieval.fetchNow();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> listed.size() == 6);
        assertThat(again).isNotDone();

        intakeGate.complete(null);
        again.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(listed).hasSize(12);
        assertThat(opened).hasSize(sealed.size());
        assertThat(listings.values()).allSatisfy(listing -> assertThat(listing).isEmpty());
    }

    @Test
    void anOrdinaryRoundListsTheNearHoldersAndEveryFewRoundsAllOfThem() {
        holders(19);
        stored(5);
        intakeGate.complete(null);
        start(Duration.ofMillis(400)).start();
        int near = 6 + MailboxRetrieval.NEAR_MARGIN;
        PeerId farthest = holders.getLast();

        // The first round lists all 19, the next ones the near 8, and round FULL_ROUND_EVERY + 1 all again.
        await().atMost(Duration.ofSeconds(30)).until(() -> java.util.Collections.frequency(listed, farthest) == 2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (int i = 0; i < holders.size(); i++) {
                int expected = i < near ? MailboxRetrieval.FULL_ROUND_EVERY + 1 : 2;
                assertThat(java.util.Collections.frequency(listed, holders.get(i))).as("listings of holder %d", i).isEqualTo(expected);
            }
        });
        assertThat(opened).hasSize(5);

        // Asked for from outside (after a rejoin), a round lists them all.
        retrieval.fetchNow().join();
        assertThat(java.util.Collections.frequency(listed, farthest)).isEqualTo(3);
    }
}
