package dev.ferry.messenger.session;

/**
 * Why a received envelope was not accepted. A refusal changes nothing. Where the seal opened, the
 * refusal carries the envelope's ACK secret: acknowledging {@link #DUPLICATE} and {@link #STALE}
 * envelopes stops their sender's retries (they were received before, or will never be wanted);
 * the others are better left to expire, so that one that only came too early can come again.
 */
public enum Refusal {
    /** Received before: its envelope id, sequence number or message key was already used. */
    DUPLICATE,
    /** From an earlier state of the peer (it lost its state and started anew), or below the sender's floor. */
    STALE,
    /** An X3DH initial message accepted before, whose session is gone: a replay, never a new session. */
    REPLAYED_INITIAL,
    /** It opened but no session reads it: no session with the claimed sender, an unknown prekey, or a forgery. */
    UNDECRYPTABLE,
    /** The seal does not open with our identity key: not for us, or damaged. */
    NOT_FOR_US,
    /** The envelope has expired, or claims to be created in the future. */
    EXPIRED,
    /** The bytes do not decode, break a size limit, or are not a session message. */
    MALFORMED,
    /** The inner sender is not the identity the session or initial message authenticates. */
    WRONG_SENDER,
    /** Too far ahead of the next expected message, or the hold for early messages is full: it can come again later. */
    TOO_FAR_AHEAD
}
