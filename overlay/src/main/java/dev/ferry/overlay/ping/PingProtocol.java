package dev.ferry.overlay.ping;

/** libp2p ping (ping/ping.md): the dialer sends 32 random bytes, the listener echoes them. */
public final class PingProtocol {
    public static final String PROTOCOL_ID = "/ipfs/ping/1.0.0";
    public static final int PAYLOAD_LENGTH = 32;

    private PingProtocol() {}
}
