package dev.ferry.messenger.direct;

import dev.ferry.crypto.envelope.EnvelopeLimits;
import java.time.Duration;

/** The protocol id of direct delivery and every bound of it, each with its reason. */
public final class DirectProtocol {
    /**
     * Deliver an envelope to a recipient who is online; its ACK comes back on the same stream.
     * A stream carries several requests, answered in order.
     */
    public static final String PROTOCOL_ID = "/ferry/direct/1.0.0";

    /**
     * The largest request: a header at its limit, a ciphertext at its limit, the request id and
     * field tags. Anything longer resets the stream before a byte of it is kept.
     */
    public static final int MAX_REQUEST_SIZE = EnvelopeLimits.MAX_HEADER_LENGTH + EnvelopeLimits.MAX_CIPHERTEXT_LENGTH + 64;

    /**
     * Requests a sender may send on one stream ahead of their answers. The server answers them
     * one at a time and stops reading meanwhile; each may hold up to 1 MiB, so few.
     */
    public static final int MAX_QUEUED_REQUESTS_PER_STREAM = 4;

    /** Longest refusal detail sent or accepted: a log line, not a document. */
    public static final int MAX_DETAIL_LENGTH = 200;

    /** The largest response: request id, status, a 32-byte ACK secret and a detail, with tags. */
    public static final int MAX_RESPONSE_SIZE = 64 + MAX_DETAIL_LENGTH * 4;

    /**
     * Requests from one peer handled at once. A sender delivers its outbox one envelope after
     * another per recipient; a few in parallel are normal, more is a peer flooding us, who gets
     * BUSY (it still has the mailbox).
     */
    public static final int DEFAULT_MAX_INBOUND_PER_PEER = 8;

    /** Requests handled at once over all peers: each holds up to 1 MiB of ciphertext in memory. */
    public static final int DEFAULT_MAX_INBOUND_TOTAL = 64;

    /**
     * How long the recipient's handler may take (opening, one store write) before the request is
     * answered INTERNAL_ERROR and its slot freed; the sender's own timeout is shorter anyway.
     */
    public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(10);

    private DirectProtocol() {}
}
