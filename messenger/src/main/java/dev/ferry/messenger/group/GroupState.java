package dev.ferry.messenger.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.senderkey.GroupSenderKeys;
import dev.ferry.crypto.senderkey.SenderKeyDistribution;
import dev.ferry.crypto.senderkey.SenderKeyException;
import dev.ferry.crypto.x3dh.PublicIdentity;
import dev.ferry.messenger.proto.GroupProto;
import dev.ferry.store.GroupId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one member keeps about one group: its own identity and status, the kept epochs
 * (newest first; each with its owner-signed roster, its secret and when a newer epoch replaced
 * it), its sender keys, and the distributions that arrived before their epoch's roster. Immutable:
 * {@link Groups} returns a new state for every change, to be persisted (as {@link #encode()}, in
 * {@code store.groups()} under {@link #storeKey()}) before anything it produced is sent. Holds
 * secrets: {@link #toString()} shows none.
 */
public final class GroupState {
    /** The version of {@code GroupStateRecord} written; a reader refuses others. */
    static final int FORMAT_VERSION = 1;

    /** One kept epoch: {@code supersededAt} is empty while it is the current one. */
    record KeptEpoch(GroupRoster roster, EpochSecret secret, Optional<Instant> supersededAt) {
        long epoch() {
            return roster.epoch();
        }
    }

    /** A distribution held until its epoch's roster arrives; its sender was checked against its session on arrival. */
    record PendingDistribution(long epoch, IdentityPublicKey sender, byte[] encoded) {
        SenderKeyDistribution distribution() {
            try {
                return SenderKeyDistribution.decode(encoded);
            } catch (SenderKeyException e) {
                throw new IllegalStateException("a pending distribution was decoded before it was kept", e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PendingDistribution p && Arrays.equals(p.encoded, encoded);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encoded);
        }
    }

    private final byte[] groupId;
    private final PublicIdentity self;
    private final GroupStatus status;
    private final List<KeptEpoch> epochs;
    private final GroupSenderKeys senderKeys;
    private final List<PendingDistribution> pending;

    GroupState(byte[] groupId, PublicIdentity self, GroupStatus status, List<KeptEpoch> epochs, GroupSenderKeys senderKeys,
            List<PendingDistribution> pending) {
        if (epochs.isEmpty() || epochs.size() > GroupLimits.MAX_EPOCHS_KEPT) throw new IllegalArgumentException("1.." + GroupLimits.MAX_EPOCHS_KEPT + " epochs");
        if (pending.size() > GroupLimits.MAX_PENDING_DISTRIBUTIONS) throw new IllegalArgumentException("too many pending distributions");
        this.groupId = groupId.clone();
        this.self = self;
        this.status = status;
        this.epochs = List.copyOf(epochs);
        this.senderKeys = senderKeys;
        this.pending = List.copyOf(pending);
    }

    GroupState withSenderKeys(GroupSenderKeys keys) {
        return new GroupState(groupId, self, status, epochs, keys, pending);
    }

    GroupState withStatus(GroupStatus newStatus) {
        return new GroupState(groupId, self, newStatus, epochs, senderKeys, newStatus == GroupStatus.ACTIVE ? pending : List.of());
    }

    GroupState withPending(List<PendingDistribution> newPending) {
        return new GroupState(groupId, self, status, epochs, senderKeys, newPending);
    }

    GroupSenderKeys senderKeys() {
        return senderKeys;
    }

    List<KeptEpoch> epochs() {
        return epochs;
    }

    List<PendingDistribution> pending() {
        return pending;
    }

    Optional<KeptEpoch> kept(long epoch) {
        return epochs.stream().filter(e -> e.epoch() == epoch).findFirst();
    }

    /** The group's random id (a copy). */
    public byte[] groupId() {
        return groupId.clone();
    }

    /** The key of this state in {@code store.groups()}. */
    public GroupId storeKey() {
        return GroupId.of(groupId);
    }

    /** The group's GossipSub topic ({@link GroupTopic}). */
    public String topic() {
        return GroupTopic.of(groupId);
    }

    /** The current epoch's roster. */
    public GroupRoster roster() {
        return epochs.getFirst().roster();
    }

    public String name() {
        return roster().name();
    }

    public PublicIdentity owner() {
        return roster().owner();
    }

    /** The current epoch: the newest this member was given. */
    public long epoch() {
        return roster().epoch();
    }

    /** The current epoch's members, the owner included. */
    public List<PublicIdentity> members() {
        return roster().members();
    }

    /** This member. */
    public PublicIdentity self() {
        return self;
    }

    public boolean isOwner() {
        return owner().equals(self);
    }

    public GroupStatus status() {
        return status;
    }

    /** The current epoch's secret: its mailbox and sealing keys. */
    public EpochSecret currentSecret() {
        return epochs.getFirst().secret();
    }

    /**
     * The kept epochs' secrets, newest first: a returning member fetches each one's mailbox (older
     * epochs' messages are read within {@link GroupLimits#EPOCH_GRACE} of the newer epoch).
     */
    public List<EpochSecret> keptSecrets() {
        return epochs.stream().map(KeptEpoch::secret).toList();
    }

    /** The roster of a kept epoch. */
    public Optional<GroupRoster> rosterOf(long epoch) {
        return kept(epoch).map(KeptEpoch::roster);
    }

    /** True if this member holds {@code member}'s sender key of {@code epoch}. */
    public boolean hasSenderKey(long epoch, PeerId member) {
        return rosterOf(epoch).flatMap(r -> r.member(member)).map(m -> senderKeys.hasChain(epoch, m.signingKey())).orElse(false);
    }

    /** How many distributions wait for their epoch's roster. */
    public int pendingDistributions() {
        return pending.size();
    }

    /** The persisted form ({@code GroupStateRecord}); a secret. */
    public byte[] encode() {
        GroupProto.GroupStateRecord.Builder record = GroupProto.GroupStateRecord.newBuilder()
                .setVersion(FORMAT_VERSION)
                .setGroupId(ByteString.copyFrom(groupId))
                .setSelf(MemberIdentities.encode(self))
                .setStatus(toProto(status))
                .setSenderKeys(ByteString.copyFrom(senderKeys.encode()));
        for (KeptEpoch epoch : epochs) {
            record.addEpochs(GroupProto.GroupEpochRecord.newBuilder()
                    .setRoster(epoch.roster().toProto())
                    .setEpochSecret(ByteString.copyFrom(epoch.secret().secret()))
                    .setSupersededAtMillis(epoch.supersededAt().map(Instant::toEpochMilli).orElse(0L)));
        }
        pending.forEach(p -> record.addPendingDistributions(ByteString.copyFrom(p.encoded())));
        return record.build().toByteArray();
    }

    /**
     * Parses a persisted state, checking every field, bound and relation (rosters' signatures,
     * one owner, epochs in order and within the kept range, sender keys of this group, member and
     * epoch). It decodes to an equal state that encodes to the same bytes.
     */
    public static GroupResult<GroupState> decode(byte[] encoded) {
        try {
            return GroupResult.ok(parse(encoded));
        } catch (Refusal r) {
            return GroupResult.refused(r.refusal());
        }
    }

    private static GroupState parse(byte[] encoded) throws Refusal {
        if (encoded.length > GroupLimits.MAX_STATE_LENGTH) {
            throw new Refusal(GroupRefusal.Reason.TOO_LARGE, "group state of " + encoded.length + " bytes exceeds " + GroupLimits.MAX_STATE_LENGTH);
        }
        GroupProto.GroupStateRecord record;
        try {
            record = GroupProto.GroupStateRecord.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            throw Refusal.malformed("not a group state");
        }
        if (record.getVersion() != FORMAT_VERSION) throw Refusal.malformed("group state version " + record.getVersion());
        byte[] groupId = GroupRoster.checkGroupId(record.getGroupId().toByteArray());
        if (!record.hasSelf()) throw Refusal.malformed("group state names no member");
        PublicIdentity self = MemberIdentities.decode(record.getSelf());
        GroupStatus status = fromProto(record.getStatus());
        if (record.getEpochsCount() == 0 || record.getEpochsCount() > GroupLimits.MAX_EPOCHS_KEPT) {
            throw Refusal.malformed("group state keeps " + record.getEpochsCount() + " epochs");
        }
        List<KeptEpoch> epochs = new ArrayList<>();
        for (GroupProto.GroupEpochRecord kept : record.getEpochsList()) {
            GroupRoster roster = GroupRoster.decode(kept.getRoster());
            if (!roster.sameGroup(groupId)) throw Refusal.malformed("a kept roster is of another group");
            long superseded = kept.getSupersededAtMillis();
            if (epochs.isEmpty()) {
                if (superseded != 0) throw Refusal.malformed("the current epoch is marked superseded");
            } else {
                KeptEpoch newer = epochs.getLast();
                if (!roster.owner().equals(newer.roster().owner())) throw Refusal.malformed("kept rosters of different owners");
                if (roster.epoch() >= newer.epoch() || epochs.getFirst().epoch() - roster.epoch() >= GroupLimits.MAX_EPOCHS_KEPT) {
                    throw Refusal.malformed("kept epochs out of order or out of the kept range");
                }
                if (superseded <= 0) throw Refusal.malformed("an older epoch is not marked superseded");
            }
            EpochSecret secret = EpochSecret.of(groupId, roster.epoch(), kept.getEpochSecret().toByteArray());
            epochs.add(new KeptEpoch(roster, secret, superseded == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(superseded))));
        }
        KeptEpoch current = epochs.getFirst();
        if (!current.roster().members().contains(self)) throw Refusal.malformed("the current roster does not list this member");
        GroupSenderKeys keys;
        try {
            keys = GroupSenderKeys.decode(record.getSenderKeys().toByteArray());
        } catch (SenderKeyException e) {
            throw Refusal.malformed("sender keys: " + e.getMessage());
        }
        if (!Arrays.equals(keys.groupId(), groupId) || !keys.ownIdentity().equals(self.signingKey()) || keys.currentEpoch() != current.epoch()) {
            throw Refusal.malformed("sender keys of another group, member or epoch");
        }
        if (record.getPendingDistributionsCount() > GroupLimits.MAX_PENDING_DISTRIBUTIONS) throw Refusal.malformed("too many pending distributions");
        List<PendingDistribution> pending = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ByteString bytes : record.getPendingDistributionsList()) {
            PendingDistribution p = Groups.pendingOf(groupId, bytes.toByteArray());
            if (p.epoch() <= current.epoch() || p.epoch() - current.epoch() > GroupLimits.MAX_PENDING_EPOCHS_AHEAD
                    || !seen.add(p.epoch() + "/" + p.sender()) || p.sender().equals(self.signingKey())) {
                throw Refusal.malformed("a pending distribution out of range, repeated or from this member");
            }
            pending.add(p);
        }
        if (status != GroupStatus.ACTIVE && !pending.isEmpty()) throw Refusal.malformed("pending distributions in an inactive group");
        return new GroupState(groupId, self, status, epochs, keys, pending);
    }

    private static GroupProto.GroupStatus toProto(GroupStatus status) {
        return switch (status) {
            case ACTIVE -> GroupProto.GroupStatus.GROUP_STATUS_ACTIVE;
            case LEFT -> GroupProto.GroupStatus.GROUP_STATUS_LEFT;
            case REMOVED -> GroupProto.GroupStatus.GROUP_STATUS_REMOVED;
            case ENDED -> GroupProto.GroupStatus.GROUP_STATUS_ENDED;
        };
    }

    private static GroupStatus fromProto(GroupProto.GroupStatus status) throws Refusal {
        return switch (status) {
            case GROUP_STATUS_ACTIVE -> GroupStatus.ACTIVE;
            case GROUP_STATUS_LEFT -> GroupStatus.LEFT;
            case GROUP_STATUS_REMOVED -> GroupStatus.REMOVED;
            case GROUP_STATUS_ENDED -> GroupStatus.ENDED;
            default -> throw Refusal.malformed("unknown group status");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupState s && Arrays.equals(s.groupId, groupId) && s.self.equals(self) && s.status == status
                && s.epochs.equals(epochs) && s.senderKeys.equals(senderKeys) && s.pending.equals(pending);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(groupId) * 31 + Long.hashCode(epoch());
    }

    @Override
    public String toString() {
        return "GroupState[group=" + HexFormat.of().formatHex(groupId, 0, 4) + "…, epoch=" + epoch() + ", members=" + members().size()
                + ", status=" + status + ", owner=" + isOwner() + ", keptEpochs=" + epochs.size() + ", pending=" + pending.size() + "]";
    }
}
