package dev.ferry.crypto.envelope;

import java.time.Duration;

/** Every bound of the envelope layer, with the reason for its value. */
public final class EnvelopeLimits {
    /**
     * The largest inner payload: the node's default maximum envelope size. Files travel as
     * {@link ContentType#FILE_CHUNK}s, so one envelope stays small enough to code, store and
     * rebuild in memory.
     */
    public static final int MAX_PAYLOAD_LENGTH = 1 << 20;
    /** The largest encoded inner content: the payload plus sender, timestamp, ACK secret and framing. */
    public static final int MAX_INNER_LENGTH = MAX_PAYLOAD_LENGTH + 256;
    /** The largest ciphertext: the inner content plus the ephemeral public key and the GCM tag. */
    public static final int MAX_CIPHERTEXT_LENGTH = MAX_INNER_LENGTH + SealedEnvelope.OVERHEAD;
    /**
     * Shards per envelope, data and parity together. The design default is 4 + 2 and a mailbox
     * has a handful of holders; 32 leaves room to grow while keeping a header's hashes to 1 KiB.
     * (GF(2^8) Reed-Solomon itself stops at 256.)
     */
    public static final int MAX_TOTAL_SHARDS = 32;
    /** The largest encoded header: fixed-size fields and {@link #MAX_TOTAL_SHARDS} hashes, with framing. */
    public static final int MAX_HEADER_LENGTH = 2048;
    /**
     * A hard ceiling on expiry - created, whatever a node is configured with (the default node
     * maximum is 7 days): no envelope may ask to be held longer.
     */
    public static final Duration MAX_TTL = Duration.ofDays(30);
    /**
     * How far in the future (by the opener's clock) an envelope's creation time may be: peers'
     * clocks differ, but an envelope "created" hours ahead is a lie about its age.
     */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);

    private EnvelopeLimits() {}
}
