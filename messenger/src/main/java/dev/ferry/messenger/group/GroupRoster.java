package dev.ferry.messenger.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PublicIdentity;
import dev.ferry.messenger.proto.GroupProto;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The member list of one epoch, signed by the group's owner: group id, epoch, name, owner, every
 * member's {@link PublicIdentity} (the owner's included) and the time the owner made it. The
 * signature is Ed25519 by the owner's node key over {@code "ferry/group/v1/roster" || body}, the
 * body being kept as the exact bytes that were signed. An instance always holds a verified
 * signature and a well-formed list: the only ways to get one are signing and decoding. Whether a
 * roster fits a group held (same owner, newer epoch) is {@link Groups}' business.
 */
public final class GroupRoster {
    private static final byte[] SIGNATURE_LABEL = "ferry/group/v1/roster".getBytes(StandardCharsets.US_ASCII);

    private final byte[] groupId;
    private final long epoch;
    private final String name;
    private final PublicIdentity owner;
    private final List<PublicIdentity> members;
    private final Instant created;
    private final byte[] body;
    private final byte[] signature;

    private GroupRoster(byte[] groupId, long epoch, String name, PublicIdentity owner, List<PublicIdentity> members,
            Instant created, byte[] body, byte[] signature) {
        this.groupId = groupId;
        this.epoch = epoch;
        this.name = name;
        this.owner = owner;
        this.members = List.copyOf(members);
        this.created = created;
        this.body = body;
        this.signature = signature;
    }

    /**
     * The roster of {@code epoch} signed by {@code owner}.
     *
     * @throws IllegalArgumentException if the fields break a rule that decoding would refuse (the
     *     owner not listed, a member twice, a limit): a bug of the caller, not remote input
     */
    static GroupRoster sign(byte[] groupId, long epoch, String name, MessagingIdentity owner, List<PublicIdentity> members,
            Instant created) {
        // The caller's own values: checked against the rules decoding applies, without verifying again
        // the identities it already holds verified.
        PublicIdentity ownerIdentity = owner.publicIdentity();
        if (groupId.length != GroupLimits.GROUP_ID_LENGTH || epoch < 0 || epoch > GroupLimits.MAX_EPOCH
                || name.getBytes(StandardCharsets.UTF_8).length > GroupLimits.MAX_NAME_BYTES || members.size() > GroupLimits.MAX_MEMBERS
                || !members.contains(ownerIdentity) || members.stream().map(PublicIdentity::peerId).distinct().count() != members.size()) {
            throw new IllegalArgumentException("roster breaks its own rules (ids, limits, owner listed, members once)");
        }
        GroupProto.GroupRosterBody.Builder body = GroupProto.GroupRosterBody.newBuilder()
                .setGroupId(ByteString.copyFrom(groupId))
                .setEpoch(epoch)
                .setName(name)
                .setOwner(MemberIdentities.encode(ownerIdentity))
                .setCreatedMillis(created.toEpochMilli());
        members.forEach(m -> body.addMembers(MemberIdentities.encode(m)));
        byte[] bodyBytes = body.build().toByteArray();
        byte[] signature = owner.nodeKey().sign(signedBytes(bodyBytes));
        return new GroupRoster(groupId.clone(), epoch, name, ownerIdentity, members, Instant.ofEpochMilli(created.toEpochMilli()), bodyBytes, signature);
    }

    /** Parses and verifies a signed roster as carried in control messages and stored states. */
    static GroupRoster decode(GroupProto.GroupSignedRoster signed) throws Refusal {
        return decode(signed.getBody().toByteArray(), signed.getSignature().toByteArray());
    }

    /** The encoded form (a {@code GroupSignedRoster}), for tests and tools; {@link Groups} carries it inside its messages. */
    public byte[] encode() {
        return toProto().toByteArray();
    }

    /** Parses and verifies an encoded {@code GroupSignedRoster}. */
    public static GroupResult<GroupRoster> decode(byte[] encoded) {
        if (encoded.length > GroupLimits.MAX_ROSTER_LENGTH + 16) {
            return GroupResult.refused(new GroupRefusal(GroupRefusal.Reason.TOO_LARGE, "roster of " + encoded.length + " bytes"));
        }
        try {
            return GroupResult.ok(decode(GroupProto.GroupSignedRoster.parseFrom(encoded)));
        } catch (InvalidProtocolBufferException e) {
            return GroupResult.refused(new GroupRefusal(GroupRefusal.Reason.MALFORMED, "not a signed roster"));
        } catch (Refusal r) {
            return GroupResult.refused(r.refusal());
        }
    }

    GroupProto.GroupSignedRoster toProto() {
        return GroupProto.GroupSignedRoster.newBuilder()
                .setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(signature))
                .build();
    }

    private static GroupRoster decode(byte[] body, byte[] signature) throws Refusal {
        if (body.length > GroupLimits.MAX_ROSTER_LENGTH) {
            throw new Refusal(GroupRefusal.Reason.TOO_LARGE, "roster of " + body.length + " bytes exceeds " + GroupLimits.MAX_ROSTER_LENGTH);
        }
        GroupProto.GroupRosterBody parsed;
        try {
            parsed = GroupProto.GroupRosterBody.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw Refusal.malformed("roster body does not decode");
        }
        if (!parsed.hasOwner()) throw Refusal.malformed("roster names no owner");
        PublicIdentity owner = MemberIdentities.decode(parsed.getOwner());
        // The signature first: nothing else of an unsigned list is worth looking at.
        if (signature.length != IdentityPublicKey.SIGNATURE_LENGTH || !owner.signingKey().verify(signedBytes(body), signature)) {
            throw new Refusal(GroupRefusal.Reason.BAD_SIGNATURE, "roster is not signed by the owner it names (" + owner.peerId() + ")");
        }
        byte[] groupId = checkGroupId(parsed.getGroupId().toByteArray());
        long epoch = checkEpoch(parsed.getEpoch());
        String name = parsed.getName();
        if (name.getBytes(StandardCharsets.UTF_8).length > GroupLimits.MAX_NAME_BYTES) throw Refusal.malformed("group name too long");
        if (parsed.getMembersCount() > GroupLimits.MAX_MEMBERS) {
            throw new Refusal(GroupRefusal.Reason.TOO_LARGE, "roster lists " + parsed.getMembersCount() + " members");
        }
        List<PublicIdentity> members = new ArrayList<>(parsed.getMembersCount());
        Set<PeerId> seen = new HashSet<>();
        for (GroupProto.GroupMember member : parsed.getMembersList()) {
            PublicIdentity identity = MemberIdentities.decode(member);
            if (!seen.add(identity.peerId())) {
                throw new Refusal(GroupRefusal.Reason.DUPLICATE_MEMBER, "roster lists " + identity.peerId() + " twice");
            }
            members.add(identity);
        }
        if (!members.contains(owner)) throw new Refusal(GroupRefusal.Reason.OWNER_NOT_LISTED, "roster omits its owner " + owner.peerId());
        return new GroupRoster(groupId, epoch, name, owner, members, Instant.ofEpochMilli(parsed.getCreatedMillis()), body, signature);
    }

    static byte[] checkGroupId(byte[] groupId) throws Refusal {
        if (groupId.length != GroupLimits.GROUP_ID_LENGTH) throw Refusal.malformed("group id must be " + GroupLimits.GROUP_ID_LENGTH + " bytes");
        return groupId;
    }

    static long checkEpoch(long epoch) throws Refusal {
        if (epoch < 0 || epoch > GroupLimits.MAX_EPOCH) {
            throw new Refusal(GroupRefusal.Reason.EPOCH_OUT_OF_RANGE, "epoch " + Long.toUnsignedString(epoch) + " out of range");
        }
        return epoch;
    }

    private static byte[] signedBytes(byte[] body) {
        byte[] out = Arrays.copyOf(SIGNATURE_LABEL, SIGNATURE_LABEL.length + body.length);
        System.arraycopy(body, 0, out, SIGNATURE_LABEL.length, body.length);
        return out;
    }

    public byte[] groupId() {
        return groupId.clone();
    }

    public long epoch() {
        return epoch;
    }

    public String name() {
        return name;
    }

    public PublicIdentity owner() {
        return owner;
    }

    /** Every member, the owner included, in the owner's order. */
    public List<PublicIdentity> members() {
        return members;
    }

    /** When the owner made this roster (its clock). */
    public Instant created() {
        return created;
    }

    /** The member whose address is {@code peer}, if listed. */
    public Optional<PublicIdentity> member(PeerId peer) {
        return members.stream().filter(m -> m.peerId().equals(peer)).findFirst();
    }

    /** True if the member whose node key is {@code key} is listed. */
    public boolean lists(IdentityPublicKey key) {
        return members.stream().anyMatch(m -> m.signingKey().equals(key));
    }

    boolean sameGroup(byte[] otherGroupId) {
        return Arrays.equals(groupId, otherGroupId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupRoster r && Arrays.equals(r.body, body) && Arrays.equals(r.signature, signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "GroupRoster[group=" + HexFormat.of().formatHex(groupId, 0, 4) + "…, epoch=" + epoch + ", owner=" + owner.peerId()
                + ", members=" + members.size() + "]";
    }
}
