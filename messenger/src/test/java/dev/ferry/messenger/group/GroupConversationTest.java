package dev.ferry.messenger.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.SeededProperty;
import dev.ferry.messenger.group.GroupNetwork.Member;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Groups from creation to their end, with the control messages carried as bytes between members. */
class GroupConversationTest {
    private final GroupNetwork network = new GroupNetwork();

    private List<Member> groupOfFive() {
        Member owner = network.member("owner");
        owner.create("five friends");
        List<Member> all = new ArrayList<>(List.of(owner));
        for (String name : List.of("bob", "carol", "dave", "erin")) {
            Member m = network.member(name);
            owner.invite(m);
            network.deliverAll();
            all.add(m);
        }
        return all;
    }

    /** Every member says something and every other member reads it. */
    private static void everyoneReadsEveryone(List<Member> members, String round) {
        for (Member speaker : members) {
            byte[] message = speaker.say(round + " from " + speaker.name);
            for (Member reader : members) {
                if (reader != speaker) assertThat(reader.read(message)).isEqualTo(round + " from " + speaker.name);
            }
        }
    }

    @Test
    void shouldLetFiveMembersReadEachOthersMessagesThroughTheControlMessagesTheyExchange() {
        List<Member> members = groupOfFive();

        assertThat(network.refusals).isEmpty();
        for (Member m : members) {
            assertThat(m.state().epoch()).isEqualTo(4);
            assertThat(m.state().members()).hasSize(5);
            assertThat(m.state().name()).isEqualTo("five friends");
            assertThat(m.state().topic()).isEqualTo(members.getFirst().state().topic());
            assertThat(m.state().currentSecret().mailboxKey()).isEqualTo(members.getFirst().state().currentSecret().mailboxKey());
        }
        everyoneReadsEveryone(members, "hello");
        everyoneReadsEveryone(members, "again");
    }

    @Test
    void shouldKeepARemovedMemberOutOfTheNextEpochItsMessagesAndItsMailbox() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), erin = members.get(4);
        EpochSecret erinsLastSecret = erin.state().currentSecret();

        owner.remove(erin);
        network.deliverAll();
        List<Member> remaining = members.subList(0, 4);

        assertThat(erin.state().status()).isEqualTo(GroupStatus.REMOVED);
        assertThat(erin.state().epoch()).isEqualTo(4);
        for (Member m : remaining) {
            assertThat(m.state().epoch()).isEqualTo(5);
            assertThat(m.state().roster().member(erin.peerId())).isEmpty();
        }
        everyoneReadsEveryone(remaining, "without erin");

        byte[] secretMessage = owner.say("erin must not read this");
        // Erin's own state refuses to read (it is removed), and even the sender keys it held cannot read epoch 5.
        assertThat(erin.refusalOf(secretMessage)).isEqualTo(GroupRefusal.Reason.INACTIVE);
        GroupState erinStillActive = erin.state().withStatus(GroupStatus.ACTIVE);
        assertThat(erin.groups.decrypt(erinStillActive, secretMessage).whyRefused().orElseThrow().reason())
                .isEqualTo(GroupRefusal.Reason.EPOCH_AHEAD);
        assertThat(erinStillActive.senderKeys().hasChain(5, owner.publicIdentity().signingKey())).isFalse();
        // Nor can it derive epoch 5's mailbox: every secret it ever held gives other keys.
        byte[] newMailbox = owner.state().currentSecret().mailboxKey();
        for (EpochSecret held : erin.state().keptSecrets()) {
            assertThat(held.mailboxKey()).isNotEqualTo(newMailbox);
            assertThat(held.sealKeyPair().publicKey()).isNotEqualTo(owner.state().currentSecret().sealKeyPair().publicKey());
        }
        assertThat(erinsLastSecret.mailboxKey()).isNotEqualTo(newMailbox);
        // And what Erin sends in its old epoch is refused once the grace has passed.
        byte[] fromErin = erin.groups.encrypt(erinStillActive, "still here?".getBytes()).orElseThrow().message();
        network.clock.advance(GroupLimits.EPOCH_GRACE.plusSeconds(1));
        assertThat(owner.refusalOf(fromErin)).isEqualTo(GroupRefusal.Reason.EPOCH_EXPIRED);
    }

    @Test
    void shouldReadLateMessagesOfThePreviousEpochWithinTheGraceOnly() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), bob = members.get(1), carol = members.get(2), erin = members.get(4);
        byte[] early = bob.say("sent in epoch 4");
        byte[] later = bob.say("also sent in epoch 4");

        owner.remove(erin);
        network.deliverAll();

        assertThat(carol.read(early)).isEqualTo("sent in epoch 4");
        network.clock.advance(GroupLimits.EPOCH_GRACE.plusMillis(1));
        assertThat(carol.refusalOf(later)).isEqualTo(GroupRefusal.Reason.EPOCH_EXPIRED);
    }

    @Test
    void shouldStartANewEpochWithoutAMemberWhoLeaves() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), dave = members.get(3);

        dave.leave();
        network.deliverAll();

        assertThat(dave.state().status()).isEqualTo(GroupStatus.LEFT);
        List<Member> remaining = List.of(members.get(0), members.get(1), members.get(2), members.get(4));
        for (Member m : remaining) {
            assertThat(m.state().epoch()).isEqualTo(5);
            assertThat(m.state().roster().member(dave.peerId())).isEmpty();
        }
        assertThat(network.metrics.events(GroupEvent.MEMBER_LEFT)).isEqualTo(4);
        everyoneReadsEveryone(remaining, "after dave");
        assertThat(dave.refusalOf(owner.say("bye dave"))).isEqualTo(GroupRefusal.Reason.INACTIVE);
        assertThat(network.refusals).isEmpty();
    }

    @Test
    void shouldKeepAMemberWhoLeftOutWhenARosterMadeBeforeTheOwnerHeardOfItArrivesAfter() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), carol = members.get(2), erin = members.get(4);

        // The owner removes erin while carol's leave is on its way: that roster still lists carol.
        owner.remove(erin);
        carol.leave();
        network.deliverAll();

        assertThat(carol.state().status()).isEqualTo(GroupStatus.LEFT);
        assertThat(network.refusals).extracting(GroupRefusal::reason).containsOnly(GroupRefusal.Reason.INACTIVE);
        List<Member> remaining = List.of(members.get(0), members.get(1), members.get(3));
        for (Member m : remaining) assertThat(m.state().roster().member(carol.peerId())).isEmpty();
        everyoneReadsEveryone(remaining, "after carol and erin");
        assertThat(carol.refusalOf(owner.say("still there?"))).isEqualTo(GroupRefusal.Reason.INACTIVE);
    }

    @Test
    void shouldEndTheGroupForEveryoneWhenTheOwnerLeaves() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), bob = members.get(1);

        owner.leave();
        network.deliverAll();

        for (Member m : members) assertThat(m.state().status()).isEqualTo(GroupStatus.ENDED);
        assertThat(bob.groups.encrypt(bob.state(), new byte[] {1}).whyRefused().orElseThrow().reason()).isEqualTo(GroupRefusal.Reason.INACTIVE);
        assertThat(bob.groups.leave(bob.state()).whyRefused().orElseThrow().reason()).isEqualTo(GroupRefusal.Reason.INACTIVE);
    }

    @Test
    void shouldBringBackARemovedMemberWhoIsInvitedAgain() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), erin = members.get(4);
        owner.remove(erin);
        network.deliverAll();

        owner.invite(erin);
        network.deliverAll();

        assertThat(erin.state().status()).isEqualTo(GroupStatus.ACTIVE);
        assertThat(erin.state().epoch()).isEqualTo(6);
        everyoneReadsEveryone(members, "welcome back");
        assertThat(network.refusals).isEmpty();
    }

    @Test
    void shouldGetEveryKeyToEveryMemberWhateverTheOrderOfDeliveryAcrossSessions() {
        SeededProperty.forAll("group key exchange in any order", 40, random -> {
            GroupNetwork net = new GroupNetwork();
            Member owner = net.member("owner");
            owner.create("shuffled");
            List<Member> all = new ArrayList<>(List.of(owner));
            for (int i = 0; i < 4; i++) {
                Member m = net.member("m" + i);
                all.add(m);
                owner.invite(m);
                // Invitations pile up before anything is delivered: new epochs overtake each other.
                if (random.nextBoolean()) net.deliverAll(random);
            }
            net.deliverAll(random);
            if (random.nextBoolean()) {
                Member removed = all.remove(1 + random.nextInt(all.size() - 1));
                owner.remove(removed);
                net.deliverAll(random);
            }
            for (Member m : all) assertThat(m.state().epoch()).isEqualTo(owner.state().epoch());
            for (Member m : all) assertThat(m.state().pendingDistributions()).isZero();
            everyoneReadsEveryone(all, "shuffled");
            // Only keys sent to a newcomer before its invitation arrived may be refused; the newcomer asked again.
            assertThat(net.refusals).allSatisfy(r -> assertThat(r.reason()).isIn(GroupRefusal.Reason.UNKNOWN_GROUP, GroupRefusal.Reason.EPOCH_EXPIRED, GroupRefusal.Reason.INACTIVE));
        });
    }

    @Test
    void shouldHoldASenderKeyThatArrivesBeforeItsEpochsRosterUntilTheRosterComes() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), bob = members.get(1), carol = members.get(2);
        Member frank = network.member("frank");
        owner.invite(frank);
        // Carol is slow: hold back everything addressed to her, let the others talk.
        List<GroupNetwork.Delivery> forCarol = network.takeInFlightTo(carol);
        network.deliverAll();
        forCarol = new ArrayList<>(forCarol);
        forCarol.addAll(network.takeInFlightTo(carol));
        // The others' new keys reach her first, the owner's roster last.
        forCarol.sort((a, b) -> Boolean.compare(a.from().equals(owner.peerId()), b.from().equals(owner.peerId())));
        for (GroupNetwork.Delivery d : forCarol) {
            GroupChange change = carol.groups.handle(carol.state, d.control(), d.from()).orElseThrow();
            carol.state = Optional.of(change.state());
            network.post(carol.peerId(), change.outgoing());
            if (!d.from().equals(owner.peerId())) assertThat(change.event()).isEqualTo(GroupEvent.SENDER_KEY_PENDING);
        }
        network.deliverAll();

        assertThat(carol.state().epoch()).isEqualTo(5);
        assertThat(carol.state().pendingDistributions()).isZero();
        assertThat(carol.state().hasSenderKey(5, bob.peerId())).isTrue();
        assertThat(carol.state().hasSenderKey(5, frank.peerId())).isTrue();
        List<Member> six = new ArrayList<>(members);
        six.add(frank);
        everyoneReadsEveryone(six, "six");
    }

    @Test
    void shouldContinueAConversationFromSerialisedStatesAfterARestart() {
        List<Member> members = groupOfFive();
        everyoneReadsEveryone(members, "before");
        Member bob = members.get(1), carol = members.get(2);
        byte[] inFlight = bob.say("sent before carol restarts");

        for (Member m : members) {
            // Each member's node has its own store; the group's record is keyed by the group id.
            try (InMemoryFerryStore store = InMemoryFerryStore.create(StoreLimits.DEFAULTS)) {
                store.groups().put(m.state().storeKey(), m.state().encode());
                byte[] stored = store.groups().get(m.state().storeKey()).orElseThrow();
                GroupState restored = GroupState.decode(stored).orElseThrow();
                assertThat(restored).isEqualTo(m.state());
                assertThat(restored.encode()).isEqualTo(stored);
                m.state = Optional.of(restored);
            }
        }

        assertThat(carol.read(inFlight)).isEqualTo("sent before carol restarts");
        assertThat(carol.refusalOf(inFlight)).isEqualTo(GroupRefusal.Reason.REPLAY);
        everyoneReadsEveryone(members, "after");
    }

    @Test
    void shouldRefuseReplaysForgeriesOwnMessagesAndOtherGroupsWithoutChangingState() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), bob = members.get(1), carol = members.get(2);
        byte[] message = bob.say("once");
        assertThat(carol.read(message)).isEqualTo("once");

        assertThat(carol.refusalOf(message)).isEqualTo(GroupRefusal.Reason.REPLAY);
        assertThat(bob.refusalOf(message)).isEqualTo(GroupRefusal.Reason.OWN_MESSAGE);
        byte[] forged = bob.say("forged");
        forged[forged.length - 3] ^= 1; // inside the signature
        assertThat(carol.refusalOf(forged)).isEqualTo(GroupRefusal.Reason.BAD_SIGNATURE);
        assertThat(carol.refusalOf(Arrays.copyOf(message, 7))).isEqualTo(GroupRefusal.Reason.MALFORMED);

        Member stranger = network.member("stranger");
        stranger.create("another group");
        byte[] elsewhere = stranger.say("hi");
        assertThat(carol.refusalOf(elsewhere)).isEqualTo(GroupRefusal.Reason.WRONG_GROUP);
        assertThat(network.metrics.refusals(GroupRefusal.Reason.REPLAY)).isEqualTo(1);
        assertThat(owner.state().status()).isEqualTo(GroupStatus.ACTIVE);
    }

    @Test
    void shouldAskForARetryOfMessagesWhoseEpochOrSenderKeyHasNotArrivedYetAndReadThemLater() {
        List<Member> members = groupOfFive();
        Member owner = members.get(0), bob = members.get(1), carol = members.get(2);
        Member frank = network.member("frank");
        owner.invite(frank);
        // Bob and Frank install epoch 5; Bob's key to Frank and everything for Carol are still on their way.
        network.deliverWhere(d -> d.to().equals(bob.peerId()) || (d.to().equals(frank.peerId()) && d.from().equals(owner.peerId())));
        byte[] fromBob = bob.say("first words of epoch 5");

        assertThat(frank.refusalOf(fromBob)).isEqualTo(GroupRefusal.Reason.NO_SENDER_KEY);
        assertThat(carol.refusalOf(fromBob)).isEqualTo(GroupRefusal.Reason.EPOCH_AHEAD);
        network.deliverAll();
        assertThat(frank.read(fromBob)).isEqualTo("first words of epoch 5");
        assertThat(carol.read(fromBob)).isEqualTo("first words of epoch 5");
    }

    @Test
    void shouldBoundControlMessagesAndStateOfAFullGroup() {
        Member owner = network.member("owner");
        owner.create("x".repeat(GroupLimits.MAX_NAME_BYTES));
        GroupChange last = null;
        for (int i = 1; i < GroupLimits.MAX_MEMBERS; i++) {
            last = owner.groups.invite(owner.state(), network.member("m" + i).publicIdentity()).orElseThrow();
            owner.state = Optional.of(last.state());
        }
        assertThat(owner.state().members()).hasSize(GroupLimits.MAX_MEMBERS);
        assertThat(last.outgoing()).allSatisfy(o -> assertThat(o.control().length).isLessThanOrEqualTo(GroupLimits.MAX_CONTROL_LENGTH));
        assertThat(owner.state().encode().length).isLessThanOrEqualTo(GroupLimits.MAX_STATE_LENGTH);
        assertThat(owner.state().roster().encode().length).isLessThanOrEqualTo(GroupLimits.MAX_ROSTER_LENGTH);
        Member oneTooMany = network.member("one too many");
        assertThat(owner.groups.invite(owner.state(), oneTooMany.publicIdentity()).whyRefused().orElseThrow().reason())
                .isEqualTo(GroupRefusal.Reason.GROUP_FULL);
    }
}
