package dev.ferry.dht.message;

import dev.ferry.crypto.PeerId;

/**
 * The kad-dht protocol ids and every limit its codec enforces, in one place. Each limit says
 * why it has its value; {@link DhtMessages} refuses or trims what exceeds them.
 */
public final class DhtProtocol {
    /** Ferry's own DHT, kept apart from the IPFS one so that the two networks never mix. */
    public static final String DEFAULT_PROTOCOL_ID = "/ferry/kad/1.0.0";
    /** The IPFS (Amino) DHT, for a node configured to join an IPFS-compatible network. */
    public static final String IPFS_PROTOCOL_ID = "/ipfs/kad/1.0.0";

    /** The replication parameter k of the spec: how many closest peers a response lists. */
    public static final int K = 20;

    /**
     * Largest message, without its length prefix: 4 MiB, what go-libp2p-kad-dht
     * ({@code network.MessageSizeMax = 1 << 22}) and js-libp2p ({@code it-length-prefixed}'s
     * default {@code maxDataLength}) accept. Accepting less could refuse a record they would
     * store; a node that wants less passes a smaller size to {@link DhtMessages}.
     */
    public static final int MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

    /**
     * Longest key, of a message or of a record. Keys in use are well under 100 bytes: a PeerId
     * is at most 44, a multihash of a 64-byte digest 66, {@code /pk/} or {@code /ipns/} plus a
     * PeerId 50, a {@code /ferry/} key at most 116. A key is hashed on every request and kept
     * with every record and provider, so a large cap would let a peer make us store big keys.
     */
    public static final int MAX_KEY_LENGTH = 256;

    /**
     * Longest key of ADD_PROVIDER and GET_PROVIDERS. Provider keys are multihashes (the spec),
     * 34 bytes for sha2-256; go-libp2p-kad-dht refuses both requests with a key over 80 bytes,
     * so Ferry neither sends nor accepts one.
     */
    public static final int MAX_PROVIDER_KEY_LENGTH = 80;

    /**
     * Most closer peers read from one message; the rest are skipped unread and counted. Peers
     * answer with k = 20; the spec calls 20 a recommendation, so room is left for networks that
     * raise it, while a peer answering with thousands cannot make a lookup hold them.
     */
    public static final int MAX_CLOSER_PEERS = 64;

    /**
     * Most provider peers read from one message; the rest are skipped unread and counted. A
     * GET_PROVIDERS answer lists the providers the peer stores for the key (go-libp2p sends as
     * many as fit in a message), usually a handful; a lookup that needs more asks other peers.
     */
    public static final int MAX_PROVIDER_PEERS = 256;

    /**
     * Most addresses read for one peer; the rest are skipped unread and counted. A public node
     * announces one or two per transport and IP version, some ten in all; more is padding.
     */
    public static final int MAX_ADDRESSES_PER_PEER = 32;

    /**
     * Longest {@code timeReceived} kept from a record; a longer one is ignored, as the field
     * is never trusted anyway. Its RFC 3339 form with nanoseconds is 30 characters.
     */
    public static final int MAX_TIME_RECEIVED_LENGTH = 64;

    /**
     * Longest peer id read: the identity multihash of the longest key a PeerId inlines (two
     * bytes of header, then at most 42). A sha2-256 PeerId is 34 bytes.
     */
    static final int MAX_PEER_ID_LENGTH = 2 + PeerId.MAX_INLINE_KEY_LENGTH;

    private DhtProtocol() {}
}
