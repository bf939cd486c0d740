package dev.ferry.crypto.ratchet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.SeededProperty;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two parties exchange thousands of messages under random schedules: loss, reordering,
 * duplication, both sides sending at once, restarts from the serialised state, and forged or
 * tampered messages. Every honest message delivered must decrypt exactly once to its plaintext;
 * duplicates and forgeries never decrypt and never change a state. The schedule keeps the
 * receivers within the skipped-key caps (asserted on every step), so nothing honest may be lost
 * to them and delivery must be 100%.
 */
class RatchetRandomScheduleTest {
    /** Honest messages sent per schedule. */
    private static final int MESSAGES_PER_SCHEDULE = 5_000;
    /** Schedules per run, all from one printed seed. */
    private static final int SCHEDULES = 3;
    /** Messages in flight towards one party before the schedule forces deliveries: keeps every gap well inside MAX_SKIP. */
    private static final int MAX_IN_FLIGHT = 60;

    private record InFlight(byte[] bytes, String plaintext) {}

    /** One party as the test sees it: its current state and what travels towards it. */
    private static final class Party {
        final String name;
        RatchetSession state;
        final List<InFlight> inbound = new ArrayList<>();
        final List<InFlight> received = new ArrayList<>();
        int sent;

        Party(String name, RatchetSession state) {
            this.name = name;
            this.state = state;
        }
    }

    private static final class Counts {
        int sent, delivered, lost, duplicatesRefused, forgeriesRefused, restarts;
    }

    @Test
    void everyDeliveredHonestMessageDecryptsExactlyOnceUnderRandomSchedules() {
        List<Counts> runs = new ArrayList<>();
        SeededProperty.forAll("ratchet random schedule", SCHEDULES, random -> runs.add(runSchedule(random)));
        for (Counts c : runs) {
            assertThat(c.sent).isEqualTo(MESSAGES_PER_SCHEDULE);
            assertThat(c.delivered + c.lost).isEqualTo(c.sent);
            assertThat(c.lost).isPositive();
            assertThat(c.duplicatesRefused).isPositive();
            assertThat(c.forgeriesRefused).isPositive();
            assertThat(c.restarts).isPositive();
            System.out.printf("schedule: sent %d, delivered %d, lost %d, duplicates refused %d, forgeries refused %d, restarts %d%n",
                    c.sent, c.delivered, c.lost, c.duplicatesRefused, c.forgeriesRefused, c.restarts);
        }
    }

    private static Counts runSchedule(Random random) {
        SecureRandom keys = new DeterministicSecureRandom(random.nextLong());
        SessionPair pair = SessionPair.create(random, keys);
        Party alice = new Party("alice", pair.alice());
        Party bob = new Party("bob", pair.bob());
        SessionPair intruder = SessionPair.create(random, keys);
        RatchetSession[] intruderState = {intruder.alice()}; // an unrelated session whose messages are injected
        Counts counts = new Counts();
        // Phases of the conversation: sometimes one side talks a lot, sometimes it's a quick back and forth.
        double aliceShare = 0.5;
        while (counts.sent < MESSAGES_PER_SCHEDULE) {
            if (random.nextInt(200) == 0) aliceShare = 0.1 + 0.8 * random.nextDouble();
            int action = random.nextInt(100);
            Party sender = random.nextDouble() < aliceShare ? alice : bob;
            Party other = sender == alice ? bob : alice;
            if (sender.inbound.size() + other.inbound.size() >= 2 * MAX_IN_FLIGHT || other.inbound.size() >= MAX_IN_FLIGHT) {
                action = 60; // deliver to make room
            }
            if (action < 45) {
                if (!sender.state.canSend()) {
                    sender = alice;
                    other = bob;
                }
                if (other.inbound.size() >= MAX_IN_FLIGHT) continue;
                send(sender, other, counts);
            } else if (action < 85) {
                Party to = random.nextBoolean() ? alice : bob;
                if (to.inbound.isEmpty()) to = to == alice ? bob : alice;
                if (!to.inbound.isEmpty()) deliver(to, to.inbound.remove(random.nextInt(to.inbound.size())), keys, counts);
            } else if (action < 88) {
                Party to = random.nextBoolean() ? alice : bob;
                if (!to.inbound.isEmpty()) {
                    to.inbound.remove(random.nextInt(to.inbound.size()));
                    counts.lost++;
                }
            } else if (action < 93) {
                Party to = random.nextBoolean() ? alice : bob;
                if (!to.received.isEmpty()) {
                    refuse(to, to.received.get(random.nextInt(to.received.size())).bytes(), keys, random);
                    counts.duplicatesRefused++;
                }
            } else if (action < 98) {
                Party to = random.nextBoolean() ? alice : bob;
                byte[] forged = forge(random, to, intruderState);
                if (forged != null) {
                    refuse(to, forged, keys, random);
                    counts.forgeriesRefused++;
                }
            } else {
                Party restarted = random.nextBoolean() ? alice : bob;
                restart(restarted);
                counts.restarts++;
            }
            assertWithinCaps(alice);
            assertWithinCaps(bob);
        }
        // Drain: everything still in flight arrives, in random order.
        for (Party to : List.of(alice, bob)) {
            while (!to.inbound.isEmpty()) deliver(to, to.inbound.remove(random.nextInt(to.inbound.size())), keys, counts);
        }
        return counts;
    }

    private static void send(Party sender, Party receiver, Counts counts) {
        String text = sender.name + " #" + sender.sent++;
        RatchetSession.Encrypted e = sender.state.encrypt(text.getBytes(UTF_8));
        sender.state = e.next();
        receiver.inbound.add(new InFlight(e.message(), text));
        counts.sent++;
    }

    private static void deliver(Party to, InFlight message, SecureRandom keys, Counts counts) {
        try {
            RatchetSession.Decrypted d = to.state.decrypt(message.bytes(), keys);
            assertThat(new String(d.plaintext(), UTF_8)).isEqualTo(message.plaintext());
            to.state = d.next();
            to.received.add(message);
            counts.delivered++;
        } catch (RatchetException e) {
            fail(to.name + " refused honest message " + message.plaintext() + ": " + e.getMessage() + " in " + to.state);
        }
    }

    /** A duplicate or a forgery: must be refused, and must leave the state exactly as it was. */
    private static void refuse(Party to, byte[] message, SecureRandom keys, Random random) {
        boolean checkState = random.nextInt(8) == 0; // serialising on every refusal would dominate the run time
        byte[] before = checkState ? to.state.toBytes() : null;
        try {
            RatchetSession.Decrypted d = to.state.decrypt(message, keys);
            fail(to.name + " accepted a duplicate or forged message as \"" + new String(d.plaintext(), UTF_8) + "\"");
        } catch (RatchetException expected) {
            // refused, as it must be
        }
        if (checkState) assertThat(to.state.toBytes()).isEqualTo(before);
    }

    /** A message towards {@code to} that no honest party sent, or null if none could be made this time. */
    private static byte[] forge(Random random, Party to, RatchetSession[] intruder) {
        int kind = random.nextInt(3);
        if (kind == 0) {
            RatchetSession.Encrypted e = intruder[0].encrypt(SeededProperty.bytes(random, random.nextInt(40)));
            intruder[0] = e.next();
            return e.message();
        }
        List<InFlight> pool = kind == 1 ? to.inbound : to.received;
        if (pool.isEmpty()) return null;
        byte[] original = pool.get(random.nextInt(pool.size())).bytes();
        byte[] mutated = ByteMutations.mutate(random, original, new byte[] {0, 1, (byte) 0x80, (byte) 0xff}, 8);
        return java.util.Arrays.equals(mutated, original) ? null : mutated;
    }

    /** The party keeps nothing but its serialised state across the restart. */
    private static void restart(Party party) {
        byte[] persisted = party.state.toBytes();
        RatchetSession before = party.state;
        party.state = null;
        try {
            party.state = RatchetSession.fromBytes(persisted);
        } catch (RatchetException e) {
            fail("persisted state did not read back: " + e.getMessage());
        }
        assertThat(party.state).isEqualTo(before);
    }

    private static void assertWithinCaps(Party party) {
        assertThat(party.state.skippedMessageKeyCount()).as("%s's skipped keys", party.name).isLessThan(RatchetLimits.MAX_SKIPPED_KEYS);
    }
}
