package dev.ferry.messenger.session;

import dev.ferry.crypto.ratchet.RatchetLimits;
import dev.ferry.crypto.x3dh.InitialMessage;

/** Every bound of the session layer, in one place, each with the reason for its value. */
public final class SessionLimits {
    /**
     * Framing a {@code SessionMessageBody} adds around an application body: stream id, sequence,
     * floor, type, time and field tags are under 48 bytes; 64 leaves headroom.
     */
    static final int BODY_FRAMING = 64;

    /** The largest application body: what fits in one ratchet message with its framing. */
    public static final int MAX_BODY_LENGTH = RatchetLimits.MAX_PLAINTEXT_SIZE - BODY_FRAMING;

    /** The largest session payload: an initial message and a ratchet message with their field tags. */
    public static final int MAX_PAYLOAD_LENGTH = InitialMessage.MAX_ENCODED_LENGTH + RatchetLimits.MAX_MESSAGE_SIZE + 16;

    /**
     * Messages held ahead of a gap. As many as one ratchet chain can skip (MAX_SKIP): a gap the
     * ratchet bridges, the hold bridges too. A message past the cap is refused unchanged and
     * comes again from the mailbox once the gap has closed.
     */
    public static final int MAX_HELD_MESSAGES = RatchetLimits.MAX_SKIP;

    /**
     * Bytes of bodies held ahead of a gap. The record is rewritten with every message, so held
     * bodies must stay small; 1 MiB holds hundreds of ordinary messages or four maximal ones.
     */
    public static final int MAX_HELD_BYTES = 1 << 20;

    /**
     * How far past the next expected sequence a message may be. The same as the hold's count:
     * a message further ahead could not be held anyway.
     */
    public static final long MAX_SEQUENCE_AHEAD = MAX_HELD_MESSAGES;

    /**
     * Ratchet sessions kept besides the one we send on. Simultaneous initiation leaves one extra
     * session, and messages in flight on it must still open; four covers repeated crossings
     * while keeping the record (each session up to {@link RatchetLimits#MAX_STATE_SIZE}) bounded.
     */
    public static final int MAX_PREVIOUS_SESSIONS = 4;

    /**
     * X3DH ephemeral keys of accepted initiations remembered per peer, so that a replayed initial
     * message is refused even after its session is gone. A peer initiates once per lost state or
     * crossing; 64 of them (2 KiB) outlast any envelope's lifetime in practice.
     */
    public static final int MAX_REMEMBERED_BASE_KEYS = 64;

    /** Earlier sequence spaces of a peer remembered (one per state it lost), so their messages are refused. */
    public static final int MAX_RETIRED_STREAMS = 16;

    /** A sequence space id: 8 random bytes, so two states of one peer never share one. */
    public static final int STREAM_ID_LENGTH = 8;

    /** The largest stored record accepted when reading one back: every session, the hold and the lists at their caps. */
    public static final int MAX_RECORD_SIZE = (1 + MAX_PREVIOUS_SESSIONS) * (RatchetLimits.MAX_STATE_SIZE + 1024)
            + MAX_HELD_BYTES + MAX_HELD_MESSAGES * 32 + MAX_REMEMBERED_BASE_KEYS * 40 + MAX_RETIRED_STREAMS * 16 + 1024;

    private SessionLimits() {}
}
