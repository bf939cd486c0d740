package dev.ferry.overlay.identify;

/** libp2p identify (identify/README.md). */
public final class IdentifyProtocol {
    public static final String PROTOCOL_ID = "/ipfs/id/1.0.0";
    public static final String PUSH_PROTOCOL_ID = "/ipfs/id/push/1.0.0";
    /**
     * Largest identify message accepted. js-libp2p caps it at 8 KiB; ours leaves room for many
     * protocols and addresses while keeping what a remote can make us hold small.
     */
    public static final int MAX_MESSAGE_SIZE = 64 * 1024;
    /** Addresses and protocols kept from one message; the rest is ignored. */
    public static final int MAX_LISTED = 128;

    private IdentifyProtocol() {}
}
