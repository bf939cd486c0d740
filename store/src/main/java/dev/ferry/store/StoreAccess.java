package dev.ferry.store;

/** The parts of the store, each a small interface; {@link FerryStore} and {@link StoreBatch} both offer them. */
public interface StoreAccess {
    /** Mailbox shards with their limits. */
    ShardStore shards();

    /** Tombstones of acknowledged envelopes. */
    AckTombstones tombstones();

    /** Double Ratchet session state by peer. */
    KeyedRecords<PeerBytes> sessions();

    /** This node's signed prekeys (private parts included) by prekey id. */
    KeyedRecords<Integer> prekeys();

    /** Prekey bundles held for the owners of mailboxes this node serves, by mailbox. */
    HeldPrekeyBundles heldPrekeyBundles();

    /** Contacts by peer. */
    KeyedRecords<PeerBytes> contacts();

    /** Groups (member list, epoch, sender keys) by group id. */
    KeyedRecords<GroupId> groups();

    /** Decrypted messages by conversation. */
    Inbox inbox();

    /** Envelopes sent and not yet done with. */
    Outbox outbox();

    /**
     * The messages the user sent, by envelope id: where each sits in its conversation and how far
     * it got. Unlike the {@link #outbox()}, an entry stays after delivery or expiry, so a
     * conversation still shows "delivered" a year later.
     */
    KeyedRecords<EnvelopeId> sentMessages();
}
