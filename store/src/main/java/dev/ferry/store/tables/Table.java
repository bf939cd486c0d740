package dev.ferry.store.tables;

/** The tables of the store; in RocksDB each is a column family of this name. */
public enum Table {
    /** (envelope id, shard index) to mailbox, sender, expiry, header and shard bytes. */
    SHARDS("shards"),
    /** Envelope id to tombstone expiry. */
    TOMBSTONES("ack_tombstones"),
    /** (expiry, kind, key) to nothing: what the sweep deletes, earliest first. */
    EXPIRY("expiry_index"),
    /** (mailbox, envelope id, shard index) to nothing: a mailbox's listing. */
    MAILBOX_INDEX("mailbox_index"),
    /** Peer to ratchet session. */
    SESSIONS("sessions"),
    /** Prekey id to prekey. */
    PREKEYS("prekeys"),
    /** Peer to contact. */
    CONTACTS("contacts"),
    /** Group id to group. */
    GROUPS("groups"),
    /** (conversation, sequence) to message. */
    INBOX("inbox"),
    /** Envelope id to state, expiry and envelope. */
    OUTBOX("outbox"),
    /** Byte accounting (total, per mailbox, per sender), the inbox sequence counters and the held-bundle count. */
    COUNTERS("counters"),
    /** Mailbox to the expiry and bytes of the prekey bundle held for its owner. Ordinals name column families: new tables go last. */
    HELD_PREKEY_BUNDLES("held_prekey_bundles"),
    /** Envelope id to the user's sent message: its conversation, inbox position and latest delivery state. */
    SENT_MESSAGES("sent_messages");

    private final String familyName;

    Table(String familyName) {
        this.familyName = familyName;
    }

    /** The RocksDB column family name (also the name operators see in the data directory's OPTIONS file). */
    public String familyName() {
        return familyName;
    }
}
