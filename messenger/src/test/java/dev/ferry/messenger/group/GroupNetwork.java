package dev.ferry.messenger.group;

import dev.ferry.messenger.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PublicIdentity;
import dev.ferry.monitoring.Metrics;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Test fixture: members of groups and the pairwise sessions between them, simulated as queues of
 * control bytes with their authenticated sender. As with Double Ratchet sessions, messages between
 * one pair arrive in order; across pairs the order may be shuffled by a seeded {@link Random}.
 * Refusals met while delivering are kept for the test to look at.
 */
final class GroupNetwork {
    static final SecureRandom RANDOM = new SecureRandom();

    final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00Z"));
    final GroupMetrics metrics = new GroupMetrics(Metrics.create());
    final List<GroupRefusal> refusals = new ArrayList<>();
    private final Map<PeerId, Member> members = new LinkedHashMap<>();
    private final List<Delivery> inFlight = new ArrayList<>();

    /** One control message on its way over the pairwise session {@code from} -> {@code to}. */
    record Delivery(PeerId from, PeerId to, byte[] control) {}

    /** One member: its identity, its group logic and its state of the one group under test. */
    final class Member {
        final String name;
        final MessagingIdentity identity = MessagingIdentity.create(IdentityKeyPair.generate(RANDOM), RANDOM);
        final Groups groups = new Groups(identity, RANDOM, clock, metrics);
        Optional<GroupState> state = Optional.empty();

        Member(String name) {
            this.name = name;
        }

        PeerId peerId() {
            return identity.publicIdentity().peerId();
        }

        PublicIdentity publicIdentity() {
            return identity.publicIdentity();
        }

        GroupState state() {
            return state.orElseThrow(() -> new AssertionError(name + " holds no group"));
        }

        /** Applies a change this member made and puts its control messages on their way. */
        void apply(GroupResult<GroupChange> result) {
            GroupChange change = result.orElseThrow();
            state = Optional.of(change.state());
            post(peerId(), change.outgoing());
        }

        void create(String groupName) {
            state = Optional.of(groups.create(groupName));
        }

        void invite(Member member) {
            apply(groups.invite(state(), member.publicIdentity()));
        }

        void remove(Member member) {
            apply(groups.remove(state(), member.peerId()));
        }

        void leave() {
            apply(groups.leave(state()));
        }

        byte[] say(String text) {
            GroupEncrypted encrypted = groups.encrypt(state(), text.getBytes(StandardCharsets.UTF_8)).orElseThrow();
            state = Optional.of(encrypted.next());
            return encrypted.message();
        }

        String read(byte[] message) {
            GroupDecrypted decrypted = groups.decrypt(state(), message).orElseThrow();
            state = Optional.of(decrypted.next());
            return new String(decrypted.plaintext(), StandardCharsets.UTF_8);
        }

        /** The reason {@code message} is refused; asserts that the state is unchanged. */
        GroupRefusal.Reason refusalOf(byte[] message) {
            GroupState before = state();
            byte[] encodedBefore = before.encode();
            GroupResult<GroupDecrypted> result = groups.decrypt(before, message);
            assertThat(result.isRefused()).as("%s refuses the message", name).isTrue();
            assertThat(state().encode()).isEqualTo(encodedBefore);
            return result.whyRefused().orElseThrow().reason();
        }

        /** The reason a control message from {@code sender} is refused; asserts that the state is unchanged. */
        GroupRefusal.Reason refusalOfControl(byte[] control, PeerId sender) {
            Optional<byte[]> before = state.map(GroupState::encode);
            GroupResult<GroupChange> result = groups.handle(state, control, sender);
            assertThat(result.isRefused()).as("%s refuses the control message", name).isTrue();
            assertThat(state.map(GroupState::encode)).usingRecursiveComparison().isEqualTo(before);
            return result.whyRefused().orElseThrow().reason();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    Member member(String name) {
        Member m = new Member(name);
        members.put(m.peerId(), m);
        return m;
    }

    void post(PeerId from, List<Outgoing> outgoing) {
        outgoing.forEach(o -> inFlight.add(new Delivery(from, o.recipientPeerId(), o.control())));
    }

    /** Delivers every control message, and those sent in reply, in sending order. */
    void deliverAll() {
        while (!inFlight.isEmpty()) deliver(inFlight.removeFirst());
    }

    /**
     * Delivers every control message, and those sent in reply, picking at random among the first
     * waiting message of each pairwise session (so each session stays in order).
     */
    void deliverAll(Random order) {
        while (!inFlight.isEmpty()) {
            List<Integer> heads = new ArrayList<>();
            for (int i = 0; i < inFlight.size(); i++) {
                Delivery d = inFlight.get(i);
                boolean first = inFlight.subList(0, i).stream().noneMatch(e -> e.from().equals(d.from()) && e.to().equals(d.to()));
                if (first) heads.add(i);
            }
            deliver(inFlight.remove((int) heads.get(order.nextInt(heads.size()))));
        }
    }

    /** Delivers the control messages that match {@code which}, and the replies that match it, in sending order. */
    void deliverWhere(Predicate<Delivery> which) {
        for (Optional<Delivery> next = firstMatching(which); next.isPresent(); next = firstMatching(which)) {
            inFlight.remove(next.get());
            deliver(next.get());
        }
    }

    private Optional<Delivery> firstMatching(Predicate<Delivery> which) {
        return inFlight.stream().filter(which).findFirst();
    }

    /** Drops the control messages still on their way to {@code member} (it was offline, say). */
    List<Delivery> takeInFlightTo(Member member) {
        List<Delivery> taken = inFlight.stream().filter(d -> d.to().equals(member.peerId())).toList();
        inFlight.removeAll(taken);
        return taken;
    }

    int inFlight() {
        return inFlight.size();
    }

    private void deliver(Delivery delivery) {
        Member to = members.get(delivery.to());
        GroupResult<GroupChange> result = to.groups.handle(to.state, delivery.control(), delivery.from());
        switch (result) {
            case GroupResult.Ok<GroupChange> ok -> {
                to.state = Optional.of(ok.value().state());
                post(to.peerId(), ok.value().outgoing());
            }
            case GroupResult.Refused<GroupChange> refused -> refusals.add(refused.refusal());
        }
    }
}
