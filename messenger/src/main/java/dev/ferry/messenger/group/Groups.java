package dev.ferry.messenger.group;

import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.senderkey.GroupSenderKeys;
import dev.ferry.crypto.senderkey.SenderKeyDistribution;
import dev.ferry.crypto.senderkey.SenderKeyException;
import dev.ferry.crypto.senderkey.SenderKeyLimits;
import dev.ferry.crypto.senderkey.SenderKeyMessage;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PublicIdentity;
import dev.ferry.messenger.proto.GroupProto;
import dev.ferry.store.GroupId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One member's group logic: create a group, invite, remove, leave, take control messages from
 * other members, encrypt and read group messages. Every operation takes a {@link GroupState} and
 * returns the next one with the control messages to send to whom ({@link GroupChange}), or a
 * {@link GroupRefusal}, and then the state given is unchanged and still the one to keep.
 *
 * <p>Rules, in short (docs/PROTOCOLS-group.md has them in full): only the owner invites and
 * removes; every change of the member list is a new epoch with a fresh secret and fresh sender
 * keys, sent only to that epoch's members; a member that installs an epoch sends its own sender
 * key to every other member of it; a member leaves by telling the owner and the members, and the
 * owner then starts a new epoch without it; the owner leaving ends the group for everyone.
 *
 * <p>No I/O: the messenger carries {@link Outgoing} control bytes over the pairwise Double Ratchet
 * sessions and passes what arrives to {@link #handle} with the session's authenticated peer;
 * group messages go over the group's GossipSub topic and into the epoch's group mailbox.
 * Stateless apart from its identity, randomness, clock and metrics, so any thread may call it;
 * the messenger keeps each group's state on one thread.
 */
public final class Groups {
    private final MessagingIdentity identity;
    private final PublicIdentity self;
    private final SecureRandom random;
    private final InstantSource clock;
    private final GroupMetrics metrics;

    public Groups(MessagingIdentity identity, SecureRandom random, InstantSource clock, GroupMetrics metrics) {
        this.identity = identity;
        this.self = identity.publicIdentity();
        this.random = random;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** A check that may refuse, run at the public boundary. */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws Refusal;
    }

    private <T> GroupResult<T> attempt(Step<T> step) {
        try {
            return GroupResult.ok(step.run());
        } catch (Refusal r) {
            metrics.refused(r.refusal().reason());
            return GroupResult.refused(r.refusal());
        }
    }

    private GroupChange counted(GroupChange change) {
        metrics.event(change.event());
        return change;
    }

    /**
     * A new group named {@code name} owned by this member, alone in epoch 0.
     *
     * @throws IllegalArgumentException if the name is longer than {@link GroupLimits#MAX_NAME_BYTES}
     */
    public GroupState create(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length > GroupLimits.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("group name longer than " + GroupLimits.MAX_NAME_BYTES + " bytes");
        }
        byte[] groupId = new byte[GroupLimits.GROUP_ID_LENGTH];
        random.nextBytes(groupId);
        GroupRoster roster = GroupRoster.sign(groupId, 0, name, identity, List.of(self), clock.instant());
        GroupState.KeptEpoch epoch = new GroupState.KeptEpoch(roster, EpochSecret.generate(groupId, 0, random), Optional.empty());
        GroupSenderKeys keys = GroupSenderKeys.create(groupId, self.signingKey(), 0, random);
        metrics.event(GroupEvent.CREATED);
        return new GroupState(groupId, self, GroupStatus.ACTIVE, List.of(epoch), keys, List.of());
    }

    /** Owner only: a new epoch whose roster adds {@code member}; the update goes to every member, the new one included. */
    public GroupResult<GroupChange> invite(GroupState state, PublicIdentity member) {
        return attempt(() -> {
            requireActiveOwner(state);
            if (state.roster().member(member.peerId()).isPresent()) {
                throw new Refusal(GroupRefusal.Reason.ALREADY_MEMBER, member.peerId() + " is a member already");
            }
            if (state.members().size() >= GroupLimits.MAX_MEMBERS) {
                throw new Refusal(GroupRefusal.Reason.GROUP_FULL, "the group has " + GroupLimits.MAX_MEMBERS + " members");
            }
            List<PublicIdentity> members = new ArrayList<>(state.members());
            members.add(member);
            return counted(startEpochAsOwner(state, members, GroupEvent.EPOCH_STARTED));
        });
    }

    /**
     * Owner only: a new epoch without {@code member}. The remaining members get the new epoch; the
     * removed one gets a removal notice with the new roster, and neither its secret nor any sender key.
     */
    public GroupResult<GroupChange> remove(GroupState state, PeerId member) {
        return attempt(() -> {
            requireActiveOwner(state);
            PublicIdentity removed = state.roster().member(member)
                    .orElseThrow(() -> new Refusal(GroupRefusal.Reason.NOT_A_MEMBER, member + " is not a member"));
            if (removed.equals(self)) throw new Refusal(GroupRefusal.Reason.OWNER_CANNOT_BE_REMOVED, "the owner leaves instead, which ends the group");
            GroupChange change = startEpochAsOwner(state, without(state.members(), removed), GroupEvent.EPOCH_STARTED);
            List<Outgoing> outgoing = new ArrayList<>(change.outgoing());
            outgoing.add(new Outgoing(removed, ControlMessages.removed(change.state().roster())));
            return counted(new GroupChange(change.state(), outgoing, change.event()));
        });
    }

    /**
     * Leaves the group. A member tells the owner and the other members (the owner then starts a
     * new epoch without it) and becomes {@link GroupStatus#LEFT}; the owner leaving ends the group:
     * every member is told and the group becomes {@link GroupStatus#ENDED} everywhere.
     */
    public GroupResult<GroupChange> leave(GroupState state) {
        return attempt(() -> {
            requireActive(state);
            List<PublicIdentity> others = without(state.members(), self);
            boolean owner = state.isOwner();
            byte[] control = owner ? ControlMessages.ended(state.groupId(), state.epoch()) : ControlMessages.leave(state.groupId(), state.epoch());
            List<Outgoing> outgoing = others.stream().map(m -> new Outgoing(m, control)).toList();
            return counted(owner
                    ? new GroupChange(state.withStatus(GroupStatus.ENDED), outgoing, GroupEvent.ENDED)
                    : new GroupChange(state.withStatus(GroupStatus.LEFT), outgoing, GroupEvent.LEFT));
        });
    }

    /**
     * Sends this member's sender key of the current epoch to every other member again, asking each
     * for theirs: the recovery when a member's messages stay unreadable ({@code NO_SENDER_KEY})
     * because its key was lost on the way. The state does not change.
     */
    public GroupResult<GroupChange> requestSenderKeys(GroupState state) {
        return attempt(() -> {
            requireOwnState(state);
            requireActive(state);
            return counted(new GroupChange(state, ownKeyToOthers(state, true), GroupEvent.SENDER_KEYS_REQUESTED));
        });
    }

    /**
     * Takes a control message that arrived over the pairwise session with {@code authenticatedSender}.
     * {@code current} is this member's state for the group the message names (find it with
     * {@link #groupOfControl}), or empty if it holds none: then only an invitation is taken.
     */
    public GroupResult<GroupChange> handle(Optional<GroupState> current, byte[] control, PeerId authenticatedSender) {
        return attempt(() -> {
            GroupProto.GroupControl parsed = ControlMessages.parse(control);
            byte[] groupId = ControlMessages.groupId(parsed);
            if (current.isPresent() && !Arrays.equals(current.get().groupId(), groupId)) {
                throw new Refusal(GroupRefusal.Reason.WRONG_GROUP, "control message for another group than the state given");
            }
            current.ifPresent(this::requireOwnState);
            GroupChange change = switch (parsed.getBodyCase()) {
                case EPOCH_UPDATE -> takeEpochUpdate(current, parsed.getEpochUpdate(), authenticatedSender);
                case SENDER_KEY -> takeSenderKey(known(current), parsed.getSenderKey(), authenticatedSender);
                case LEAVE -> takeLeave(known(current), parsed.getLeave(), authenticatedSender);
                case REMOVED -> takeRemoved(known(current), parsed.getRemoved(), authenticatedSender);
                case ENDED -> takeEnded(known(current), parsed.getEnded(), authenticatedSender);
                case BODY_NOT_SET -> throw Refusal.malformed("control message of no known kind");
            };
            return counted(change);
        });
    }

    /** Encrypts and signs {@code plaintext} with this member's sender key of the current epoch. */
    public GroupResult<GroupEncrypted> encrypt(GroupState state, byte[] plaintext) {
        return attempt(() -> {
            requireOwnState(state);
            requireActive(state);
            if (plaintext.length > SenderKeyLimits.MAX_PLAINTEXT_LENGTH) {
                throw new Refusal(GroupRefusal.Reason.TOO_LARGE, "group plaintext of " + plaintext.length + " bytes exceeds " + SenderKeyLimits.MAX_PLAINTEXT_LENGTH);
            }
            GroupSenderKeys.Encrypted encrypted = state.senderKeys().encrypt(plaintext);
            metrics.encrypted();
            return new GroupEncrypted(encrypted.message(), state.withSenderKeys(encrypted.next()));
        });
    }

    /**
     * Reads a group message from the topic or the group mailbox. Refused, with the state
     * unchanged: senders not in the roster of the message's epoch, epochs no longer kept or past
     * {@link GroupLimits#EPOCH_GRACE}, epochs not yet installed ({@code EPOCH_AHEAD}) or senders whose key
     * has not arrived ({@code NO_SENDER_KEY}) (both worth a retry later), forgeries, replays, and
     * this member's own messages ({@code OWN_MESSAGE}).
     */
    public GroupResult<GroupDecrypted> decrypt(GroupState state, byte[] message) {
        return attempt(() -> {
            requireOwnState(state);
            requireActive(state);
            SenderKeyMessage parsed;
            try {
                parsed = SenderKeyMessage.decode(message);
            } catch (SenderKeyException e) {
                throw refusalOf(e);
            }
            if (!Arrays.equals(parsed.groupId(), state.groupId())) throw new Refusal(GroupRefusal.Reason.WRONG_GROUP, "message for another group");
            if (parsed.sender().equals(self.signingKey())) throw new Refusal(GroupRefusal.Reason.OWN_MESSAGE, "this member's own message");
            GroupState.KeptEpoch epoch = state.kept(parsed.epoch()).orElseThrow(() -> parsed.epoch() > state.epoch()
                    ? new Refusal(GroupRefusal.Reason.EPOCH_AHEAD, "epoch " + parsed.epoch() + " is not installed yet (current " + state.epoch() + ")")
                    : new Refusal(GroupRefusal.Reason.EPOCH_EXPIRED, "epoch " + parsed.epoch() + " is no longer kept"));
            Optional<Instant> superseded = epoch.supersededAt();
            if (superseded.isPresent() && clock.instant().isAfter(superseded.get().plus(GroupLimits.EPOCH_GRACE))) {
                throw new Refusal(GroupRefusal.Reason.EPOCH_EXPIRED, "epoch " + parsed.epoch() + " ended more than " + GroupLimits.EPOCH_GRACE + " ago");
            }
            if (!epoch.roster().lists(parsed.sender())) {
                throw new Refusal(GroupRefusal.Reason.SENDER_NOT_IN_ROSTER, parsed.sender().toPeerId() + " is not a member of epoch " + parsed.epoch());
            }
            GroupSenderKeys.Decrypted decrypted;
            try {
                decrypted = state.senderKeys().decrypt(parsed);
            } catch (SenderKeyException e) {
                throw refusalOf(e);
            }
            metrics.decrypted();
            return new GroupDecrypted(decrypted.sender().toPeerId(), decrypted.epoch(), decrypted.plaintext(), state.withSenderKeys(decrypted.next()));
        });
    }

    /** The group a control message is about, to find the state to pass to {@link #handle}. */
    public static GroupResult<GroupId> groupOfControl(byte[] control) {
        try {
            return GroupResult.ok(GroupId.of(ControlMessages.groupId(ControlMessages.parse(control))));
        } catch (Refusal r) {
            return GroupResult.refused(r.refusal());
        }
    }

    /** The group a group message is for, to find the state to pass to {@link #decrypt}. */
    public static GroupResult<GroupId> groupOfMessage(byte[] message) {
        try {
            return GroupResult.ok(GroupId.of(GroupRoster.checkGroupId(SenderKeyMessage.decode(message).groupId())));
        } catch (SenderKeyException e) {
            return GroupResult.refused(refusalOf(e).refusal());
        } catch (Refusal r) {
            return GroupResult.refused(r.refusal());
        }
    }

    // --- control messages ---

    private GroupChange takeEpochUpdate(Optional<GroupState> current, GroupProto.GroupEpochUpdate update, PeerId sender) throws Refusal {
        if (!update.hasRoster()) throw Refusal.malformed("epoch update without a roster");
        GroupRoster roster = GroupRoster.decode(update.getRoster());
        // A member who left chose to: the owner's later rosters do not bring it back. (Those the owner
        // made before it heard of the leave still list the member; a removed member may be invited again.)
        if (current.isPresent() && current.get().status() == GroupStatus.LEFT) {
            throw new Refusal(GroupRefusal.Reason.INACTIVE, "this member left the group");
        }
        checkNewRoster(current, roster, sender);
        if (!roster.members().contains(self)) throw new Refusal(GroupRefusal.Reason.NOT_LISTED, "the new roster does not list this member");
        EpochSecret secret = EpochSecret.of(roster.groupId(), roster.epoch(), update.getEpochSecret().toByteArray());
        SenderKeyDistribution ownerKey = distribution(update.getOwnerDistribution().toByteArray());
        if (!roster.sameGroup(ownerKey.groupId()) || ownerKey.epoch() != roster.epoch() || !ownerKey.sender().equals(roster.owner().signingKey())) {
            throw Refusal.malformed("the owner's distribution is not the owner's, of this group and epoch");
        }
        GroupSenderKeys keys = current.isPresent()
                ? current.get().senderKeys().startEpoch(roster.epoch(), random)
                : GroupSenderKeys.create(roster.groupId(), self.signingKey(), roster.epoch(), random);
        keys = accept(keys, ownerKey);
        GroupState installed = install(current, roster, secret, keys);
        boolean joined = current.isEmpty() || current.get().status() != GroupStatus.ACTIVE;
        // Keys sent to this member while it held no state (or was inactive) were refused. A member that just
        // joined asks every member for its key again; later, it asks each member new to it, whose key may
        // have come before this member's invitation.
        List<PublicIdentity> known = joined ? List.of() : current.get().members();
        List<Outgoing> outgoing = new ArrayList<>();
        for (PublicIdentity member : without(installed.members(), self)) {
            byte[] ownKey = ControlMessages.senderKey(installed.senderKeys().distribution(), !known.contains(member));
            outgoing.add(new Outgoing(member, ownKey));
        }
        return new GroupChange(installed, outgoing, joined ? GroupEvent.JOINED : GroupEvent.EPOCH_STARTED);
    }

    private GroupChange takeSenderKey(GroupState state, GroupProto.GroupSenderKey message, PeerId sender) throws Refusal {
        requireActive(state);
        byte[] encoded = message.getDistribution().toByteArray();
        GroupState.PendingDistribution received = pendingOf(state.groupId(), encoded);
        if (!sender.matches(received.sender()) || received.sender().equals(self.signingKey())) {
            throw new Refusal(GroupRefusal.Reason.SENDER_MISMATCH, "distribution names another sender than its session's peer " + sender);
        }
        long epoch = received.epoch();
        if (epoch > state.epoch()) {
            if (epoch - state.epoch() > GroupLimits.MAX_PENDING_EPOCHS_AHEAD) {
                throw new Refusal(GroupRefusal.Reason.EPOCH_OUT_OF_RANGE, "distribution for epoch " + epoch + ", too far ahead of " + state.epoch());
            }
            // Its epoch's roster has not arrived yet (another session was faster than the owner's): keep it for then.
            List<GroupState.PendingDistribution> pending = new ArrayList<>(state.pending());
            pending.removeIf(p -> p.epoch() == epoch && p.sender().equals(received.sender()));
            if (pending.size() >= GroupLimits.MAX_PENDING_DISTRIBUTIONS) {
                throw new Refusal(GroupRefusal.Reason.TOO_MANY_PENDING, GroupLimits.MAX_PENDING_DISTRIBUTIONS + " distributions wait already");
            }
            pending.add(received);
            return new GroupChange(state.withPending(pending), List.of(), GroupEvent.SENDER_KEY_PENDING);
        }
        // The sender asks for this member's key if it may have dropped it (it held no state then, or lagged):
        // the current key goes back to it if it is a current member.
        Optional<PublicIdentity> asking = message.getReplyRequested() ? state.roster().member(sender) : Optional.empty();
        List<Outgoing> reply = asking.map(m -> List.of(new Outgoing(m, ControlMessages.senderKey(state.senderKeys().distribution(), false))))
                .orElse(List.of());
        Optional<GroupState.KeptEpoch> kept = state.kept(epoch);
        if (kept.isEmpty()) {
            if (asking.isPresent()) return new GroupChange(state, reply, GroupEvent.SENDER_KEY_RESENT);
            throw new Refusal(GroupRefusal.Reason.EPOCH_EXPIRED, "distribution for epoch " + epoch + ", no longer kept");
        }
        if (!kept.get().roster().lists(received.sender())) {
            throw new Refusal(GroupRefusal.Reason.SENDER_NOT_IN_ROSTER, sender + " is not a member of epoch " + epoch);
        }
        GroupState next = state.withSenderKeys(accept(state.senderKeys(), received.distribution()));
        return new GroupChange(next, reply, GroupEvent.SENDER_KEY_ACCEPTED);
    }

    private GroupChange takeLeave(GroupState state, GroupProto.GroupLeave leave, PeerId sender) throws Refusal {
        requireActive(state);
        GroupRoster.checkEpoch(leave.getEpoch());
        PublicIdentity leaving = state.roster().member(sender)
                .orElseThrow(() -> new Refusal(GroupRefusal.Reason.NOT_A_MEMBER, sender + " is not a member"));
        if (leaving.equals(state.owner())) {
            throw new Refusal(GroupRefusal.Reason.OWNER_CANNOT_BE_REMOVED, "the owner ends the group, it does not leave it");
        }
        if (!state.isOwner()) return new GroupChange(state, List.of(), GroupEvent.MEMBER_LEFT);
        return startEpochAsOwner(state, without(state.members(), leaving), GroupEvent.MEMBER_LEFT);
    }

    private GroupChange takeRemoved(GroupState state, GroupProto.GroupRemoved removed, PeerId sender) throws Refusal {
        if (!removed.hasRoster()) throw Refusal.malformed("removal notice without a roster");
        GroupRoster roster = GroupRoster.decode(removed.getRoster());
        checkNewRoster(Optional.of(state), roster, sender);
        if (roster.members().contains(self)) throw Refusal.malformed("a removal notice whose roster still lists this member");
        return new GroupChange(state.withStatus(GroupStatus.REMOVED), List.of(), GroupEvent.REMOVED);
    }

    private GroupChange takeEnded(GroupState state, GroupProto.GroupEnded ended, PeerId sender) throws Refusal {
        if (state.status() == GroupStatus.ENDED) throw new Refusal(GroupRefusal.Reason.INACTIVE, "the group ended already");
        GroupRoster.checkEpoch(ended.getEpoch());
        if (!state.owner().peerId().equals(sender)) throw new Refusal(GroupRefusal.Reason.NOT_FROM_OWNER, "only the owner ends a group, not " + sender);
        return new GroupChange(state.withStatus(GroupStatus.ENDED), List.of(), GroupEvent.ENDED);
    }

    /** A roster from the owner may replace the one held only if it is of the same group and owner, and newer. */
    private static void checkNewRoster(Optional<GroupState> current, GroupRoster roster, PeerId sender) throws Refusal {
        if (current.isPresent()) {
            GroupState state = current.get();
            if (state.status() == GroupStatus.ENDED) throw new Refusal(GroupRefusal.Reason.INACTIVE, "the group ended");
            if (!roster.sameGroup(state.groupId())) throw new Refusal(GroupRefusal.Reason.WRONG_GROUP, "roster of another group");
            if (!roster.owner().equals(state.owner())) {
                throw new Refusal(GroupRefusal.Reason.WRONG_OWNER, "roster signed by " + roster.owner().peerId() + ", not the owner " + state.owner().peerId());
            }
            if (roster.epoch() <= state.epoch()) {
                throw new Refusal(GroupRefusal.Reason.STALE_EPOCH, "roster of epoch " + roster.epoch() + ", not newer than " + state.epoch());
            }
        }
        if (!roster.owner().peerId().equals(sender)) {
            throw new Refusal(GroupRefusal.Reason.NOT_FROM_OWNER, "roster sent by " + sender + ", not by its owner " + roster.owner().peerId());
        }
    }

    // --- epochs ---

    private GroupChange startEpochAsOwner(GroupState state, List<PublicIdentity> members, GroupEvent event) throws Refusal {
        long next = GroupRoster.checkEpoch(state.epoch() + 1);
        GroupRoster roster = GroupRoster.sign(state.groupId(), next, state.name(), identity, members, clock.instant());
        EpochSecret secret = EpochSecret.generate(state.groupId(), next, random);
        GroupState installed = install(Optional.of(state), roster, secret, state.senderKeys().startEpoch(next, random));
        byte[] update = ControlMessages.epochUpdate(roster, secret, installed.senderKeys().distribution());
        List<Outgoing> outgoing = without(members, self).stream().map(m -> new Outgoing(m, update)).toList();
        return new GroupChange(installed, outgoing, event);
    }

    /**
     * The state with {@code roster}'s epoch as the current one: the previous current epoch marked
     * superseded now, epochs beyond the kept range dropped, and the distributions that waited for
     * this epoch taken if their sender is listed (the rest of them dropped).
     */
    private GroupState install(Optional<GroupState> previous, GroupRoster roster, EpochSecret secret, GroupSenderKeys keys) {
        Instant now = clock.instant();
        long epoch = roster.epoch();
        List<GroupState.KeptEpoch> epochs = new ArrayList<>();
        epochs.add(new GroupState.KeptEpoch(roster, secret, Optional.empty()));
        List<GroupState.PendingDistribution> pending = new ArrayList<>();
        if (previous.isPresent()) {
            for (GroupState.KeptEpoch kept : previous.get().epochs()) {
                if (epoch - kept.epoch() >= GroupLimits.MAX_EPOCHS_KEPT) continue;
                epochs.add(kept.supersededAt().isPresent() ? kept : new GroupState.KeptEpoch(kept.roster(), kept.secret(), Optional.of(now)));
            }
            for (GroupState.PendingDistribution p : previous.get().pending()) {
                if (p.epoch() == epoch && roster.lists(p.sender())) {
                    try {
                        keys = keys.accept(p.distribution(), p.sender());
                    } catch (SenderKeyException e) {
                        // A distribution that no longer fits is dropped; its sender sends again after the roster it gets.
                    }
                } else if (p.epoch() > epoch) {
                    pending.add(p);
                }
            }
        }
        return new GroupState(roster.groupId(), self, GroupStatus.ACTIVE, epochs, keys, pending);
    }

    private List<Outgoing> ownKeyToOthers(GroupState state, boolean replyRequested) {
        byte[] control = ControlMessages.senderKey(state.senderKeys().distribution(), replyRequested);
        return without(state.members(), self).stream().map(m -> new Outgoing(m, control)).toList();
    }

    // --- checks and conversions ---

    private void requireOwnState(GroupState state) {
        if (!state.self().equals(self)) throw new IllegalArgumentException("a group state of another member");
    }

    private static GroupState known(Optional<GroupState> current) throws Refusal {
        return current.orElseThrow(() -> new Refusal(GroupRefusal.Reason.UNKNOWN_GROUP, "no state for this group, and this is no invitation"));
    }

    private static void requireActive(GroupState state) throws Refusal {
        if (state.status() != GroupStatus.ACTIVE) throw new Refusal(GroupRefusal.Reason.INACTIVE, "the group is " + state.status());
    }

    private void requireActiveOwner(GroupState state) throws Refusal {
        requireOwnState(state);
        requireActive(state);
        if (!state.isOwner()) throw new Refusal(GroupRefusal.Reason.NOT_OWNER, "only the owner " + state.owner().peerId() + " changes the members");
    }

    private static List<PublicIdentity> without(List<PublicIdentity> members, PublicIdentity member) {
        return members.stream().filter(m -> !m.equals(member)).toList();
    }

    private static GroupSenderKeys accept(GroupSenderKeys keys, SenderKeyDistribution distribution) throws Refusal {
        try {
            return keys.accept(distribution, distribution.sender());
        } catch (SenderKeyException e) {
            throw refusalOf(e);
        }
    }

    static SenderKeyDistribution distribution(byte[] encoded) throws Refusal {
        try {
            return SenderKeyDistribution.decode(encoded);
        } catch (SenderKeyException e) {
            throw refusalOf(e);
        }
    }

    /** A received distribution as kept until its epoch: decoded once to check it, then held as bytes. */
    static GroupState.PendingDistribution pendingOf(byte[] groupId, byte[] encoded) throws Refusal {
        SenderKeyDistribution distribution = distribution(encoded);
        if (!Arrays.equals(distribution.groupId(), groupId)) throw new Refusal(GroupRefusal.Reason.WRONG_GROUP, "distribution for another group");
        IdentityPublicKey sender = distribution.sender();
        return new GroupState.PendingDistribution(distribution.epoch(), sender, encoded);
    }

    private static Refusal refusalOf(SenderKeyException e) {
        GroupRefusal.Reason reason = switch (e.reason()) {
            case MALFORMED -> GroupRefusal.Reason.MALFORMED;
            case TOO_LARGE -> GroupRefusal.Reason.TOO_LARGE;
            case WRONG_GROUP -> GroupRefusal.Reason.WRONG_GROUP;
            case SENDER_MISMATCH -> GroupRefusal.Reason.SENDER_MISMATCH;
            case NO_SENDER_KEY -> GroupRefusal.Reason.NO_SENDER_KEY;
            case EPOCH_OUT_OF_RANGE -> GroupRefusal.Reason.EPOCH_OUT_OF_RANGE;
            case TOO_MANY_SENDERS -> GroupRefusal.Reason.GROUP_FULL;
            case BAD_SIGNATURE -> GroupRefusal.Reason.BAD_SIGNATURE;
            case TOO_FAR_AHEAD -> GroupRefusal.Reason.TOO_FAR_AHEAD;
            case DUPLICATE_OR_TOO_OLD -> GroupRefusal.Reason.REPLAY;
            case DECRYPTION_FAILED -> GroupRefusal.Reason.DECRYPTION_FAILED;
        };
        return new Refusal(reason, e.getMessage());
    }
}
