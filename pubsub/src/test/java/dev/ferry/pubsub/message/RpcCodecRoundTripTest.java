package dev.ferry.pubsub.message;

import static dev.ferry.pubsub.message.PubSubFixtures.KEYS;
import static dev.ferry.pubsub.message.PubSubFixtures.PEERS;
import static dev.ferry.pubsub.message.PubSubFixtures.ids;
import static dev.ferry.pubsub.message.PubSubFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.pubsub.message.PubSubFixtures.Proto;
import dev.ferry.pubsub.message.Rpc.Control;
import dev.ferry.pubsub.message.Rpc.Graft;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.IWant;
import dev.ferry.pubsub.message.Rpc.PeerExchange;
import dev.ferry.pubsub.message.Rpc.Prune;
import dev.ferry.pubsub.message.Rpc.Subscription;
import dev.ferry.pubsub.message.RpcDecodeResult.Decoded;
import dev.ferry.pubsub.proto.RpcProto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RpcCodecRoundTripTest {
    private final RpcCodec codec = RpcCodec.withDefaultLimits();

    private Decoded decoded(byte[] bytes) {
        RpcDecodeResult result = codec.decode(bytes);
        assertThat(result).isInstanceOf(Decoded.class);
        return (Decoded) result;
    }

    private void assertRoundTrips(Rpc rpc) {
        byte[] bytes = codec.encode(rpc);
        assertThat(codec.encodedSize(rpc)).isEqualTo(bytes.length);
        assertThat(codec.decode(bytes)).isEqualTo(new Decoded(rpc, RpcDropped.NONE));
    }

    @Test
    void anEmptyRpcIsZeroBytesAndValid() {
        assertThat(codec.encode(Rpc.EMPTY)).isEmpty();
        assertThat(decoded(new byte[0]).rpc()).isEqualTo(Rpc.EMPTY);
        assertThat(Rpc.EMPTY.isEmpty()).isTrue();
    }

    @Test
    void subscriptionsRoundTripInOrderWithBothFlags() {
        assertRoundTrips(Rpc.ofSubscriptions(List.of(
                new Subscription(true, "ferry/chat"), new Subscription(false, "b"), new Subscription(true, "héllo ✓"))));
    }

    @Test
    void signedAndAnonymousMessagesRoundTripWithEveryField() {
        PubSubMessage signed = MessageAuthor.strictSign(KEYS.get(0), 42).publish("ferry/chat", utf8("hi"));
        PubSubMessage anonymous = MessageAuthor.strictNoSign().publish("ferry/chat", utf8("hi"));
        PubSubMessage everything = signed.toBuilder().key(KEYS.get(0).publicKey().marshal()).build();
        assertRoundTrips(Rpc.ofMessages(List.of(signed, anonymous, everything)));
    }

    @Test
    void anAbsentPayloadStaysAbsentAndAnEmptyOneStaysPresent() {
        PubSubMessage absent = PubSubMessage.builder("t").build();
        PubSubMessage empty = PubSubMessage.builder("t").data(new byte[0]).build();
        assertThat(absent).isNotEqualTo(empty);
        Rpc rpc = Rpc.ofMessages(List.of(absent, empty));
        assertRoundTrips(rpc);
        List<PubSubMessage> back = decoded(codec.encode(rpc)).rpc().messages();
        assertThat(back.get(0).hasData()).isFalse();
        assertThat(back.get(1).hasData()).isTrue();
        assertThat(back.get(1).data()).isEmpty();
    }

    @Test
    void everyControlMessageRoundTrips() {
        Control control = new Control(
                List.of(new IHave("a", ids(3)), new IHave("b", List.of())),
                List.of(new IWant(ids(2)), new IWant(List.of())),
                List.of(new Graft("a"), new Graft("c")),
                List.of(new Prune("a", List.of(PeerExchange.of(PEERS.get(1)), PeerExchange.of(PEERS.get(9), new byte[] {1, 2, 3})),
                                OptionalLong.of(60)),
                        new Prune("b", List.of(), OptionalLong.empty()),
                        new Prune("c", List.of(), OptionalLong.of(0))));
        assertRoundTrips(Rpc.ofControl(control));
    }

    @Test
    void aPruneBackoffPastTheSignedRangeReadsAsForever() {
        byte[] bytes = new Proto().bytes(3, new Proto().bytes(4, new Proto().string(1, "a").uint(3, -1L))).build();
        Prune prune = decoded(bytes).rpc().control().prune().get(0);
        assertThat(prune.backoffSeconds()).hasValue(Long.MAX_VALUE);
    }

    @Test
    void randomRpcsRoundTripAndTheGeneratedParserReadsTheSame() {
        SeededProperty.forAll("randomRpcsRoundTripAndTheGeneratedParserReadsTheSame", 2_000, random -> {
            Rpc rpc = PubSubFixtures.randomRpc(random);
            byte[] bytes = codec.encode(rpc);
            assertThat(codec.decode(bytes)).isEqualTo(new Decoded(rpc, RpcDropped.NONE));
            RpcProto.RPC parsed;
            try {
                parsed = RpcProto.RPC.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
            assertThat(parsed.toByteArray()).isEqualTo(bytes);
            assertThat(parsed.getSubscriptionsCount()).isEqualTo(rpc.subscriptions().size());
            assertThat(parsed.getPublishCount()).isEqualTo(rpc.messages().size());
            assertThat(parsed.getControl().getIhaveCount()).isEqualTo(rpc.control().ihave().size());
            assertThat(parsed.getControl().getPruneCount()).isEqualTo(rpc.control().prune().size());
        });
    }

    @Test
    void unknownFieldsAreSkippedIncludingGossipsubV12Idontwant() {
        byte[] idontwant = new Proto().bytes(1, new byte[] {9, 9}).build();
        byte[] bytes = new Proto()
                .bytes(1, new Proto().uint(1, 1).string(2, "a").uint(7, 5))
                .bytes(3, new Proto().bytes(3, new Proto().string(1, "a")).bytes(5, idontwant))
                .uint(20, 123)
                .tag(21, 1).raw(new byte[8])
                .tag(22, 5).raw(new byte[4])
                .bytes(23, new byte[] {1, 2, 3})
                .build();
        Rpc rpc = decoded(bytes).rpc();
        assertThat(rpc.subscriptions()).containsExactly(new Subscription(true, "a"));
        assertThat(rpc.control().graft()).containsExactly(new Graft("a"));
    }

    @Test
    void repeatedControlFieldsMergeAndTheLastTopicWins() {
        byte[] bytes = new Proto()
                .bytes(3, new Proto().bytes(3, new Proto().string(1, "first").string(1, "a")))
                .bytes(3, new Proto().bytes(3, new Proto().string(1, "b")))
                .build();
        assertThat(decoded(bytes).rpc().control().graft()).containsExactly(new Graft("a"), new Graft("b"));
    }

    @Test
    void theGeneratedEncoderAndOurDecoderAgree() {
        RpcProto.RPC proto = RpcProto.RPC.newBuilder()
                .addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid("x"))
                .addPublish(RpcProto.Message.newBuilder().setTopic("x").setData(com.google.protobuf.ByteString.copyFromUtf8("d")))
                .setControl(RpcProto.ControlMessage.newBuilder()
                        .addIwant(RpcProto.ControlIWant.newBuilder().addMessageIDs(com.google.protobuf.ByteString.copyFromUtf8("id"))))
                .build();
        Rpc rpc = decoded(proto.toByteArray()).rpc();
        assertThat(rpc.messages()).containsExactly(PubSubMessage.builder("x").data(utf8("d")).build());
        assertThat(rpc.control().iwant()).containsExactly(new IWant(List.of(MessageId.of(utf8("id")))));
        assertThat(codec.encode(rpc)).isEqualTo(proto.toByteArray());
    }

    @Test
    void framingPrefixesTheUnsignedVarintLength() {
        Rpc rpc = Rpc.ofSubscriptions(List.of(new Subscription(true, "x".repeat(200))));
        byte[] body = codec.encode(rpc);
        ByteBuf frame = codec.frame(UnpooledByteBufAllocator.DEFAULT, rpc);
        try {
            assertThat(body.length).isGreaterThan(127);
            assertThat(frame.readableBytes()).isEqualTo(body.length + 2);
            assertThat(frame.getByte(0) & 0xff).isEqualTo((body.length & 0x7f) | 0x80);
            assertThat(frame.getByte(1) & 0xff).isEqualTo(body.length >>> 7);
        } finally {
            frame.release();
        }
    }
}
