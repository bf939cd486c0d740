package dev.ferry.pubsub.message;

/**
 * Why a message failed its {@link SignaturePolicy}; one metric label each. Every one makes the
 * message invalid in GossipSub v1.1's sense (the router rejects it and counts it against the
 * peer that delivered it).
 */
public enum SignatureFailure {
    /** STRICT_SIGN: no {@code from}. */
    MISSING_FROM,
    /** STRICT_SIGN: {@code from} is not a PeerId. */
    INVALID_FROM,
    /** STRICT_SIGN: no {@code seqno}. */
    MISSING_SEQNO,
    /** STRICT_SIGN: a {@code seqno} that is not 8 bytes. */
    INVALID_SEQNO,
    /** STRICT_SIGN: no {@code signature}. */
    MISSING_SIGNATURE,
    /** STRICT_SIGN: no {@code key}, and the PeerId does not inline one (a hashed, non-Ed25519 key). */
    MISSING_KEY,
    /**
     * STRICT_SIGN: a {@code key}, or the key inlined in the PeerId, that is not a valid public key
     * of a type Ferry verifies (Ed25519 only).
     */
    INVALID_KEY,
    /** STRICT_SIGN: a {@code key} that is not the key of the {@code from} PeerId. */
    KEY_MISMATCH,
    /** STRICT_SIGN: the signature does not verify. */
    INVALID_SIGNATURE,
    /** STRICT_NO_SIGN: the message has a {@code signature}. */
    UNEXPECTED_SIGNATURE,
    /** STRICT_NO_SIGN: the message has a {@code seqno}. */
    UNEXPECTED_SEQNO,
    /** STRICT_NO_SIGN: the message has a {@code key}. */
    UNEXPECTED_KEY,
    /** STRICT_NO_SIGN: the message has a {@code from}. */
    UNEXPECTED_FROM
}
