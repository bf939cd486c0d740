package dev.ferry.overlay.yamux;

/** Constants of the yamux spec (hashicorp/yamux spec.md). */
public final class YamuxProtocol {
    public static final String PROTOCOL_ID = "/yamux/1.0.0";

    static final byte VERSION = 0;
    static final int HEADER_LENGTH = 12;

    static final int TYPE_DATA = 0;
    static final int TYPE_WINDOW_UPDATE = 1;
    static final int TYPE_PING = 2;
    static final int TYPE_GO_AWAY = 3;

    static final int FLAG_SYN = 1;
    static final int FLAG_ACK = 2;
    static final int FLAG_FIN = 4;
    static final int FLAG_RST = 8;

    static final int GO_AWAY_NORMAL = 0;
    static final int GO_AWAY_PROTOCOL_ERROR = 1;
    static final int GO_AWAY_INTERNAL_ERROR = 2;

    /** Every stream starts with this receive window, by the spec; more is granted by updates. */
    public static final int INITIAL_WINDOW = 256 * 1024;

    private YamuxProtocol() {}
}
