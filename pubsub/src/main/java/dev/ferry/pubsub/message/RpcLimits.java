package dev.ferry.pubsub.message;

/**
 * Every limit {@link RpcCodec} enforces on an RPC, in one place. {@link #DEFAULTS} holds values
 * chosen to accept anything go-libp2p-pubsub and js-libp2p gossipsub send with their defaults,
 * and each default constant says why it has its value. What exceeds a count limit is skipped
 * without being read and counted in {@link RpcDropped}; only an RPC over {@link #maxRpcBytes()}
 * is refused whole.
 *
 * @param maxRpcBytes largest RPC accepted or written, without its length prefix
 * @param maxMessageDataBytes largest payload of one message; bigger messages are dropped
 * @param maxMessages most messages read from one RPC
 * @param maxSubscriptions most subscription changes read from one RPC
 * @param maxTopicLength longest topic, in UTF-8 bytes; an entry naming a longer one is dropped
 * @param maxIHaves most IHAVE entries read from one RPC
 * @param maxIHaveIds most message ids read from all the IHAVE entries of one RPC together
 * @param maxIWants most IWANT entries read from one RPC
 * @param maxIWantIds most message ids read from all the IWANT entries of one RPC together
 * @param maxGrafts most GRAFT entries read from one RPC
 * @param maxPrunes most PRUNE entries read from one RPC
 * @param maxPeersPerPrune most peer-exchange peers read from one PRUNE
 * @param maxSignedPeerRecordBytes largest signed peer record kept with a peer-exchange peer
 * @param maxMessageIdLength longest message id; longer (and empty) ids are dropped
 */
public record RpcLimits(
        int maxRpcBytes,
        int maxMessageDataBytes,
        int maxMessages,
        int maxSubscriptions,
        int maxTopicLength,
        int maxIHaves,
        int maxIHaveIds,
        int maxIWants,
        int maxIWantIds,
        int maxGrafts,
        int maxPrunes,
        int maxPeersPerPrune,
        int maxSignedPeerRecordBytes,
        int maxMessageIdLength) {

    /**
     * 1 MiB: the pubsub spec suggests limiting a message to 1 MiB, and go-libp2p-pubsub's
     * {@code DefaultMaxMessageSize} is 1 MiB.
     */
    public static final int DEFAULT_MAX_MESSAGE_DATA_BYTES = 1 << 20;

    /**
     * The largest payload plus 256 KiB: room for the message's own fields (under 1 KiB for an
     * Ed25519 author) and for the control messages a peer piggybacks on it, a full IHAVE of
     * {@link #DEFAULT_MAX_IHAVE_IDS} ids of 46 bytes being some 235 KiB. go-libp2p-pubsub never
     * sends more than 1 MiB in one RPC; js-libp2p would send up to 4 MiB.
     */
    public static final int DEFAULT_MAX_RPC_BYTES = DEFAULT_MAX_MESSAGE_DATA_BYTES + (256 << 10);

    /**
     * 1024: each message costs a signature check (about a tenth of a millisecond for Ed25519),
     * so this bounds the work one RPC can ask for to about a tenth of a second; peers send one
     * message per RPC when publishing, and go-libp2p-pubsub splits what it forwards by size.
     */
    public static final int DEFAULT_MAX_MESSAGES = 1024;

    /**
     * 5000, js-libp2p gossipsub's {@code maxSubscriptions}: a peer announces all its topics in
     * its first RPC, and dropping some would make us route around it on those topics.
     */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 5000;

    /**
     * 256 bytes: topics in use are far shorter (Ferry's group topics are a hash, some 70
     * characters; Ethereum's some 50). Every topic a peer names may become a key in the
     * router's maps, so a long one is not worth keeping.
     */
    public static final int DEFAULT_MAX_TOPIC_LENGTH = 256;

    /**
     * 256: a peer sends at most one IHAVE per topic per heartbeat, and go-libp2p-pubsub accepts
     * only {@code GossipSubMaxIHaveMessages} = 10 a heartbeat; the router enforces that rate.
     */
    public static final int DEFAULT_MAX_IHAVES = 256;

    /** 5000, GossipSub's {@code MaxIHaveLength}: the most ids a peer advertises per heartbeat. */
    public static final int DEFAULT_MAX_IHAVE_IDS = 5000;

    /** 256: peers send one IWANT per RPC; a few more are tolerated. */
    public static final int DEFAULT_MAX_IWANTS = 256;

    /** 5000, as {@link #DEFAULT_MAX_IHAVE_IDS}: an IWANT answers at most one heartbeat's IHAVEs. */
    public static final int DEFAULT_MAX_IWANT_IDS = 5000;

    /** 1024: at most one GRAFT per topic, and a Ferry node is in far fewer topics than this. */
    public static final int DEFAULT_MAX_GRAFTS = 1024;

    /** 1024: at most one PRUNE per topic, as {@link #DEFAULT_MAX_GRAFTS}. */
    public static final int DEFAULT_MAX_PRUNES = 1024;

    /** 16, GossipSub's {@code PrunePeers}: the most peers go and js offer in one PRUNE. */
    public static final int DEFAULT_MAX_PEERS_PER_PRUNE = 16;

    /**
     * 4 KiB: a signed peer record (key, a few multiaddrs, signature) is a few hundred bytes; one
     * far bigger is padding and is dropped, the peer kept without it.
     */
    public static final int DEFAULT_MAX_SIGNED_PEER_RECORD_BYTES = 4 << 10;

    /**
     * {@link MessageId#MAX_LENGTH}, 256 bytes: default ids are 32 (data hash) to 46 bytes (PeerId
     * and seqno); rust-libp2p's default, the text of both, stays under 80; custom id functions
     * use hashes. A cap keeps the seen-cache and the gossip of one RPC small.
     */
    public static final int DEFAULT_MAX_MESSAGE_ID_LENGTH = MessageId.MAX_LENGTH;

    /** The defaults above. */
    public static final RpcLimits DEFAULTS = new RpcLimits(
            DEFAULT_MAX_RPC_BYTES,
            DEFAULT_MAX_MESSAGE_DATA_BYTES,
            DEFAULT_MAX_MESSAGES,
            DEFAULT_MAX_SUBSCRIPTIONS,
            DEFAULT_MAX_TOPIC_LENGTH,
            DEFAULT_MAX_IHAVES,
            DEFAULT_MAX_IHAVE_IDS,
            DEFAULT_MAX_IWANTS,
            DEFAULT_MAX_IWANT_IDS,
            DEFAULT_MAX_GRAFTS,
            DEFAULT_MAX_PRUNES,
            DEFAULT_MAX_PEERS_PER_PRUNE,
            DEFAULT_MAX_SIGNED_PEER_RECORD_BYTES,
            DEFAULT_MAX_MESSAGE_ID_LENGTH);

    public RpcLimits {
        positive("maxRpcBytes", maxRpcBytes);
        positive("maxMessageDataBytes", maxMessageDataBytes);
        positive("maxTopicLength", maxTopicLength);
        positive("maxMessageIdLength", maxMessageIdLength);
        if (maxMessageIdLength > MessageId.MAX_LENGTH) {
            throw new IllegalArgumentException("maxMessageIdLength must be at most " + MessageId.MAX_LENGTH + ", got " + maxMessageIdLength);
        }
        notNegative("maxMessages", maxMessages);
        notNegative("maxSubscriptions", maxSubscriptions);
        notNegative("maxIHaves", maxIHaves);
        notNegative("maxIHaveIds", maxIHaveIds);
        notNegative("maxIWants", maxIWants);
        notNegative("maxIWantIds", maxIWantIds);
        notNegative("maxGrafts", maxGrafts);
        notNegative("maxPrunes", maxPrunes);
        notNegative("maxPeersPerPrune", maxPeersPerPrune);
        notNegative("maxSignedPeerRecordBytes", maxSignedPeerRecordBytes);
        if (maxMessageDataBytes >= maxRpcBytes) {
            throw new IllegalArgumentException("maxMessageDataBytes (" + maxMessageDataBytes
                    + ") must leave room in maxRpcBytes (" + maxRpcBytes + ") for the message around it");
        }
    }

    /** A builder starting from these limits, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be positive, got " + value);
    }

    private static void notNegative(String name, int value) {
        if (value < 0) throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }

    /** Changes some limits of a {@link RpcLimits}; {@link #build()} checks them. */
    public static final class Builder {
        private int maxRpcBytes;
        private int maxMessageDataBytes;
        private int maxMessages;
        private int maxSubscriptions;
        private int maxTopicLength;
        private int maxIHaves;
        private int maxIHaveIds;
        private int maxIWants;
        private int maxIWantIds;
        private int maxGrafts;
        private int maxPrunes;
        private int maxPeersPerPrune;
        private int maxSignedPeerRecordBytes;
        private int maxMessageIdLength;

        private Builder(RpcLimits from) {
            maxRpcBytes = from.maxRpcBytes;
            maxMessageDataBytes = from.maxMessageDataBytes;
            maxMessages = from.maxMessages;
            maxSubscriptions = from.maxSubscriptions;
            maxTopicLength = from.maxTopicLength;
            maxIHaves = from.maxIHaves;
            maxIHaveIds = from.maxIHaveIds;
            maxIWants = from.maxIWants;
            maxIWantIds = from.maxIWantIds;
            maxGrafts = from.maxGrafts;
            maxPrunes = from.maxPrunes;
            maxPeersPerPrune = from.maxPeersPerPrune;
            maxSignedPeerRecordBytes = from.maxSignedPeerRecordBytes;
            maxMessageIdLength = from.maxMessageIdLength;
        }

        public Builder maxRpcBytes(int value) { maxRpcBytes = value; return this; }

        public Builder maxMessageDataBytes(int value) { maxMessageDataBytes = value; return this; }

        public Builder maxMessages(int value) { maxMessages = value; return this; }

        public Builder maxSubscriptions(int value) { maxSubscriptions = value; return this; }

        public Builder maxTopicLength(int value) { maxTopicLength = value; return this; }

        public Builder maxIHaves(int value) { maxIHaves = value; return this; }

        public Builder maxIHaveIds(int value) { maxIHaveIds = value; return this; }

        public Builder maxIWants(int value) { maxIWants = value; return this; }

        public Builder maxIWantIds(int value) { maxIWantIds = value; return this; }

        public Builder maxGrafts(int value) { maxGrafts = value; return this; }

        public Builder maxPrunes(int value) { maxPrunes = value; return this; }

        public Builder maxPeersPerPrune(int value) { maxPeersPerPrune = value; return this; }

        public Builder maxSignedPeerRecordBytes(int value) { maxSignedPeerRecordBytes = value; return this; }

        public Builder maxMessageIdLength(int value) { maxMessageIdLength = value; return this; }

        public RpcLimits build() {
            return new RpcLimits(maxRpcBytes, maxMessageDataBytes, maxMessages, maxSubscriptions, maxTopicLength,
                    maxIHaves, maxIHaveIds, maxIWants, maxIWantIds, maxGrafts, maxPrunes, maxPeersPerPrune,
                    maxSignedPeerRecordBytes, maxMessageIdLength);
        }
    }
}
