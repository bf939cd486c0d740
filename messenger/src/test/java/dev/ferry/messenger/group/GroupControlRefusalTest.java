package dev.ferry.messenger.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.senderkey.GroupSenderKeys;
import dev.ferry.crypto.x3dh.PublicIdentity;
import dev.ferry.messenger.group.GroupNetwork.Member;
import dev.ferry.messenger.proto.GroupProto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rosters and control messages that must not change a group: forged, from the wrong member, replayed, malformed. */
class GroupControlRefusalTest {
    private final GroupNetwork network = new GroupNetwork();
    private Member owner, bob, carol, dave;

    @BeforeEach
    void aGroupOfFour() {
        owner = network.member("owner");
        owner.create("four");
        bob = network.member("bob");
        carol = network.member("carol");
        dave = network.member("dave");
        for (Member m : List.of(bob, carol, dave)) {
            owner.invite(m);
            network.deliverAll();
        }
        assertThat(network.refusals).isEmpty();
    }

    /** A roster body signed by {@code signer} with the roster label, as an owner would. */
    private static GroupProto.GroupSignedRoster signed(GroupProto.GroupRosterBody body, IdentityKeyPair signer) {
        byte[] bytes = body.toByteArray();
        byte[] label = "ferry/group/v1/roster".getBytes(StandardCharsets.US_ASCII);
        byte[] signedBytes = new byte[label.length + bytes.length];
        System.arraycopy(label, 0, signedBytes, 0, label.length);
        System.arraycopy(bytes, 0, signedBytes, label.length, bytes.length);
        return GroupProto.GroupSignedRoster.newBuilder().setBody(ByteString.copyFrom(bytes)).setSignature(ByteString.copyFrom(signer.sign(signedBytes))).build();
    }

    private static GroupProto.GroupRosterBody.Builder body(byte[] groupId, long epoch, PublicIdentity owner, List<PublicIdentity> members) {
        GroupProto.GroupRosterBody.Builder body = GroupProto.GroupRosterBody.newBuilder()
                .setGroupId(ByteString.copyFrom(groupId)).setEpoch(epoch).setName("forged").setCreatedMillis(1)
                .setOwner(MemberIdentities.encode(owner));
        members.forEach(m -> body.addMembers(MemberIdentities.encode(m)));
        return body;
    }

    /** An epoch update as {@code signer} would send it: its roster, a secret, and its own distribution. */
    private static byte[] update(GroupProto.GroupSignedRoster roster, Member signer, byte[] groupId, long epoch) {
        byte[] distribution = GroupSenderKeys.create(groupId, signer.publicIdentity().signingKey(), epoch, GroupNetwork.RANDOM).distribution().encode();
        return GroupProto.GroupControl.newBuilder().setEpochUpdate(GroupProto.GroupEpochUpdate.newBuilder()
                .setRoster(roster).setEpochSecret(ByteString.copyFrom(new byte[32])).setOwnerDistribution(ByteString.copyFrom(distribution)))
                .build().toByteArray();
    }

    private static GroupProto.GroupControl parse(byte[] control) {
        try {
            return GroupProto.GroupControl.parseFrom(control);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldRefuseARosterWhoseSignatureDoesNotVerify() throws Exception {
        Member erin = network.member("erin");
        owner.invite(erin);
        byte[] toErin = network.takeInFlightTo(erin).getFirst().control();
        byte[] toCarol = network.takeInFlightTo(carol).getFirst().control();
        for (byte[] genuine : List.of(toErin, toCarol)) {
            GroupProto.GroupControl control = parse(genuine);
            GroupProto.GroupRosterBody renamed = GroupProto.GroupRosterBody.parseFrom(control.getEpochUpdate().getRoster().getBody()).toBuilder()
                    .setName("renamed by someone").build();
            byte[] forged = control.toBuilder().setEpochUpdate(control.getEpochUpdate().toBuilder()
                    .setRoster(control.getEpochUpdate().getRoster().toBuilder().setBody(renamed.toByteString()))).build().toByteArray();
            Member to = genuine == toErin ? erin : carol;
            assertThat(to.refusalOfControl(forged, owner.peerId())).isEqualTo(GroupRefusal.Reason.BAD_SIGNATURE);
        }
    }

    @Test
    void shouldRefuseARosterSignedByAnotherOwnerThanTheGroups() {
        GroupState held = carol.state();
        long next = held.epoch() + 1;
        GroupProto.GroupSignedRoster mutiny = signed(body(held.groupId(), next, bob.publicIdentity(),
                List.of(bob.publicIdentity(), carol.publicIdentity())).build(), bob.identity.nodeKey());

        assertThat(carol.refusalOfControl(update(mutiny, bob, held.groupId(), next), bob.peerId())).isEqualTo(GroupRefusal.Reason.WRONG_OWNER);
    }

    @Test
    void shouldRefuseTheOwnersRosterForwardedByAnotherMember() {
        Member erin = network.member("erin");
        owner.invite(erin);
        byte[] toCarol = network.takeInFlightTo(carol).getFirst().control();

        assertThat(carol.refusalOfControl(toCarol, bob.peerId())).isEqualTo(GroupRefusal.Reason.NOT_FROM_OWNER);
        assertThat(carol.groups.handle(carol.state, toCarol, owner.peerId()).isRefused()).isFalse();
    }

    @Test
    void shouldRefuseAReplayedRosterOfAnOlderOrTheSameEpoch() {
        Member erin = network.member("erin");
        owner.invite(erin);
        byte[] epoch4 = network.takeInFlightTo(carol).getFirst().control();
        carol.apply(carol.groups.handle(carol.state, epoch4, owner.peerId()));
        network.deliverAll();

        assertThat(carol.refusalOfControl(epoch4, owner.peerId())).isEqualTo(GroupRefusal.Reason.STALE_EPOCH);
        owner.remove(erin);
        network.deliverAll();
        assertThat(carol.state().epoch()).isEqualTo(5);
        assertThat(carol.refusalOfControl(epoch4, owner.peerId())).isEqualTo(GroupRefusal.Reason.STALE_EPOCH);
    }

    @Test
    void shouldRefuseARosterThatOmitsItsOwnerOrListsAMemberTwice() {
        GroupState held = carol.state();
        long next = held.epoch() + 1;
        IdentityKeyPair ownerKey = owner.identity.nodeKey();
        GroupProto.GroupSignedRoster ownerless = signed(body(held.groupId(), next, owner.publicIdentity(),
                List.of(bob.publicIdentity(), carol.publicIdentity())).build(), ownerKey);
        GroupProto.GroupSignedRoster twice = signed(body(held.groupId(), next, owner.publicIdentity(),
                List.of(owner.publicIdentity(), carol.publicIdentity(), carol.publicIdentity())).build(), ownerKey);

        assertThat(carol.refusalOfControl(update(ownerless, owner, held.groupId(), next), owner.peerId())).isEqualTo(GroupRefusal.Reason.OWNER_NOT_LISTED);
        assertThat(carol.refusalOfControl(update(twice, owner, held.groupId(), next), owner.peerId())).isEqualTo(GroupRefusal.Reason.DUPLICATE_MEMBER);
        assertThat(GroupRoster.decode(ownerless.toByteArray()).whyRefused().orElseThrow().reason()).isEqualTo(GroupRefusal.Reason.OWNER_NOT_LISTED);
    }

    @Test
    void shouldRefuseANewEpochThatDoesNotListTheMemberOrCarriesASecretOfTheWrongSize() {
        GroupState held = carol.state();
        long next = held.epoch() + 1;
        GroupProto.GroupSignedRoster withoutCarol = signed(body(held.groupId(), next, owner.publicIdentity(),
                List.of(owner.publicIdentity(), bob.publicIdentity())).build(), owner.identity.nodeKey());
        GroupProto.GroupSignedRoster withCarol = signed(body(held.groupId(), next, owner.publicIdentity(),
                List.of(owner.publicIdentity(), carol.publicIdentity())).build(), owner.identity.nodeKey());
        GroupProto.GroupControl shortSecret = parse(update(withCarol, owner, held.groupId(), next));
        shortSecret = shortSecret.toBuilder().setEpochUpdate(shortSecret.getEpochUpdate().toBuilder().setEpochSecret(ByteString.copyFrom(new byte[31]))).build();

        assertThat(carol.refusalOfControl(update(withoutCarol, owner, held.groupId(), next), owner.peerId())).isEqualTo(GroupRefusal.Reason.NOT_LISTED);
        assertThat(carol.refusalOfControl(shortSecret.toByteArray(), owner.peerId())).isEqualTo(GroupRefusal.Reason.MALFORMED);
    }

    @Test
    void shouldRefuseRemovalAndEndNoticesFromAnyoneButTheOwner() {
        owner.remove(dave);
        byte[] removalOfDave = network.takeInFlightTo(dave).getFirst().control();
        byte[] end = GroupProto.GroupControl.newBuilder().setEnded(GroupProto.GroupEnded.newBuilder()
                .setGroupId(ByteString.copyFrom(carol.state().groupId())).setEpoch(carol.state().epoch())).build().toByteArray();

        assertThat(dave.refusalOfControl(removalOfDave, bob.peerId())).isEqualTo(GroupRefusal.Reason.NOT_FROM_OWNER);
        assertThat(carol.refusalOfControl(end, bob.peerId())).isEqualTo(GroupRefusal.Reason.NOT_FROM_OWNER);
        dave.apply(dave.groups.handle(dave.state, removalOfDave, owner.peerId()));
        assertThat(dave.state().status()).isEqualTo(GroupStatus.REMOVED);
    }

    @Test
    void shouldLetOnlyTheOwnerInviteAndRemoveAndNeverRemoveTheOwner() {
        Member erin = network.member("erin");

        assertThat(bob.groups.invite(bob.state(), erin.publicIdentity()).whyRefused().orElseThrow().reason()).isEqualTo(GroupRefusal.Reason.NOT_OWNER);
        assertThat(bob.groups.remove(bob.state(), carol.peerId()).whyRefused().orElseThrow().reason()).isEqualTo(GroupRefusal.Reason.NOT_OWNER);
        assertThat(owner.groups.remove(owner.state(), owner.peerId()).whyRefused().orElseThrow().reason())
                .isEqualTo(GroupRefusal.Reason.OWNER_CANNOT_BE_REMOVED);
        assertThat(owner.groups.invite(owner.state(), carol.publicIdentity()).whyRefused().orElseThrow().reason())
                .isEqualTo(GroupRefusal.Reason.ALREADY_MEMBER);
        assertThat(owner.groups.remove(owner.state(), erin.peerId()).whyRefused().orElseThrow().reason()).isEqualTo(GroupRefusal.Reason.NOT_A_MEMBER);
        assertThat(network.metrics.refusals(GroupRefusal.Reason.NOT_OWNER)).isEqualTo(2);
    }

    @Test
    void shouldRefuseSenderKeysThatNameAnotherSenderOrComeFromOutsideTheRoster() {
        Member stranger = network.member("stranger");
        byte[] bobsKey = GroupProto.GroupControl.newBuilder().setSenderKey(GroupProto.GroupSenderKey.newBuilder()
                .setDistribution(ByteString.copyFrom(bob.state().senderKeys().distribution().encode()))).build().toByteArray();
        byte[] strangersKey = GroupProto.GroupControl.newBuilder().setSenderKey(GroupProto.GroupSenderKey.newBuilder()
                .setDistribution(ByteString.copyFrom(GroupSenderKeys.create(carol.state().groupId(), stranger.publicIdentity().signingKey(),
                        carol.state().epoch(), GroupNetwork.RANDOM).distribution().encode()))).build().toByteArray();
        byte[] leave = GroupProto.GroupControl.newBuilder().setLeave(GroupProto.GroupLeave.newBuilder()
                .setGroupId(ByteString.copyFrom(carol.state().groupId())).setEpoch(carol.state().epoch())).build().toByteArray();

        assertThat(dave.refusalOfControl(bobsKey, carol.peerId())).isEqualTo(GroupRefusal.Reason.SENDER_MISMATCH);
        assertThat(bob.refusalOfControl(bobsKey, bob.peerId())).isEqualTo(GroupRefusal.Reason.SENDER_MISMATCH);
        assertThat(dave.refusalOfControl(strangersKey, stranger.peerId())).isEqualTo(GroupRefusal.Reason.SENDER_NOT_IN_ROSTER);
        assertThat(owner.refusalOfControl(leave, stranger.peerId())).isEqualTo(GroupRefusal.Reason.NOT_A_MEMBER);
        assertThat(carol.refusalOfControl(leave, owner.peerId())).isEqualTo(GroupRefusal.Reason.OWNER_CANNOT_BE_REMOVED);
        assertThat(stranger.refusalOfControl(bobsKey, bob.peerId())).isEqualTo(GroupRefusal.Reason.UNKNOWN_GROUP);
    }

    private static byte[] senderKeyOf(Member sender, byte[] groupId, long epoch) {
        return GroupProto.GroupControl.newBuilder().setSenderKey(GroupProto.GroupSenderKey.newBuilder()
                .setDistribution(ByteString.copyFrom(GroupSenderKeys.create(groupId, sender.publicIdentity().signingKey(), epoch,
                        GroupNetwork.RANDOM).distribution().encode()))).build().toByteArray();
    }

    @Test
    void shouldHoldSenderKeysUpToEightEpochsAheadAndRefuseFurther() {
        GroupState held = carol.state();
        byte[] farthestHeld = senderKeyOf(bob, held.groupId(), held.epoch() + GroupLimits.MAX_PENDING_EPOCHS_AHEAD);
        byte[] tooFar = senderKeyOf(bob, held.groupId(), held.epoch() + GroupLimits.MAX_PENDING_EPOCHS_AHEAD + 1);

        GroupChange held8 = carol.groups.handle(carol.state, farthestHeld, bob.peerId()).orElseThrow();
        assertThat(held8.event()).isEqualTo(GroupEvent.SENDER_KEY_PENDING);
        assertThat(held8.state().pendingDistributions()).isEqualTo(1);
        assertThat(carol.refusalOfControl(tooFar, bob.peerId())).isEqualTo(GroupRefusal.Reason.EPOCH_OUT_OF_RANGE);
    }

    @Test
    void shouldRefuseAControlMessageForAnotherGroupThanTheStateGiven() {
        Member other = network.member("other owner");
        other.create("elsewhere");
        other.invite(carol);
        byte[] invitation = network.takeInFlightTo(carol).getFirst().control();

        assertThat(carol.refusalOfControl(invitation, other.peerId())).isEqualTo(GroupRefusal.Reason.WRONG_GROUP);
        assertThat(Groups.groupOfControl(invitation).orElseThrow()).isEqualTo(other.state().storeKey());
        // With no state for that group, the same bytes are an invitation to it.
        assertThat(carol.groups.handle(java.util.Optional.empty(), invitation, other.peerId()).orElseThrow().event()).isEqualTo(GroupEvent.JOINED);
    }

    @Test
    void shouldRefuseControlMessagesOverTheSizeLimitBeforeParsingThem() {
        byte[] huge = new byte[GroupLimits.MAX_CONTROL_LENGTH + 1];
        assertThat(carol.refusalOfControl(huge, owner.peerId())).isEqualTo(GroupRefusal.Reason.TOO_LARGE);
        assertThat(carol.refusalOfControl(new byte[0], owner.peerId())).isEqualTo(GroupRefusal.Reason.MALFORMED);
        List<GroupRefusal.Reason> reasons = new ArrayList<>();
        for (byte[] junk : List.of(new byte[] {0x0a, 0x05, 1, 2}, new byte[] {(byte) 0xff})) reasons.add(carol.refusalOfControl(junk, owner.peerId()));
        assertThat(reasons).containsOnly(GroupRefusal.Reason.MALFORMED);
    }
}
