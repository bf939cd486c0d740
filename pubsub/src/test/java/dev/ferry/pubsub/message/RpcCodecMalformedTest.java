package dev.ferry.pubsub.message;

import static dev.ferry.pubsub.message.PubSubFixtures.KEYS;
import static dev.ferry.pubsub.message.PubSubFixtures.PEERS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.pubsub.message.PubSubFixtures.Proto;
import dev.ferry.pubsub.message.Rpc.Control;
import dev.ferry.pubsub.message.Rpc.Graft;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.IWant;
import dev.ferry.pubsub.message.Rpc.PeerExchange;
import dev.ferry.pubsub.message.Rpc.Prune;
import dev.ferry.pubsub.message.Rpc.Subscription;
import dev.ferry.pubsub.message.RpcDecodeResult.Decoded;
import dev.ferry.pubsub.message.RpcDecodeResult.Refused;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A corpus of broken RPCs: each is refused with the right reason, and nothing throws. */
class RpcCodecMalformedTest {
    private final RpcCodec codec = RpcCodec.withDefaultLimits();

    private void assertRefused(byte[] bytes, RpcRefusal reason, String detail) {
        RpcDecodeResult result = codec.decode(bytes);
        assertThat(result).isInstanceOf(Refused.class);
        Refused refused = (Refused) result;
        assertThat(refused.reason()).isEqualTo(reason);
        assertThat(refused.detail()).contains(detail).doesNotContain("\n");
    }

    private static byte[] control(Proto control) {
        return new Proto().bytes(3, control).build();
    }

    private static Rpc fullRpc() {
        PubSubMessage message = MessageAuthor.strictSign(KEYS.get(0), 7).publish("ferry/chat", new byte[] {1, 2, 3});
        return new Rpc(List.of(new Subscription(true, "ferry/chat")), List.of(message), new Control(
                List.of(new IHave("ferry/chat", PubSubFixtures.ids(2))), List.of(new IWant(PubSubFixtures.ids(1))),
                List.of(new Graft("ferry/chat")),
                List.of(new Prune("ferry/chat", List.of(PeerExchange.of(PEERS.get(1), new byte[] {5})), OptionalLong.of(60)))));
    }

    @Test
    void everyTruncationOfAValidRpcIsEitherAShorterValidRpcOrMalformed() {
        byte[] bytes = codec.encode(fullRpc());
        int malformed = 0;
        for (int cut = 0; cut < bytes.length; cut++) {
            RpcDecodeResult result = codec.decode(Arrays.copyOf(bytes, cut));
            if (result instanceof Refused refused) {
                assertThat(refused.reason()).isEqualTo(RpcRefusal.MALFORMED);
                malformed++;
            }
        }
        // only the cuts before the first entry and between top-level entries leave a valid RPC
        assertThat(malformed).isEqualTo(bytes.length - 3);
    }

    @Test
    void aTruncatedNestedEntryIsMalformed() {
        byte[] bytes = codec.encode(Rpc.ofSubscriptions(List.of(new Subscription(true, "ferry/chat"))));
        assertRefused(Arrays.copyOf(bytes, bytes.length - 3), RpcRefusal.MALFORMED, "not a pubsub RPC");
    }

    @Test
    void knownFieldsWithTheWrongWireTypeAreMalformed() {
        assertRefused(new Proto().uint(1, 1).build(), RpcRefusal.MALFORMED, "field subscriptions has wire type 0");
        assertRefused(new Proto().tag(2, 5).raw(new byte[4]).build(), RpcRefusal.MALFORMED, "field publish has wire type 5");
        assertRefused(new Proto().tag(3, 1).raw(new byte[8]).build(), RpcRefusal.MALFORMED, "field control");
        assertRefused(new Proto().bytes(1, new Proto().bytes(1, new byte[1])).build(), RpcRefusal.MALFORMED, "field subscribe");
        assertRefused(new Proto().bytes(1, new Proto().uint(2, 1)).build(), RpcRefusal.MALFORMED, "field topicid");
        for (int field = 1; field <= 6; field++) {
            assertRefused(new Proto().bytes(2, new Proto().uint(field, 1)).build(), RpcRefusal.MALFORMED, "wire type 0 instead of 2");
        }
        assertRefused(control(new Proto().uint(1, 1)), RpcRefusal.MALFORMED, "field ihave");
        assertRefused(control(new Proto().bytes(1, new Proto().uint(2, 1))), RpcRefusal.MALFORMED, "field ihave messageIDs");
        assertRefused(control(new Proto().bytes(2, new Proto().uint(1, 1))), RpcRefusal.MALFORMED, "field iwant messageIDs");
        assertRefused(control(new Proto().bytes(3, new Proto().uint(1, 1))), RpcRefusal.MALFORMED, "field graft topicID");
        assertRefused(control(new Proto().bytes(4, new Proto().bytes(3, new byte[1]))), RpcRefusal.MALFORMED, "field prune backoff");
        assertRefused(control(new Proto().bytes(4, new Proto().uint(2, 1))), RpcRefusal.MALFORMED, "field prune peers");
        assertRefused(control(new Proto().bytes(4, new Proto().string(1, "t").bytes(2, new Proto().uint(1, 1)))),
                RpcRefusal.MALFORMED, "field peerID");
    }

    @Test
    void hugeAndNegativeLengthPrefixesAreMalformedWithoutAllocating() {
        // 2^31 - 1 bytes announced, four present
        assertRefused(new Proto().tag(2, 2).varint(Integer.MAX_VALUE).raw(new byte[4]).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        // a length over 2 GiB reads as negative
        assertRefused(new Proto().tag(2, 2).varint(0xFFFFFFFFL).build(), RpcRefusal.MALFORMED, "negative length");
        assertRefused(new Proto().tag(2, 2).varint(-1L).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        // a nested length past its parent's end
        byte[] inner = new Proto().tag(2, 2).varint(1_000_000).build();
        assertRefused(new Proto().bytes(2, inner).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        // the same in an unknown field and in a peer record
        assertRefused(new Proto().tag(9, 2).varint(1 << 30).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        assertRefused(control(new Proto().bytes(4, new Proto().string(1, "t").bytes(2, new Proto().tag(2, 2).varint(500)))),
                RpcRefusal.MALFORMED, "not a pubsub RPC");
    }

    @Test
    void badVarintsTagsAndGroupsAreMalformed() {
        byte[] elevenBytes = new byte[11];
        Arrays.fill(elevenBytes, (byte) 0xff);
        assertRefused(new Proto().tag(20, 0).raw(elevenBytes).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        assertRefused(new byte[] {(byte) 0x80}, RpcRefusal.MALFORMED, "not a pubsub RPC");
        assertRefused(new byte[] {0x00}, RpcRefusal.MALFORMED, "not a pubsub RPC");
        assertRefused(new Proto().tag(20, 3).tag(20, 4).build(), RpcRefusal.MALFORMED, "groups are not used by pubsub");
        assertRefused(new Proto().tag(20, 4).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        assertRefused(new Proto().tag(20, 6).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        assertRefused(new Proto().tag(20, 7).build(), RpcRefusal.MALFORMED, "not a pubsub RPC");
        assertRefused(control(new Proto().tag(9, 3)), RpcRefusal.MALFORMED, "not a pubsub RPC");
    }

    @Test
    void aTopicThatIsNotUtf8IsRefusedWhereverItIs() {
        byte[][] invalid = {
            {(byte) 0xff},
            {(byte) 0xc0, (byte) 0x80}, // overlong NUL
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a lone surrogate
            {'a', (byte) 0xe2, (byte) 0x82}, // cut short
        };
        for (byte[] topic : invalid) {
            assertRefused(new Proto().bytes(1, new Proto().uint(1, 1).bytes(2, topic)).build(), RpcRefusal.INVALID_UTF8, "not valid UTF-8");
            assertRefused(new Proto().bytes(2, new Proto().bytes(4, topic)).build(), RpcRefusal.INVALID_UTF8, "not valid UTF-8");
            assertRefused(control(new Proto().bytes(1, new Proto().bytes(1, topic))), RpcRefusal.INVALID_UTF8, "not valid UTF-8");
            assertRefused(control(new Proto().bytes(3, new Proto().bytes(1, topic))), RpcRefusal.INVALID_UTF8, "not valid UTF-8");
            assertRefused(control(new Proto().bytes(4, new Proto().bytes(1, topic))), RpcRefusal.INVALID_UTF8, "not valid UTF-8");
        }
        byte[] fourByteChar = "\uD83D\uDE80".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RpcDecodeResult result = codec.decode(new Proto().bytes(3, new Proto().bytes(3, new Proto().bytes(1, fourByteChar))).build());
        assertThat(result).isEqualTo(new Decoded(Rpc.ofControl(new Control(List.of(), List.of(),
                List.of(new Graft("\uD83D\uDE80")), List.of())), RpcDropped.NONE));
    }

    @Test
    void aTopicTooLongToReadIsNotCheckedForUtf8() {
        byte[] topic = new byte[RpcLimits.DEFAULT_MAX_TOPIC_LENGTH + 1];
        Arrays.fill(topic, (byte) 0xff);
        RpcDecodeResult result = codec.decode(control(new Proto().bytes(3, new Proto().bytes(1, topic))));
        assertThat(result).isInstanceOf(Decoded.class);
        assertThat(((Decoded) result).dropped().longTopics()).isEqualTo(1);
    }
}
