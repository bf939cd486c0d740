package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.envelope.EnvelopeLimits;

/**
 * The fixed bounds of {@code /ferry/mailbox/1.0.0}, each with its reason. What an operator may
 * tune (TTL, page sizes, watcher counts, timeouts) is in {@link MailboxConfig}.
 */
public final class MailboxLimits {
    /**
     * The largest message either side accepts: a STORE carries one shard (the store's default
     * limit is 1 MiB with its header) and a header of at most {@link EnvelopeLimits#MAX_HEADER_LENGTH};
     * 2 MiB leaves room for a node configured with larger shards and for HANDOVER batches, while a
     * stream can make us buffer at most this much.
     */
    public static final int MAX_MESSAGE_BYTES = 2 << 20;

    /**
     * Room kept in a message for everything but shard bytes (ids, statuses, field tags), so that a
     * page or a handover batch filled up to {@link #MAX_MESSAGE_BYTES} minus this always fits.
     */
    public static final int MESSAGE_OVERHEAD_BYTES = 16 << 10;

    /** Shards in one HANDOVER request: a batch per stream round trip, a status per shard, no more. */
    public static final int MAX_HANDOVER_SHARDS = 64;

    /**
     * Requests of one stream read ahead and waiting for their answers. Reading pauses while one is
     * served, so more wait only when several arrived together; a handful keeps a pipelining client
     * fast and a flooding one cheap.
     */
    public static final int MAX_QUEUED_REQUESTS_PER_STREAM = 8;

    /**
     * Requests of one peer waiting for the holder's thread, all its streams together; more are
     * answered {@link MailboxStatus#BUSY}. A {@link MailboxClient} keeps at most two streams of
     * {@link #MAX_QUEUED_REQUESTS_PER_STREAM} to a holder (a burst goes as BATCHes, one request
     * each), so 64 leaves a node room for its outbox, retrieval and repair at once, while a peer
     * opening hundreds of streams can take a sixteenth of the holder's queue
     * ({@link MailboxConfig#DEFAULT_MAX_PENDING_REQUESTS}), not all of it and other peers' turn.
     */
    public static final int MAX_PENDING_REQUESTS_PER_PEER = 64;

    /**
     * Holders an ACK may name as acknowledged by its sender too: an envelope has k + m holders
     * (6 by default, at most 255 shards but never that many holders in practice), and 16 covers
     * any sensible code.
     */
    public static final int MAX_ACK_NOTIFIED = 16;

    /** Requests in one BATCH: enough to carry a burst of shards to a holder in one message. */
    public static final int MAX_BATCH_REQUESTS = 64;

    /** Envelopes one ACKED request asks about: a round of a busy sender's checks in a few requests. */
    public static final int MAX_ACKED_QUERY = 256;

    /** A FETCH cursor: the last listed shard's envelope id (32 bytes) and index (1 byte). */
    public static final int CURSOR_BYTES = 33;

    /**
     * An owner's public key in the libp2p protobuf form: an Ed25519 one is 36 bytes; 64 refuses
     * anything larger before it is parsed.
     */
    public static final int MAX_PUBLIC_KEY_BYTES = 64;

    /** The detail string of a refusal: one short sentence, cut to this many characters. */
    public static final int MAX_DETAIL_CHARS = 200;

    private MailboxLimits() {}
}
