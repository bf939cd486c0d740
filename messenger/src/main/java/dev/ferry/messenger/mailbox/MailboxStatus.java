package dev.ferry.messenger.mailbox;

import java.util.Locale;

import dev.ferry.store.RefusalReason;

/**
 * The status of an answer: {@link #OK}, or why the holder refused. Each has a fixed wire code
 * (0 is never sent); a code this version does not know reads as {@link #UNKNOWN}.
 */
public enum MailboxStatus {
    /** Done (a repeated STORE of a held shard is OK too). */
    OK(1),
    /** The envelope header does not decode, or its id does not match its fields. */
    BAD_HEADER(2),
    /** The shard index is not below the header's k + m. */
    BAD_INDEX(3),
    /** The shard's SHA-256 is not the one the header lists for its index. */
    SHARD_MISMATCH(4),
    /** The envelope's expiry has passed. */
    EXPIRED(5),
    /** The envelope asks to be held past now + this holder's maximum TTL. */
    TTL_TOO_LONG(6),
    /** The envelope claims a creation time too far in this holder's future. */
    CREATED_IN_FUTURE(7),
    /** The envelope was acknowledged here: its tombstone keeps it from coming back. */
    TOMBSTONED(8),
    /** The shard alone is over the store's shard limit. */
    TOO_LARGE(9),
    /** The sending peer has used its quota on this holder. */
    PEER_QUOTA(10),
    /** The mailbox holds as much as this holder allows one mailbox. */
    MAILBOX_FULL(11),
    /** This holder is full. */
    TOTAL_FULL(12),
    /** The owner key is not an Ed25519 libp2p public key. */
    BAD_OWNER_KEY(13),
    /** The owner key's mailbox is not the mailbox asked for. */
    WRONG_MAILBOX(14),
    /** The signature does not verify (for this holder, mailbox, cursor and time). */
    BAD_SIGNATURE(15),
    /** The signed timestamp is too far from this holder's clock: stale or replayed. */
    STALE_AUTHORISATION(16),
    /** The cursor is not one this holder's pages return. */
    BAD_CURSOR(17),
    /** Nothing is held for this envelope or mailbox. */
    NOT_FOUND(18),
    /** The envelope was already acknowledged here. */
    ALREADY_ACKNOWLEDGED(19),
    /** The ACK secret does not hash to the envelope's ACK hash; nothing was deleted. */
    BAD_SECRET(20),
    /** The prekey bundle does not decode or its signatures do not verify. */
    BAD_BUNDLE(21),
    /** The prekey bundle is not the sending peer's own. */
    WRONG_PEER(22),
    /** The bundle's prekey is too old to be used, or dated in the future. */
    STALE_BUNDLE(23),
    /** A bundle with a newer (or the same) prekey time is already held. */
    OUTDATED_BUNDLE(24),
    /** This holder holds as many prekey bundles as it allows. */
    PREKEYS_FULL(25),
    /** Too many watchers for this mailbox, from this peer, or in total. */
    TOO_MANY_WATCHERS(26),
    /** The watcher did not read its notices fast enough and was dropped. */
    WATCHER_TOO_SLOW(27),
    /** The holder has too many requests in progress; try later. */
    BUSY(28),
    /** The holder is shutting down. */
    SHUTTING_DOWN(29),
    /** The holder failed (its store did); not the request's fault. */
    INTERNAL_ERROR(30),
    /** A code this version does not know (a newer holder's refusal); only ever decoded. */
    UNKNOWN(-1);

    private final int code;

    MailboxStatus(int code) {
        this.code = code;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** The metric label: the name in lower case ({@code peer_quota}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this is {@link #OK}. */
    public boolean isOk() {
        return this == OK;
    }

    /** The status of a wire code; {@link #UNKNOWN} for one this version does not know. */
    public static MailboxStatus ofCode(int code) {
        for (MailboxStatus status : values()) {
            if (status.code == code && status != UNKNOWN) {
                return status;
            }
        }
        return UNKNOWN;
    }

    /** The status a store refusal becomes. */
    static MailboxStatus of(RefusalReason reason) {
        return switch (reason) {
            case TOO_LARGE -> TOO_LARGE;
            case TOMBSTONED -> TOMBSTONED;
            case PEER_QUOTA -> PEER_QUOTA;
            case MAILBOX_FULL -> MAILBOX_FULL;
            case TOTAL_FULL -> TOTAL_FULL;
            case HELD_BUNDLES_FULL -> PREKEYS_FULL;
        };
    }
}
