package dev.ferry.pubsub.router;

import dev.ferry.pubsub.mesh.GossipSubParams;
import dev.ferry.pubsub.message.MessageIdFunction;
import dev.ferry.pubsub.message.RpcLimits;
import dev.ferry.pubsub.message.SignaturePolicy;
import dev.ferry.pubsub.score.PeerScoreParams;
import dev.ferry.pubsub.score.PeerScoreThresholds;
import dev.ferry.pubsub.score.TopicScoreParams;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link GossipSubRouter} is configured with. {@link #defaults()} is what a Ferry node
 * runs: the spec's mesh parameters, StrictSign with js-libp2p's message ids, scoring of every
 * topic with {@link TopicScoreParams#defaults()} (group topics are not known in advance), and the
 * default limits.
 *
 * @param params mesh, gossip, cache and state bounds
 * @param scoreParams peer scoring
 * @param thresholds where scores start to cost a peer gossip, publishing, its RPCs, and PX
 * @param rpcLimits what one RPC may hold (the largest message is {@code maxMessageDataBytes})
 * @param linkLimits per-peer queues and inbound streams; its RPC size follows {@code rpcLimits}
 * @param protocols the protocol ids spoken, most preferred first
 * @param signaturePolicy StrictSign or StrictNoSign, for what we publish and what we accept
 * @param messageIdFunction how message ids are computed; every node of a network must agree
 */
public record GossipSubConfig(
        GossipSubParams params,
        PeerScoreParams scoreParams,
        PeerScoreThresholds thresholds,
        RpcLimits rpcLimits,
        RpcLinks.Limits linkLimits,
        List<String> protocols,
        SignaturePolicy signaturePolicy,
        MessageIdFunction messageIdFunction) {

    /** GossipSub v1.1, which brings PRUNE backoff, PX and scoring. */
    public static final String MESHSUB_V11 = "/meshsub/1.1.0";
    /** GossipSub v1.0, spoken to peers that know nothing newer. */
    public static final String MESHSUB_V10 = "/meshsub/1.0.0";

    public GossipSubConfig {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(scoreParams, "scoreParams");
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(rpcLimits, "rpcLimits");
        Objects.requireNonNull(linkLimits, "linkLimits");
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) throw new IllegalArgumentException("at least one protocol");
        Objects.requireNonNull(signaturePolicy, "signaturePolicy");
        Objects.requireNonNull(messageIdFunction, "messageIdFunction");
        linkLimits = linkLimits.withMaxRpcBytes(rpcLimits.maxRpcBytes());
    }

    /** The configuration described above. */
    public static GossipSubConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link GossipSubConfig}; unset fields keep the defaults. */
    public static final class Builder {
        private GossipSubParams params = GossipSubParams.DEFAULTS;
        private PeerScoreParams scoreParams = PeerScoreParams.builder().defaultTopic(TopicScoreParams.defaults()).build();
        private PeerScoreThresholds thresholds = PeerScoreThresholds.DEFAULT;
        private RpcLimits rpcLimits = RpcLimits.DEFAULTS;
        private RpcLinks.Limits linkLimits = RpcLinks.Limits.DEFAULT;
        private List<String> protocols = List.of(MESHSUB_V11, MESHSUB_V10);
        private SignaturePolicy signaturePolicy = SignaturePolicy.STRICT_SIGN;
        private MessageIdFunction messageIdFunction;

        private Builder() {}

        public Builder params(GossipSubParams v) { params = v; return this; }
        public Builder scoreParams(PeerScoreParams v) { scoreParams = v; return this; }
        public Builder thresholds(PeerScoreThresholds v) { thresholds = v; return this; }
        public Builder rpcLimits(RpcLimits v) { rpcLimits = v; return this; }
        public Builder linkLimits(RpcLinks.Limits v) { linkLimits = v; return this; }
        public Builder protocols(List<String> v) { protocols = v; return this; }
        /** The policy; unless {@link #messageIdFunction} is set too, ids follow js-libp2p's default for it. */
        public Builder signaturePolicy(SignaturePolicy v) { signaturePolicy = v; return this; }
        public Builder messageIdFunction(MessageIdFunction v) { messageIdFunction = v; return this; }

        public GossipSubConfig build() {
            MessageIdFunction ids = messageIdFunction != null ? messageIdFunction : MessageIdFunction.defaultFor(signaturePolicy);
            return new GossipSubConfig(params, scoreParams, thresholds, rpcLimits, linkLimits, protocols, signaturePolicy, ids);
        }
    }
}
