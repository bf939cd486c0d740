package dev.ferry.crypto.senderkey;

/** Every bound of the sender-key layer, with the reason for its value. */
public final class SenderKeyLimits {
    /**
     * How far ahead of a receiver's chain a message may be: 2000 as in libsignal's sender keys.
     * Each step is an HMAC, so a forged iteration cannot make a receiver do unbounded work (and
     * the signature is checked before any step anyway).
     */
    public static final int MAX_FORWARD = 2000;
    /**
     * Skipped message keys kept per received chain for out-of-order messages; the oldest is
     * dropped first. 2000 like libsignal's MAX_MESSAGE_KEYS: gossip reorders a few messages, a
     * member offline for long reads from the mailbox in order.
     */
    public static final int MAX_SKIPPED_KEYS_PER_CHAIN = 2000;
    /**
     * Skipped message keys kept per group over all its chains: the state is persisted with every
     * message, so it must stay small (about 40 bytes a key: some 320 KB at most). Beyond it, keys
     * are dropped from the oldest epoch's chains first (the least likely to be needed), never from
     * the chain just read.
     */
    public static final int MAX_SKIPPED_KEYS_PER_GROUP = 4 * MAX_SKIPPED_KEYS_PER_CHAIN;
    /**
     * Epochs kept for late messages, counting the current one: an epoch starts when a member is
     * removed, and messages sent just before still arrive through gossip and mailboxes for a
     * while. Older epochs' chains are dropped.
     */
    public static final int MAX_EPOCHS_KEPT = 3;
    /**
     * How far ahead of the current epoch a distribution may be: a member's new-epoch
     * distribution can arrive before this member has learnt of the new member list, but a peer
     * must not be able to make us hold chains for arbitrary future epochs.
     */
    public static final int MAX_EPOCHS_AHEAD = 2;
    /**
     * Senders whose chains are kept per epoch: every member sends its chain to every other one
     * over pairwise sessions (quadratic), so sender-key groups are meant for up to this size.
     */
    public static final int MAX_SENDERS_PER_EPOCH = 256;
    /** Group ids are random; 32 bytes is plenty, 64 leaves room for a hash of something else. */
    public static final int MAX_GROUP_ID_LENGTH = 64;
    /**
     * The largest group plaintext: a text or a file chunk; larger files are chunked by the
     * messenger, so a gossip message stays well under GossipSub's 1 MiB default.
     */
    public static final int MAX_PLAINTEXT_LENGTH = 256 * 1024;
    /** The largest encoded group message: the plaintext plus tag, ids, signature and framing. */
    public static final int MAX_MESSAGE_LENGTH = MAX_PLAINTEXT_LENGTH + 1024;
    /** The largest encoded distribution: a few fixed-size fields. */
    public static final int MAX_DISTRIBUTION_LENGTH = 512;
    /**
     * The largest encoded state: every kept chain (about 120 bytes each) and the group's skipped
     * keys (about 40 bytes each, 48 with framing), with room for the own chain.
     */
    public static final int MAX_STATE_LENGTH =
            (MAX_EPOCHS_KEPT + MAX_EPOCHS_AHEAD) * MAX_SENDERS_PER_EPOCH * 256 + MAX_SKIPPED_KEYS_PER_GROUP * 48 + 1024;

    private SenderKeyLimits() {}
}
