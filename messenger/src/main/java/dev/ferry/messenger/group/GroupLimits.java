package dev.ferry.messenger.group;

import dev.ferry.crypto.senderkey.SenderKeyLimits;
import java.time.Duration;

/** Every bound of the group layer, with the reason for its value. */
public final class GroupLimits {
    /** Group ids are 32 random bytes: unguessable, so that only members can name the group's topic. */
    public static final int GROUP_ID_LENGTH = 32;
    /**
     * Members per group, the owner included: every member sends its sender key to every other
     * one over pairwise sessions at each epoch (quadratic), and the sender-key layer keeps at most
     * this many chains per epoch.
     */
    public static final int MAX_MEMBERS = SenderKeyLimits.MAX_SENDERS_PER_EPOCH;
    /** A group name in UTF-8 bytes: a title, not a document. */
    public static final int MAX_NAME_BYTES = 256;
    /**
     * Epochs kept, the current one included, with their roster and secret: late messages of the
     * epochs just before still arrive through gossip and the mailboxes. The same as the sender-key
     * layer's, so that a kept roster always has its chains.
     */
    public static final int MAX_EPOCHS_KEPT = SenderKeyLimits.MAX_EPOCHS_KEPT;
    /**
     * How long after a newer epoch was installed (local time) messages of an older kept epoch are
     * still read: long enough for gossip in flight and for a returning member to fetch the old
     * mailbox right after it learnt of the new epoch, short enough that a removed member cannot
     * keep writing into its last epoch.
     */
    public static final Duration EPOCH_GRACE = Duration.ofMinutes(15);
    /**
     * How far ahead of the current epoch a sender key distribution is held, waiting for the owner's
     * roster of its epoch: another member's pairwise session can run several owner changes ahead
     * of the owner's own (an owner inviting a few people in a row), and a key dropped here would be
     * missing for the whole epoch. Further ahead than this is no honest lag.
     */
    public static final int MAX_PENDING_EPOCHS_AHEAD = 8;
    /**
     * Distributions held for epochs not yet installed, over all senders: one per member for as
     * many epochs as are kept (each sender's newest ones matter). At about 200 bytes each, some
     * 150 KB at most.
     */
    public static final int MAX_PENDING_DISTRIBUTIONS = MAX_MEMBERS * MAX_EPOCHS_KEPT;
    /**
     * The largest epoch number: an owner adds one per change, so no honest group gets near it,
     * and arithmetic on epochs can never overflow.
     */
    public static final long MAX_EPOCH = 1L << 48;
    /** An encoded member identity: three fixed-size keys with their framing (about 136 bytes). */
    static final int MAX_MEMBER_LENGTH = 160;
    /** The largest encoded signed roster: every member, the owner twice, the name, ids and signature. */
    public static final int MAX_ROSTER_LENGTH = (MAX_MEMBERS + 1) * MAX_MEMBER_LENGTH + MAX_NAME_BYTES + 256;
    /**
     * The largest control message: a roster, an epoch secret and a distribution with framing
     * (about 41 KiB for a full group; well under the pairwise session's 256 KiB).
     */
    public static final int MAX_CONTROL_LENGTH = MAX_ROSTER_LENGTH + SenderKeyLimits.MAX_DISTRIBUTION_LENGTH + 256;
    /**
     * The largest persisted group state: the kept epochs' rosters and secrets, the sender keys and
     * the pending distributions.
     */
    public static final int MAX_STATE_LENGTH = MAX_EPOCHS_KEPT * (MAX_ROSTER_LENGTH + 128) + SenderKeyLimits.MAX_STATE_LENGTH
            + MAX_PENDING_DISTRIBUTIONS * (SenderKeyLimits.MAX_DISTRIBUTION_LENGTH + 8) + 1024;

    private GroupLimits() {}
}
