package dev.ferry.crypto.ratchet;

import dev.ferry.crypto.Aes256Gcm;

/** Every bound of the Double Ratchet, in one place, each with the reason for its value. */
public final class RatchetLimits {
    /**
     * The spec's MAX_SKIP: how many message keys one received message may make us derive and keep
     * in one chain (its own chain, or the rest of the previous chain given by PN). Far more than a
     * store-and-forward mailbox loses or reorders between two replies, while it bounds the
     * HMAC work a single forged header can cause (about 1000 HMACs, well under a millisecond).
     */
    public static final int MAX_SKIP = 1000;

    /**
     * Skipped message keys kept across all chains of a session; when more arrive the oldest are
     * dropped first. Two full chains' worth, so that a whole MAX_SKIP gap survives one more DH
     * step; it bounds the persisted state to about 150 KiB.
     */
    public static final int MAX_SKIPPED_KEYS = 2 * MAX_SKIP;

    /**
     * Largest encoded ratchet message (header, ciphertext and tag). A ratchet message is the
     * ciphertext of one envelope, which is erasure-coded into shards and pushed to mailbox holders;
     * bulk content travels by reference, so a quarter MiB is ample and keeps holders' work bounded.
     */
    public static final int MAX_MESSAGE_SIZE = 256 * 1024;

    /** Largest plaintext that fits in {@link #MAX_MESSAGE_SIZE}. */
    public static final int MAX_PLAINTEXT_SIZE =
            MAX_MESSAGE_SIZE - RatchetMessage.HEADER_LENGTH - Aes256Gcm.TAG_LENGTH;

    /**
     * Largest session associated data. X3DH's is two encoded identity keys (2 x 36 bytes); 1 KiB
     * leaves room for richer identities while bounding the state and every message's AEAD input.
     */
    public static final int MAX_ASSOCIATED_DATA_SIZE = 1024;

    /**
     * Largest serialised session state accepted when reading one back: the skipped keys at their
     * cap (about 75 bytes each) plus the associated data and the chain state, with headroom.
     */
    public static final int MAX_STATE_SIZE = 512 * 1024;

    /**
     * Message numbers and PN are carried as 32-bit unsigned integers on the wire but kept below
     * this, so they fit a Java int; a session that sent 2^31 - 1 messages in one chain must be
     * replaced (a DH step resets the counter long before that in any real conversation).
     */
    public static final int MAX_MESSAGE_NUMBER = Integer.MAX_VALUE - 1;

    private RatchetLimits() {}
}
