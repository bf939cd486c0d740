package dev.ferry.pubsub.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.pubsub.message.MessageIdFunction;
import dev.ferry.pubsub.message.PubSubMessage;
import dev.ferry.pubsub.message.Rpc;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.IWant;
import dev.ferry.pubsub.message.Rpc.Prune;
import dev.ferry.pubsub.message.RpcCodec;
import dev.ferry.pubsub.message.RpcDecodeResult;
import dev.ferry.pubsub.message.RpcDecodeResult.Decoded;
import dev.ferry.pubsub.message.RpcDropped;
import dev.ferry.pubsub.message.RpcLimits;
import dev.ferry.pubsub.message.SignatureCheck;
import dev.ferry.pubsub.message.SignaturePolicy;
import java.nio.charset.StandardCharsets;

/**
 * Pubsub RPCs arrive from every peer we are connected to: any bytes give an {@link
 * RpcDecodeResult}, never an exception, with the default limits and with small ones that make
 * every count limit bite; what is accepted is within {@link RpcLimits} and re-encodes to bytes
 * that decode to the same RPC with nothing dropped. Every message in it then goes through both
 * signature policies without an exception, and one a policy passes has an id under that policy.
 */
class GossipSubRpcFuzzTest {
    private static final RpcLimits SMALL = RpcLimits.DEFAULTS.toBuilder()
            .maxRpcBytes(8192).maxMessageDataBytes(64).maxMessages(3).maxSubscriptions(3).maxTopicLength(8)
            .maxIHaves(2).maxIHaveIds(4).maxIWants(2).maxIWantIds(4).maxGrafts(2).maxPrunes(2).maxPeersPerPrune(2)
            .maxSignedPeerRecordBytes(8).maxMessageIdLength(8).build();
    private static final RpcCodec DEFAULTS = RpcCodec.withDefaultLimits();
    private static final RpcCodec SMALL_CODEC = new RpcCodec(SMALL);

    @FuzzTest
    void rpc(byte[] input) {
        check(DEFAULTS, input);
        check(SMALL_CODEC, input);
    }

    private static void check(RpcCodec codec, byte[] input) {
        RpcDecodeResult result = codec.decode(input);
        if (result == null) throw new AssertionError("no result");
        if (!(result instanceof Decoded decoded)) return;
        Rpc rpc = decoded.rpc();
        RpcLimits limits = codec.limits();

        require(rpc.subscriptions().size() <= limits.maxSubscriptions(), "subscriptions");
        require(rpc.messages().size() <= limits.maxMessages(), "messages");
        require(rpc.control().ihave().size() <= limits.maxIHaves(), "IHAVEs");
        require(rpc.control().ihave().stream().mapToInt(h -> h.messageIds().size()).sum() <= limits.maxIHaveIds(), "IHAVE ids");
        require(rpc.control().iwant().size() <= limits.maxIWants(), "IWANTs");
        require(rpc.control().iwant().stream().mapToInt(w -> w.messageIds().size()).sum() <= limits.maxIWantIds(), "IWANT ids");
        require(rpc.control().graft().size() <= limits.maxGrafts(), "GRAFTs");
        require(rpc.control().prune().size() <= limits.maxPrunes(), "PRUNEs");
        for (Prune prune : rpc.control().prune()) {
            require(prune.peers().size() <= limits.maxPeersPerPrune(), "peer exchange");
            prune.peers().forEach(p -> require(p.signedPeerRecord().map(r -> r.length).orElse(0)
                    <= limits.maxSignedPeerRecordBytes(), "signed peer record"));
        }
        for (IHave ihave : rpc.control().ihave()) {
            require(ihave.topic().getBytes(StandardCharsets.UTF_8).length <= limits.maxTopicLength(), "IHAVE topic");
            ihave.messageIds().forEach(id -> require(id.length() >= 1 && id.length() <= limits.maxMessageIdLength(), "IHAVE id"));
        }
        for (IWant iwant : rpc.control().iwant()) {
            iwant.messageIds().forEach(id -> require(id.length() >= 1 && id.length() <= limits.maxMessageIdLength(), "IWANT id"));
        }
        for (PubSubMessage message : rpc.messages()) {
            require(message.dataLength() <= limits.maxMessageDataBytes(), "message data");
            require(message.topic().getBytes(StandardCharsets.UTF_8).length <= limits.maxTopicLength(), "message topic");
            for (SignaturePolicy policy : SignaturePolicy.values()) {
                SignatureCheck check = policy.check(message);
                if (check.isValid()) MessageIdFunction.defaultFor(policy).idOf(message);
            }
        }

        RpcDecodeResult again = codec.decode(codec.encode(rpc));
        if (!again.equals(new Decoded(rpc, RpcDropped.NONE))) {
            throw new AssertionError("accepted RPC does not round-trip: " + rpc + " then " + again);
        }
    }

    private static void require(boolean holds, String what) {
        if (!holds) throw new AssertionError(what + " beyond the limit accepted");
    }
}
