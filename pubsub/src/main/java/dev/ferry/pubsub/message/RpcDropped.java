package dev.ferry.pubsub.message;

/**
 * What {@link RpcCodec} left out of an RPC it otherwise accepted, counted by cause, so that the
 * caller can count it in its metrics and hold it against the peer that sent it. "Excess" entries
 * come after a count limit of {@link RpcLimits} was reached and are skipped without being read.
 *
 * @param excessSubscriptions subscription changes past {@link RpcLimits#maxSubscriptions()}
 * @param excessMessages messages past {@link RpcLimits#maxMessages()}
 * @param oversizeMessages messages whose payload is longer than
 *     {@link RpcLimits#maxMessageDataBytes()} (the payload is skipped unread)
 * @param excessIHaves IHAVE entries past {@link RpcLimits#maxIHaves()}
 * @param excessIHaveIds IHAVE ids past {@link RpcLimits#maxIHaveIds()}
 * @param excessIWants IWANT entries past {@link RpcLimits#maxIWants()}
 * @param excessIWantIds IWANT ids past {@link RpcLimits#maxIWantIds()}
 * @param excessGrafts GRAFT entries past {@link RpcLimits#maxGrafts()}
 * @param excessPrunes PRUNE entries past {@link RpcLimits#maxPrunes()}
 * @param excessPeerExchange peer-exchange peers past {@link RpcLimits#maxPeersPerPrune()} in a PRUNE
 * @param invalidMessageIds IHAVE or IWANT ids that are empty or longer than
 *     {@link RpcLimits#maxMessageIdLength()}
 * @param invalidPeerExchange peer-exchange peers without a valid PeerId
 * @param oversizePeerRecords signed peer records longer than
 *     {@link RpcLimits#maxSignedPeerRecordBytes()}, dropped while their peer is kept
 * @param missingTopics subscriptions, messages, IHAVEs, GRAFTs and PRUNEs without a topic (or
 *     with an empty one)
 * @param longTopics subscriptions, messages, IHAVEs, GRAFTs and PRUNEs whose topic is longer than
 *     {@link RpcLimits#maxTopicLength()}
 */
public record RpcDropped(
        int excessSubscriptions,
        int excessMessages,
        int oversizeMessages,
        int excessIHaves,
        int excessIHaveIds,
        int excessIWants,
        int excessIWantIds,
        int excessGrafts,
        int excessPrunes,
        int excessPeerExchange,
        int invalidMessageIds,
        int invalidPeerExchange,
        int oversizePeerRecords,
        int missingTopics,
        int longTopics) {

    /** Nothing dropped. */
    public static final RpcDropped NONE = new RpcDropped(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Entries skipped because a count limit was reached. */
    public int excess() {
        return excessSubscriptions + excessMessages + excessIHaves + excessIHaveIds + excessIWants + excessIWantIds
                + excessGrafts + excessPrunes + excessPeerExchange;
    }

    /** Entries dropped because they were themselves wrong or too big. */
    public int invalid() {
        return oversizeMessages + invalidMessageIds + invalidPeerExchange + oversizePeerRecords + missingTopics + longTopics;
    }

    /** True if anything was dropped. */
    public boolean any() {
        return excess() + invalid() > 0;
    }
}
