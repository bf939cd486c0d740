package dev.ferry.store;

import java.util.List;
import java.util.Optional;

/**
 * The shards this node holds for mailboxes, with their byte accounting against
 * {@link StoreLimits}. Each shard is listed under its mailbox and deleted by the expiry sweep at
 * its expiry time.
 */
public interface ShardStore {
    /** How many shards one {@link #list} call returns at most: a page, not a whole mailbox. */
    int MAX_LIST = 1000;

    /**
     * Stores a shard together with its mailbox-index and expiry-index entries and the byte
     * accounting, all in one write.
     *
     * @return true if stored; false if this shard (envelope and index) was already stored, in
     *     which case nothing changed (a retried push is harmless and cannot replace a shard)
     * @throws StoreRefusedException if a limit or a tombstone refuses it; nothing was written
     */
    boolean put(Shard shard);

    /** The shard with this index of this envelope, if held. */
    Optional<Shard> get(EnvelopeId envelope, int index);

    /** All held shards of this envelope, in index order. */
    List<Shard> getAll(EnvelopeId envelope);

    /**
     * The held shards of this envelope with an index below {@code shardCount}, in index order:
     * all of them when the envelope has that many shards (its header says how many). Each is read
     * by its key, which costs less than the seek {@link #getAll(EnvelopeId)} makes when the
     * count is small, as it is for an envelope's k + m.
     *
     * @throws IllegalArgumentException if {@code shardCount} is not 1..{@value Shard#MAX_INDEX} + 1
     */
    List<Shard> getAll(EnvelopeId envelope, int shardCount);

    /** Whether any shard of this envelope is held. */
    boolean has(EnvelopeId envelope);

    /**
     * One page of a mailbox's shards in (envelope id, index) order, starting after {@code after}
     * (from the beginning when empty), at most {@code limit} of them.
     */
    ShardPage list(MailboxKey mailbox, Optional<ShardPage.Cursor> after, int limit);

    /**
     * The mailboxes this store holds shards for, in key order, after {@code after} (from the first
     * when empty), at most {@code limit} (at most {@link #MAX_LIST}) of them: what a holder's
     * upkeep walks through. One seek per mailbox, however many shards each holds.
     */
    List<MailboxKey> mailboxes(Optional<MailboxKey> after, int limit);

    /**
     * Deletes every shard of this envelope with its index entries, releasing its bytes.
     *
     * @return how many shards were deleted
     */
    int deleteEnvelope(EnvelopeId envelope);

    /**
     * Deletes these shards (named by envelope and index, as read from this store) with their index
     * entries, releasing their bytes; one no longer held is skipped. What {@link #deleteEnvelope}
     * does without looking the envelope's shards up again, when they were just read.
     *
     * @return how many were deleted
     */
    int delete(List<Shard> shards);

    /** What all shards take. */
    StoreUsage usage();

    /** What one mailbox's shards take. */
    StoreUsage usage(MailboxKey mailbox);

    /** What the shards one peer stored take. */
    StoreUsage usage(PeerBytes sender);
}
