package dev.ferry.messenger.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.senderkey.SenderKeyDistribution;
import dev.ferry.messenger.proto.GroupProto;

/** Encoding and first parsing of the {@code GroupControl} messages carried over pairwise sessions. */
final class ControlMessages {
    private ControlMessages() {}

    static byte[] epochUpdate(GroupRoster roster, EpochSecret secret, SenderKeyDistribution ownerDistribution) {
        return GroupProto.GroupControl.newBuilder()
                .setEpochUpdate(GroupProto.GroupEpochUpdate.newBuilder()
                        .setRoster(roster.toProto())
                        .setEpochSecret(ByteString.copyFrom(secret.secret()))
                        .setOwnerDistribution(ByteString.copyFrom(ownerDistribution.encode())))
                .build()
                .toByteArray();
    }

    static byte[] senderKey(SenderKeyDistribution distribution, boolean replyRequested) {
        return GroupProto.GroupControl.newBuilder()
                .setSenderKey(GroupProto.GroupSenderKey.newBuilder()
                        .setDistribution(ByteString.copyFrom(distribution.encode()))
                        .setReplyRequested(replyRequested))
                .build()
                .toByteArray();
    }

    static byte[] leave(byte[] groupId, long epoch) {
        return GroupProto.GroupControl.newBuilder()
                .setLeave(GroupProto.GroupLeave.newBuilder().setGroupId(ByteString.copyFrom(groupId)).setEpoch(epoch))
                .build()
                .toByteArray();
    }

    static byte[] removed(GroupRoster roster) {
        return GroupProto.GroupControl.newBuilder()
                .setRemoved(GroupProto.GroupRemoved.newBuilder().setRoster(roster.toProto()))
                .build()
                .toByteArray();
    }

    static byte[] ended(byte[] groupId, long epoch) {
        return GroupProto.GroupControl.newBuilder()
                .setEnded(GroupProto.GroupEnded.newBuilder().setGroupId(ByteString.copyFrom(groupId)).setEpoch(epoch))
                .build()
                .toByteArray();
    }

    /** Parses the envelope of a control message: size, encoding, and that it holds a known body. */
    static GroupProto.GroupControl parse(byte[] control) throws Refusal {
        if (control.length > GroupLimits.MAX_CONTROL_LENGTH) {
            throw new Refusal(GroupRefusal.Reason.TOO_LARGE, "control message of " + control.length + " bytes exceeds " + GroupLimits.MAX_CONTROL_LENGTH);
        }
        GroupProto.GroupControl parsed;
        try {
            parsed = GroupProto.GroupControl.parseFrom(control);
        } catch (InvalidProtocolBufferException e) {
            throw Refusal.malformed("not a group control message");
        }
        if (parsed.getBodyCase() == GroupProto.GroupControl.BodyCase.BODY_NOT_SET) throw Refusal.malformed("control message of no known kind");
        return parsed;
    }

    /** The group a parsed control message is about, read without checking anything else. */
    static byte[] groupId(GroupProto.GroupControl control) throws Refusal {
        ByteString id = switch (control.getBodyCase()) {
            case EPOCH_UPDATE -> rosterGroupId(control.getEpochUpdate().getRoster());
            case REMOVED -> rosterGroupId(control.getRemoved().getRoster());
            case LEAVE -> control.getLeave().getGroupId();
            case ENDED -> control.getEnded().getGroupId();
            case SENDER_KEY -> ByteString.copyFrom(Groups.distribution(control.getSenderKey().getDistribution().toByteArray()).groupId());
            case BODY_NOT_SET -> throw Refusal.malformed("control message of no known kind");
        };
        return GroupRoster.checkGroupId(id.toByteArray());
    }

    private static ByteString rosterGroupId(GroupProto.GroupSignedRoster roster) throws Refusal {
        try {
            return GroupProto.GroupRosterBody.parseFrom(roster.getBody()).getGroupId();
        } catch (InvalidProtocolBufferException e) {
            throw Refusal.malformed("roster body does not decode");
        }
    }
}
