package dev.ferry.overlay.multistream;

/** multistream-select 1.0 (libp2p specs connections/README.md, multiformats/multistream-select). */
public final class MultistreamProtocol {
    /** The header both sides send first. */
    public static final String PROTOCOL_ID = "/multistream/1.0.0";
    /** The listener's answer to a protocol it does not speak. */
    public static final String NOT_AVAILABLE = "na";
    /** The dialer's request for the listener's protocol list. */
    public static final String LIST = "ls";
    /**
     * Longest message accepted: protocol ids are short, and a remote must not make us buffer more
     * than this while it negotiates.
     */
    public static final int MAX_MESSAGE_LENGTH = 1024;
    /** Protocols proposed on one stream before we give up on the remote (it keeps saying "na"). */
    public static final int MAX_PROPOSALS = 32;

    private MultistreamProtocol() {}
}
