package dev.ferry.messenger.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.messenger.group.GroupNetwork.Member;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Persisted states round-trip exactly at every point of a group's life, and every decoder given
 * random or mutated bytes (states, rosters, control messages, group messages) answers with a value:
 * a refusal that changes nothing, never an exception.
 */
class GroupDecodingPropertiesTest {
    /** Field tags of the formats under test, varint continuation bytes, zero. */
    private static final byte[] SPECIAL = {0x08, 0x0a, 0x10, 0x12, 0x18, 0x1a, 0x20, 0x22, 0x28, 0x2a, 0x32, 0x3a, (byte) 0x80, (byte) 0xff, 0};

    private static void roundTripsExactly(GroupState state) {
        byte[] encoded = state.encode();
        GroupState decoded = GroupState.decode(encoded).orElseThrow();
        assertThat(decoded).isEqualTo(state);
        assertThat(decoded.encode()).isEqualTo(encoded);
    }

    private static void allRoundTrip(List<Member> members) {
        members.stream().filter(m -> m.state.isPresent()).forEach(m -> roundTripsExactly(m.state()));
    }

    @Test
    void shouldRoundTripEveryMembersStateExactlyThroughoutAGroupsLife() {
        GroupNetwork network = new GroupNetwork();
        Member owner = network.member("owner"), bob = network.member("bob"), carol = network.member("carol"), dave = network.member("dave");
        List<Member> all = List.of(owner, bob, carol, dave);
        owner.create("life");
        allRoundTrip(all);
        owner.invite(bob);
        owner.invite(carol);
        network.deliverAll();
        allRoundTrip(all);
        owner.invite(dave);
        // Carol holds the others' keys of a newer epoch than the one she installed: pending distributions.
        network.deliverWhere(d -> !(d.to().equals(carol.peerId()) && d.from().equals(owner.peerId())));
        assertThat(carol.state().pendingDistributions()).isPositive();
        allRoundTrip(all);
        network.deliverAll();
        assertThat(carol.state().pendingDistributions()).isZero();
        for (Member speaker : all) {
            byte[] message = speaker.say("from " + speaker.name);
            for (Member reader : all) if (reader != speaker) reader.read(message);
        }
        allRoundTrip(all);
        owner.remove(dave);
        network.deliverAll();
        assertThat(dave.state().status()).isEqualTo(GroupStatus.REMOVED);
        allRoundTrip(all);
        carol.leave();
        network.deliverAll();
        assertThat(carol.state().status()).isEqualTo(GroupStatus.LEFT);
        allRoundTrip(all);
        owner.leave();
        network.deliverAll();
        assertThat(bob.state().status()).isEqualTo(GroupStatus.ENDED);
        allRoundTrip(all);
    }

    @Test
    void shouldRoundTripRandomHistoriesExactly() {
        SeededProperty.forAll("group state round trip", 12, random -> {
            GroupNetwork network = new GroupNetwork();
            Member owner = network.member("owner");
            owner.create("random " + random.nextInt());
            List<Member> members = new ArrayList<>(List.of(owner));
            for (int step = 0; step < 12; step++) {
                switch (random.nextInt(4)) {
                    case 0 -> {
                        if (members.size() < 5) {
                            Member m = network.member("m" + step);
                            owner.invite(m);
                            members.add(m);
                        }
                    }
                    case 1 -> {
                        if (members.size() > 2) owner.remove(members.remove(1 + random.nextInt(members.size() - 1)));
                    }
                    default -> {
                        network.deliverAll(random);
                        Member speaker = members.get(random.nextInt(members.size()));
                        byte[] message = speaker.say("step " + step);
                        for (Member reader : members) if (reader != speaker && random.nextBoolean()) reader.read(message);
                    }
                }
                if (random.nextBoolean()) network.clock.advance(java.time.Duration.ofSeconds(random.nextInt(600)));
                members.forEach(m -> m.state.ifPresent(GroupDecodingPropertiesTest::roundTripsExactly));
            }
        });
    }

    /** Random or mutated inputs, each given to {@code check}, which must not throw. */
    private static void fuzz(String name, int cases, byte[] valid, java.util.function.Consumer<byte[]> check) {
        SeededProperty.forAll(name, cases, random -> {
            byte[] input = random.nextInt(5) == 0 ? SeededProperty.bytes(random, random.nextInt(300)) : mutateSomeTimes(random, valid);
            check.accept(input);
        });
    }

    private static byte[] mutateSomeTimes(Random random, byte[] valid) {
        byte[] out = valid;
        for (int i = 1 + random.nextInt(3); i > 0; i--) out = ByteMutations.mutate(random, out, SPECIAL, 24);
        return out;
    }

    /** {@code owner} creates a group and {@code member} joins it. */
    private static void ownerInvites(GroupNetwork network, Member owner, Member member) {
        owner.create("fuzz");
        owner.invite(member);
        network.deliverAll();
    }

    @Test
    void shouldDecodeMutatedStatesAndRostersToAValueNeverAnException() {
        GroupNetwork network = new GroupNetwork();
        Member owner = network.member("owner"), bob = network.member("bob");
        ownerInvites(network, owner, bob);
        bob.read(owner.say("something"));
        byte[] state = bob.state().encode();

        fuzz("group state decoding", 1500, state, bytes -> {
            GroupResult<GroupState> decoded = GroupState.decode(bytes);
            // Whatever decodes is a state this layer accepts: it encodes, and that decodes again.
            decoded.whyRefused().ifPresentOrElse(r -> assertThat(r.reason()).isNotNull(),
                    () -> roundTripsExactly(decoded.orElseThrow()));
        });
        fuzz("roster decoding", 1000, bob.state().roster().encode(), bytes -> GroupRoster.decode(bytes).whyRefused());
    }

    @Test
    void shouldRefuseMutatedControlMessagesWithoutChangingStateOrThrowing() {
        GroupNetwork network = new GroupNetwork();
        Member owner = network.member("owner"), bob = network.member("bob"), carol = network.member("carol");
        ownerInvites(network, owner, bob);
        owner.invite(carol);
        List<GroupNetwork.Delivery> toBob = network.takeInFlightTo(bob);
        network.deliverAll();
        toBob = new ArrayList<>(toBob);
        toBob.addAll(network.takeInFlightTo(bob));
        GroupChange carolLeaves = carol.groups.leave(carol.state()).orElseThrow();
        GroupState bobsState = bob.state();
        byte[] bobsEncoded = bobsState.encode();

        List<GroupNetwork.Delivery> samples = new ArrayList<>(toBob);
        carolLeaves.outgoing().stream().filter(o -> o.recipientPeerId().equals(bob.peerId()))
                .forEach(o -> samples.add(new GroupNetwork.Delivery(carol.peerId(), bob.peerId(), o.control())));
        for (GroupNetwork.Delivery sample : samples) {
            fuzz("control message handling", 300, sample.control(), bytes -> {
                for (Optional<GroupState> current : List.of(Optional.of(bobsState), Optional.<GroupState>empty())) {
                    GroupResult<GroupChange> result = bob.groups.handle(current, bytes, sample.from());
                    if (!result.isRefused()) roundTripsExactly(result.orElseThrow().state());
                }
                Groups.groupOfControl(bytes).whyRefused();
            });
        }
        assertThat(bobsState.encode()).isEqualTo(bobsEncoded);
    }

    @Test
    void shouldRefuseMutatedGroupMessagesWithoutChangingStateOrThrowing() {
        GroupNetwork network = new GroupNetwork();
        Member owner = network.member("owner"), bob = network.member("bob");
        ownerInvites(network, owner, bob);
        byte[] message = owner.say("the one true message");
        GroupState reader = bob.state();
        byte[] encodedBefore = reader.encode();
        Function<GroupDecrypted, String> text = d -> new String(d.plaintext(), StandardCharsets.UTF_8);

        fuzz("group message decryption", 1500, message, bytes -> {
            GroupResult<GroupDecrypted> result = bob.groups.decrypt(reader, bytes);
            // A mutation that keeps the signed body (an unknown field appended, say) still reads as sent.
            if (!result.isRefused()) assertThat(text.apply(result.orElseThrow())).isEqualTo("the one true message");
            Groups.groupOfMessage(bytes).whyRefused();
        });
        assertThat(reader.encode()).isEqualTo(encodedBefore);
        assertThat(text.apply(bob.groups.decrypt(reader, message).orElseThrow())).isEqualTo("the one true message");
    }
}
