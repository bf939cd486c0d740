package dev.ferry.messenger.session;

import dev.ferry.messenger.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.store.FerryStore;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import dev.ferry.store.rocks.RocksFerryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two parties talk through a network that loses, reorders and duplicates envelopes, while both
 * send at once, restart from their stores, let messages expire, and see replays and forgeries.
 * Every message that did not expire undelivered is delivered exactly once and in order; what is
 * refused changes nothing.
 */
class SessionRandomScheduleTest {
    /** In-flight envelopes the network holds at most; beyond it retries wait, as a real outbox's backoff would. */
    private static final int MAX_IN_FLIGHT = 200;
    /** Refusals a genuine envelope may get: it came before, it expired, or it came too early and will come again. */
    private static final Set<Refusal> GENUINE_REFUSALS = EnumSet.of(Refusal.DUPLICATE, Refusal.EXPIRED, Refusal.TOO_FAR_AHEAD);

    @TempDir
    Path tempDir;

    @Test
    void everyMessageIsDeliveredOnceAndInOrderOnAnyScheduleInMemory() {
        SeededProperty.forAll("session random schedule (memory)", 2,
                random -> new Schedule(random, () -> InMemoryFerryStore.create(StoreLimits.DEFAULTS), null).run(6000));
    }

    @Test
    void everyMessageIsDeliveredOnceAndInOrderWithRestartsFromRocksDb() {
        int[] run = {0};
        SeededProperty.forAll("session random schedule (RocksDB)", 1, random -> {
            Path a = tempDir.resolve("a" + run[0]);
            Path b = tempDir.resolve("b" + run[0]++);
            new Schedule(random, null, List.of(a, b)).run(2500);
        });
    }

    /** One conversation: the parties, the network between them and what each side sent and got. */
    private static final class Schedule {
        private final Random random;
        private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
        private final SessionParty alice;
        private final SessionParty bob;
        private final SessionParty mallory;
        private final Map<SessionParty, Supplier<FerryStore>> reopen = new HashMap<>();
        private final Map<SessionParty, Side> sides = new HashMap<>();
        private final List<InFlight> network = new ArrayList<>();
        private final List<InFlight> delivered = new ArrayList<>();
        private int refusedForgeries;
        private int restarts;
        private int expiredUndelivered;

        Schedule(Random random, Supplier<FerryStore> memory, List<Path> rocks) {
            this.random = random;
            SeededSecureRandom secure = new SeededSecureRandom(random.nextLong());
            if (memory != null) {
                alice = new SessionParty("alice", clock, secure, memory);
                bob = new SessionParty("bob", clock, secure, memory);
            } else {
                alice = new SessionParty("alice", clock, secure, () -> RocksFerryStore.open(rocks.get(0), StoreLimits.DEFAULTS));
                bob = new SessionParty("bob", clock, secure, () -> RocksFerryStore.open(rocks.get(1), StoreLimits.DEFAULTS));
                reopen.put(alice, () -> RocksFerryStore.open(rocks.get(0), StoreLimits.DEFAULTS));
                reopen.put(bob, () -> RocksFerryStore.open(rocks.get(1), StoreLimits.DEFAULTS));
            }
            mallory = SessionParty.inMemory("mallory", clock, secure);
            sides.put(alice, new Side(alice, bob));
            sides.put(bob, new Side(bob, alice));
        }

        void run(int steps) {
            try {
                // Both start a session before seeing the other's: simultaneous initiation.
                send(alice);
                send(bob);
                for (int step = 0; step < steps; step++) step();
                drain();
                check();
            } finally {
                alice.store.close();
                bob.store.close();
                mallory.store.close();
            }
        }

        private void step() {
            int roll = random.nextInt(100);
            if (roll < 30) {
                send(random.nextBoolean() ? alice : bob);
            } else if (roll < 68) {
                deliverOne(true);
            } else if (roll < 76) {
                if (!network.isEmpty()) network.remove(random.nextInt(network.size())); // lost
            } else if (roll < 82) {
                retry(random.nextBoolean() ? alice : bob);
            } else if (roll < 85) {
                restart(random.nextBoolean() ? alice : bob);
            } else if (roll < 92) {
                clock.advance(Duration.ofSeconds(random.nextInt(240)));
                for (Side side : sides.values()) {
                    if (side.dropExpired() && random.nextBoolean() && side.self.layer.hasSession(side.peer.peerId())) sendFloorUpdate(side.self);
                }
            } else {
                attack();
            }
        }

        private void send(SessionParty from) {
            Side side = sides.get(from);
            SessionParty to = side.peer;
            // Mostly a day; sometimes minutes, so that some expire undelivered and leave gaps.
            Duration ttl = random.nextInt(10) == 0 ? Duration.ofMinutes(1 + random.nextInt(5)) : Duration.ofDays(1);
            String text = from.name + "-" + side.sent.size() + "-" + random.nextInt(1000);
            try {
                Optional<PrekeyBundle> bundle = from.layer.hasSession(to.peerId()) ? Optional.empty() : Optional.of(to.bundle());
                SealedMessage sealed = from.layer.seal(to.peerId(), bundle, ContentType.TEXT, text.getBytes(StandardCharsets.UTF_8),
                        clock.instant().plus(ttl), side.floor());
                assertThat(sealed.sequence()).isEqualTo(side.sent.size());
                from.store.write(sealed.commit());
                side.sent.put(sealed.sequence(), text);
                InFlight envelope = new InFlight(from, to, sealed.sequence(), Envelope.of(sealed.sealed()), sealed.sealed().ackSecret());
                side.outbox.put(sealed.sequence(), envelope);
                if (network.size() < MAX_IN_FLIGHT) network.add(envelope);
            } catch (SessionException e) {
                throw new AssertionError(e);
            }
        }

        /** A floor update, as an outbox sends one when its floor passed a message that expired undelivered. */
        private void sendFloorUpdate(SessionParty from) {
            Side side = sides.get(from);
            try {
                SealedMessage update = from.layer.sealFloorUpdate(side.peer.peerId(), clock.instant().plus(Duration.ofHours(1)), side.floor());
                assertThat(update.sequence()).isEqualTo(-1);
                from.store.write(update.commit());
                if (network.size() < MAX_IN_FLIGHT) network.add(new InFlight(from, side.peer, -1, Envelope.of(update.sealed()), update.sealed().ackSecret()));
            } catch (SessionException e) {
                throw new AssertionError(e);
            }
        }

        /** Delivers one envelope picked at random (reordering), sometimes leaving a copy in flight (duplication). */
        private void deliverOne(boolean mayDuplicate) {
            if (network.isEmpty()) return;
            InFlight envelope = mayDuplicate && random.nextInt(10) == 0
                    ? network.get(random.nextInt(network.size()))
                    : network.remove(random.nextInt(network.size()));
            deliver(envelope);
        }

        private void deliver(InFlight envelope) {
            SessionParty to = envelope.to;
            Side from = sides.get(envelope.from);
            OpenResult result = to.layer.open(envelope.envelope.header(), envelope.envelope.ciphertext());
            switch (result) {
                case OpenResult.Accepted accepted -> {
                    to.store.write(accepted.commit());
                    for (ReceivedMessage m : accepted.deliverable()) {
                        assertThat(m.sequence()).as(to.name + " receives in order").isGreaterThan(from.lastDelivered);
                        assertThat(from.deliveredSequences.add(m.sequence())).as("delivered once: " + m.sequence()).isTrue();
                        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo(from.sent.get(m.sequence()));
                        from.lastDelivered = m.sequence();
                    }
                    assertThat(accepted.ackSecret()).isEqualTo(envelope.ack);
                    if (envelope.sequence >= 0) from.acceptedSequences.add(envelope.sequence); // delivered now, or held until a gap closes
                    delivered.add(envelope);
                    if (random.nextInt(10) != 0) from.outbox.remove(envelope.sequence); // the ACK gets back, mostly
                }
                case OpenResult.Refused refused -> {
                    assertThat(refused.reason()).as(refused.toString()).isIn(GENUINE_REFUSALS);
                    if (refused.reason() == Refusal.DUPLICATE) {
                        if (envelope.sequence >= 0) assertThat(from.acceptedSequences).as("a duplicate was received before").contains(envelope.sequence);
                        assertThat(refused.ackSecret()).contains(envelope.ack);
                        from.outbox.remove(envelope.sequence); // acknowledged again
                    }
                }
            }
        }

        private void retry(SessionParty from) {
            for (InFlight envelope : sides.get(from).outbox.values()) {
                if (network.size() >= MAX_IN_FLIGHT) return;
                network.add(envelope);
            }
        }

        private void restart(SessionParty party) {
            restarts++;
            Supplier<FerryStore> store = reopen.get(party);
            if (store == null) party.restart();
            else party.restart(store);
        }

        /** A replay, a tampered envelope or a forgery: each refused, and nothing changes. */
        private void attack() {
            int kind = random.nextInt(3);
            if (kind == 0 && !delivered.isEmpty()) {
                InFlight old = delivered.get(random.nextInt(delivered.size()));
                Refusal reason = old.to.refuse(old.envelope).reason();
                assertThat(reason).isIn(Refusal.DUPLICATE, Refusal.EXPIRED);
            } else if (kind == 1 && !network.isEmpty()) {
                InFlight some = network.get(random.nextInt(network.size()));
                byte[] tampered = some.envelope.ciphertext().clone();
                tampered[random.nextInt(tampered.length)] ^= (byte) (1 << random.nextInt(8));
                some.to.refuse(new Envelope(some.envelope.header(), tampered));
            } else {
                SessionParty victim = random.nextBoolean() ? alice : bob;
                SessionParty claimed = victim == alice ? bob : alice;
                // Mallory's own message to the victim, its inner sender claiming the victim's peer,
                // with her initial message or without it.
                Envelope hers = mallory.send(victim, "I am " + claimed.name);
                boolean keepInitial = random.nextBoolean();
                Envelope forged = Envelope.of(Forgeries.reseal(hers, victim, claimed,
                        p -> keepInitial ? p : p.toBuilder().clearInitialMessage().build()));
                assertThat(victim.refuse(forged).reason()).isIn(Refusal.WRONG_SENDER, Refusal.UNDECRYPTABLE);
            }
            refusedForgeries++;
        }

        /** No more loss: both sides send once more (their floors pass what expired) and everything is delivered. */
        private void drain() {
            clock.advance(Duration.ofMinutes(10));
            sides.values().forEach(Side::dropExpired);
            send(alice);
            send(bob);
            for (int round = 0; round < 200 && !(sides.get(alice).outbox.isEmpty() && sides.get(bob).outbox.isEmpty()); round++) {
                network.clear();
                retry(alice);
                retry(bob);
                while (!network.isEmpty()) deliverOne(false);
                // A delivered envelope whose ACK was lost is acknowledged on its next delivery (refused as a duplicate).
            }
            assertThat(sides.get(alice).outbox).as("alice's outbox drains").isEmpty();
            assertThat(sides.get(bob).outbox).as("bob's outbox drains").isEmpty();
            // Their floors rose as the drain acknowledged what was in flight: a floor update each
            // lets the other deliver what it held behind an expired message.
            sendFloorUpdate(alice);
            sendFloorUpdate(bob);
            while (!network.isEmpty()) deliverOne(false);
        }

        private void check() {
            for (Side side : sides.values()) {
                Set<Long> missing = new HashSet<>(side.sent.keySet());
                missing.removeAll(side.deliveredSequences);
                SessionRecord atPeer = side.peer.record(side.self);
                String state = side.self.name + "'s messages at " + side.peer.name + ": expecting " + atPeer.nextExpectedSequence
                        + ", holding " + atPeer.heldView().keySet() + "; only expired ones may be missing"
                        + " (expired " + new java.util.TreeSet<>(side.expiredUndelivered) + ", accepted the expected one: "
                        + side.acceptedSequences.contains(atPeer.nextExpectedSequence) + ")";
                assertThat(side.expiredUndelivered).as(state).containsAll(missing);
                assertThat(side.deliveredSequences).as("nothing delivered that expired undelivered").doesNotContainAnyElementsOf(side.expiredUndelivered);
                expiredUndelivered += missing.size();
            }
            assertThat(alice.record(bob).current().baseKey).as("both settle on one session").isEqualTo(bob.record(alice).current().baseKey);
            System.out.println("  " + (sides.get(alice).sent.size() + sides.get(bob).sent.size()) + " messages, "
                    + expiredUndelivered + " expired undelivered, " + restarts + " restarts, " + refusedForgeries + " attacks refused");
        }
    }

    /** One side's sending state as a real outbox would keep it. */
    private static final class Side {
        final SessionParty self;
        final SessionParty peer;
        final TreeMap<Long, String> sent = new TreeMap<>();
        /** Sent, neither acknowledged nor expired: what the floor is the lowest of. */
        final TreeMap<Long, InFlight> outbox = new TreeMap<>();
        final Set<Long> expiredUndelivered = new HashSet<>();
        /** What the peer accepted of this side's messages (delivered or held). */
        final Set<Long> acceptedSequences = new HashSet<>();
        /** What the peer delivered of this side's messages. */
        final Set<Long> deliveredSequences = new HashSet<>();
        long lastDelivered = -1;

        Side(SessionParty self, SessionParty peer) {
            this.self = self;
            this.peer = peer;
        }

        long floor() {
            return outbox.isEmpty() ? Long.MAX_VALUE : outbox.firstKey();
        }

        /** Drops what expired from the outbox; true if something expired undelivered (a gap the floor now passes). */
        boolean dropExpired() {
            Instant now = self.clock.instant();
            int before = expiredUndelivered.size();
            outbox.values().removeIf(e -> {
                boolean expired = !now.isBefore(e.envelope.header().expires());
                if (expired && !acceptedSequences.contains(e.sequence)) expiredUndelivered.add(e.sequence);
                return expired;
            });
            return expiredUndelivered.size() > before;
        }
    }

    private record InFlight(SessionParty from, SessionParty to, long sequence, Envelope envelope, AckSecret ack) {}
}
