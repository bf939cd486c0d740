package dev.ferry.messenger.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.X3dhProto;
import dev.ferry.crypto.x3dh.InitialMessage;
import dev.ferry.crypto.x3dh.PublicIdentity;
import dev.ferry.crypto.x3dh.X3dhException;
import dev.ferry.messenger.proto.GroupProto;

/**
 * A member's {@link PublicIdentity} to and from its {@link GroupProto.GroupMember} form. Crypto
 * exposes the identity's encoding only inside an X3DH {@link InitialMessage}, so the identity
 * travels through one (with a placeholder ephemeral key): decoding thus always checks the node
 * key's signature over the X25519 key, as crypto does. If crypto gains a public
 * {@code PublicIdentity} codec, this class shrinks to calls of it; the wire form stays the same.
 */
final class MemberIdentities {
    /** The placeholder ephemeral key of the carrier message; never used as a key. */
    private static final byte[] PLACEHOLDER_EPHEMERAL = new byte[X25519.KEY_LENGTH];

    private MemberIdentities() {}

    static GroupProto.GroupMember encode(PublicIdentity identity) {
        X3dhProto.PublicIdentity proto;
        try {
            proto = X3dhProto.InitialMessage.parseFrom(new InitialMessage(identity, PLACEHOLDER_EPHEMERAL, 0).encode()).getSender();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("crypto's own initial message encoding did not parse", e);
        }
        return GroupProto.GroupMember.newBuilder()
                .setEd25519Public(proto.getEd25519Public())
                .setX25519Public(proto.getX25519Public())
                .setX25519Signature(proto.getX25519Signature())
                .build();
    }

    static PublicIdentity decode(GroupProto.GroupMember member) throws Refusal {
        if (member.getSerializedSize() > GroupLimits.MAX_MEMBER_LENGTH) throw Refusal.malformed("member identity too large");
        byte[] carrier = X3dhProto.InitialMessage.newBuilder()
                .setSender(X3dhProto.PublicIdentity.newBuilder()
                        .setEd25519Public(member.getEd25519Public())
                        .setX25519Public(member.getX25519Public())
                        .setX25519Signature(member.getX25519Signature()))
                .setEphemeralPublic(ByteString.copyFrom(PLACEHOLDER_EPHEMERAL))
                .build()
                .toByteArray();
        try {
            return InitialMessage.decode(carrier).sender();
        } catch (X3dhException e) {
            GroupRefusal.Reason reason = e.reason() == X3dhException.Reason.BAD_SIGNATURE
                    ? GroupRefusal.Reason.BAD_SIGNATURE : GroupRefusal.Reason.MALFORMED;
            throw new Refusal(reason, "member identity: " + e.getMessage());
        }
    }
}
