package dev.ferry.pubsub.message;

import static dev.ferry.pubsub.message.PubSubFixtures.PEERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.pubsub.message.PubSubFixtures.Proto;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.IWant;
import dev.ferry.pubsub.message.Rpc.Prune;
import dev.ferry.pubsub.message.RpcDecodeResult.Decoded;
import dev.ferry.pubsub.message.RpcDecodeResult.Refused;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RpcCodecLimitsTest {
    private final RpcCodec defaults = RpcCodec.withDefaultLimits();

    private static Decoded decoded(RpcDecodeResult result) {
        assertThat(result).isInstanceOf(Decoded.class);
        return (Decoded) result;
    }

    private static RpcCodec with(Function<RpcLimits.Builder, RpcLimits.Builder> change) {
        return new RpcCodec(change.apply(RpcLimits.DEFAULTS.toBuilder()).build());
    }

    private static Proto repeat(int count, int field, Proto entry) {
        Proto out = new Proto();
        for (int i = 0; i < count; i++) out.bytes(field, entry);
        return out;
    }

    private static byte[] control(Proto control) {
        return new Proto().bytes(3, control).build();
    }

    private static Proto graft(String topic) {
        return new Proto().string(1, topic);
    }

    private static Proto ids(int count, int field, Proto into) {
        for (int i = 0; i < count; i++) into.bytes(field, new byte[] {(byte) (i >>> 8), (byte) i, 7});
        return into;
    }

    // ---- the defaults ----

    @Test
    void theDefaultsAreTheDocumentedValues() {
        RpcLimits limits = RpcLimits.DEFAULTS;
        assertThat(limits.maxMessageDataBytes()).isEqualTo(1 << 20);
        assertThat(limits.maxRpcBytes()).isEqualTo((1 << 20) + (256 << 10));
        assertThat(limits.maxMessages()).isEqualTo(1024);
        assertThat(limits.maxSubscriptions()).isEqualTo(5000);
        assertThat(limits.maxTopicLength()).isEqualTo(256);
        assertThat(limits.maxIHaves()).isEqualTo(256);
        assertThat(limits.maxIHaveIds()).isEqualTo(5000);
        assertThat(limits.maxIWants()).isEqualTo(256);
        assertThat(limits.maxIWantIds()).isEqualTo(5000);
        assertThat(limits.maxGrafts()).isEqualTo(1024);
        assertThat(limits.maxPrunes()).isEqualTo(1024);
        assertThat(limits.maxPeersPerPrune()).isEqualTo(16);
        assertThat(limits.maxSignedPeerRecordBytes()).isEqualTo(4096);
        assertThat(limits.maxMessageIdLength()).isEqualTo(256);
        assertThat(limits.toBuilder().build()).isEqualTo(limits);
    }

    @Test
    void limitsThatMakeNoSenseAreRefused() {
        assertThatThrownBy(() -> RpcLimits.DEFAULTS.toBuilder().maxRpcBytes(0).build()).hasMessageContaining("maxRpcBytes");
        assertThatThrownBy(() -> RpcLimits.DEFAULTS.toBuilder().maxMessages(-1).build()).hasMessageContaining("maxMessages");
        assertThatThrownBy(() -> RpcLimits.DEFAULTS.toBuilder().maxRpcBytes(1 << 20).build())
                .hasMessageContaining("must leave room");
        assertThat(RpcLimits.DEFAULTS.toBuilder().maxMessages(0).build().maxMessages()).isZero();
    }

    // ---- the whole RPC ----

    @Test
    void anRpcAtTheByteLimitIsReadAndOneByteMoreIsRefusedUnread() {
        RpcCodec codec = with(b -> b.maxRpcBytes(200).maxMessageDataBytes(100));
        byte[] atLimit = new Proto().bytes(15, new byte[197]).build();
        assertThat(atLimit).hasSize(200);
        assertThat(decoded(codec.decode(atLimit)).rpc()).isEqualTo(Rpc.EMPTY);

        byte[] over = Arrays.copyOf(atLimit, 201);
        assertThat(codec.decode(over)).isEqualTo(new Refused(RpcRefusal.TOO_LARGE, "RPC of 201 bytes exceeds the limit of 200"));
    }

    @Test
    void encodingAnRpcOverTheLimitFailsLoudlyForTheCallerMustSplitIt() {
        RpcCodec codec = with(b -> b.maxRpcBytes(200).maxMessageDataBytes(100));
        Rpc big = Rpc.ofMessages(List.of(PubSubMessage.builder("t").data(new byte[300]).build()));
        assertThat(codec.encodedSize(big)).isGreaterThan(200);
        assertThatThrownBy(() -> codec.encode(big)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the limit of 200");
    }

    @Test
    void aDefaultCodecTakesTheLargestMessageWithAFullIHaveBesideIt() {
        PubSubMessage largest = PubSubMessage.builder("ferry/chat").data(new byte[RpcLimits.DEFAULT_MAX_MESSAGE_DATA_BYTES])
                .from(PEERS.get(0)).seqno(new byte[8]).signature(new byte[64]).build();
        List<MessageId> ids = java.util.stream.IntStream.range(0, 5000)
                .mapToObj(i -> MessageId.of(Arrays.copyOf(new byte[] {(byte) (i >>> 8), (byte) i}, 46))).toList();
        Rpc rpc = new Rpc(List.of(), List.of(largest), new Rpc.Control(List.of(new IHave("ferry/chat", ids)), List.of(), List.of(), List.of()));
        assertThat(defaults.decode(defaults.encode(rpc))).isEqualTo(new Decoded(rpc, RpcDropped.NONE));
    }

    // ---- messages ----

    @Test
    void aPayloadAtTheLimitIsKeptAndALongerOneDropsItsMessageUnread() {
        RpcCodec codec = with(b -> b.maxMessageDataBytes(100));
        PubSubMessage atLimit = PubSubMessage.builder("t").data(new byte[100]).build();
        PubSubMessage over = PubSubMessage.builder("t").data(new byte[101]).build();
        Decoded result = decoded(codec.decode(defaults.encode(Rpc.ofMessages(List.of(atLimit, over, atLimit)))));
        assertThat(result.rpc().messages()).containsExactly(atLimit, atLimit);
        assertThat(result.dropped().oversizeMessages()).isEqualTo(1);
        assertThat(result.dropped().invalid()).isEqualTo(1);
    }

    @Test
    void messagesPastTheCountLimitAreSkippedAndCounted() {
        RpcCodec codec = with(b -> b.maxMessages(3));
        List<PubSubMessage> three = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> PubSubMessage.builder("t").data(new byte[] {(byte) i}).build()).toList();
        assertThat(codec.decode(defaults.encode(Rpc.ofMessages(three)))).isEqualTo(new Decoded(Rpc.ofMessages(three), RpcDropped.NONE));

        // the fourth is not even parsed: a broken topic inside it goes unnoticed
        byte[] four = new Proto().raw(defaults.encode(Rpc.ofMessages(three)))
                .bytes(2, new Proto().bytes(4, new byte[] {(byte) 0xff})).build();
        Decoded result = decoded(codec.decode(four));
        assertThat(result.rpc().messages()).isEqualTo(three);
        assertThat(result.dropped().excessMessages()).isEqualTo(1);
        assertThat(result.dropped().excess()).isEqualTo(1);
    }

    // ---- subscriptions and topics ----

    @Test
    void subscriptionsPastTheLimitAreSkippedAndCounted() {
        RpcCodec codec = with(b -> b.maxSubscriptions(2));
        byte[] bytes = repeat(5, 1, new Proto().uint(1, 1).string(2, "t")).build();
        Decoded result = decoded(codec.decode(bytes));
        assertThat(result.rpc().subscriptions()).hasSize(2);
        assertThat(result.dropped().excessSubscriptions()).isEqualTo(3);
    }

    @Test
    void aTopicAtTheLimitInUtf8BytesIsKeptAndALongerOneDropsItsEntry() {
        String atLimit = "é".repeat(128); // 256 bytes, 128 characters
        String over = atLimit + "x";
        byte[] bytes = new Proto()
                .bytes(1, new Proto().uint(1, 1).string(2, atLimit))
                .bytes(1, new Proto().uint(1, 1).string(2, over))
                .bytes(2, new Proto().string(4, over).bytes(2, new byte[] {1}))
                .bytes(2, new Proto().string(4, atLimit))
                .bytes(3, new Proto()
                        .bytes(1, new Proto().string(1, over).bytes(2, new byte[] {1}))
                        .bytes(3, graft(over))
                        .bytes(3, graft(atLimit))
                        .bytes(4, new Proto().string(1, over)))
                .build();
        Decoded result = decoded(defaults.decode(bytes));
        assertThat(result.rpc().subscriptions()).extracting(Rpc.Subscription::topic).containsExactly(atLimit);
        assertThat(result.rpc().messages()).extracting(PubSubMessage::topic).containsExactly(atLimit);
        assertThat(result.rpc().control().graft()).extracting(Rpc.Graft::topic).containsExactly(atLimit);
        assertThat(result.rpc().control().ihave()).isEmpty();
        assertThat(result.rpc().control().prune()).isEmpty();
        assertThat(result.dropped().longTopics()).isEqualTo(5);
    }

    @Test
    void entriesWithoutATopicOrWithAnEmptyOneAreDroppedAndCounted() {
        byte[] bytes = new Proto()
                .bytes(1, new Proto().uint(1, 1))
                .bytes(1, new Proto().uint(1, 1).string(2, ""))
                .bytes(2, new Proto().bytes(2, new byte[] {1}))
                .bytes(3, new Proto()
                        .bytes(1, new Proto().bytes(2, new byte[] {1}))
                        .bytes(3, new Proto())
                        .bytes(4, new Proto().uint(3, 10)))
                .build();
        Decoded result = decoded(defaults.decode(bytes));
        assertThat(result.rpc()).isEqualTo(Rpc.EMPTY);
        assertThat(result.dropped().missingTopics()).isEqualTo(6);
    }

    // ---- IHAVE and IWANT ----

    @Test
    void ihaveEntriesPastTheLimitAreSkippedAndCounted() {
        RpcCodec codec = with(b -> b.maxIHaves(2));
        Decoded result = decoded(codec.decode(control(repeat(3, 1, ids(2, 2, new Proto().string(1, "t"))))));
        assertThat(result.rpc().control().ihave()).hasSize(2);
        assertThat(result.dropped().excessIHaves()).isEqualTo(1);
        assertThat(result.dropped().excessIHaveIds()).as("ids of a skipped entry are not read").isZero();
    }

    @Test
    void ihaveIdsCountTogetherAcrossEntriesUpToFiveThousand() {
        Proto control = new Proto()
                .bytes(1, ids(3000, 2, new Proto().string(1, "a")))
                .bytes(1, ids(2000, 2, new Proto().string(1, "b")));
        Decoded atLimit = decoded(defaults.decode(control(control)));
        assertThat(atLimit.rpc().control().ihave()).extracting(h -> h.messageIds().size()).containsExactly(3000, 2000);
        assertThat(atLimit.dropped()).isEqualTo(RpcDropped.NONE);

        control.bytes(1, ids(7, 2, new Proto().string(1, "c")));
        Decoded over = decoded(defaults.decode(control(control)));
        assertThat(over.rpc().control().ihave()).extracting(h -> h.messageIds().size()).containsExactly(3000, 2000, 0);
        assertThat(over.dropped().excessIHaveIds()).isEqualTo(7);
    }

    @Test
    void iwantEntriesAndIdsPastTheirLimitsAreSkippedAndCounted() {
        RpcCodec codec = with(b -> b.maxIWants(2).maxIWantIds(5));
        Decoded result = decoded(codec.decode(control(repeat(3, 2, ids(3, 1, new Proto())))));
        assertThat(result.rpc().control().iwant()).extracting(w -> w.messageIds().size()).containsExactly(3, 2);
        assertThat(result.dropped().excessIWants()).isEqualTo(1);
        assertThat(result.dropped().excessIWantIds()).isEqualTo(1);
    }

    @Test
    void messageIdsAtTheLengthLimitAreKeptAndLongerOrEmptyOnesDropped() {
        RpcCodec codec = with(b -> b.maxMessageIdLength(4));
        Proto iwant = new Proto().bytes(1, new byte[4]).bytes(1, new byte[5]).bytes(1, new byte[0]);
        Proto ihave = new Proto().string(1, "t").bytes(2, new byte[5]).bytes(2, new byte[] {1, 2, 3, 4});
        Decoded result = decoded(codec.decode(control(new Proto().bytes(1, ihave).bytes(2, iwant))));
        assertThat(result.rpc().control().iwant()).containsExactly(new IWant(List.of(MessageId.of(new byte[4]))));
        assertThat(result.rpc().control().ihave()).containsExactly(new IHave("t", List.of(MessageId.of(new byte[] {1, 2, 3, 4}))));
        assertThat(result.dropped().invalidMessageIds()).isEqualTo(3);
    }

    // ---- GRAFT and PRUNE ----

    @Test
    void graftsAndPrunesPastTheirLimitsAreSkippedAndCounted() {
        RpcCodec codec = with(b -> b.maxGrafts(2).maxPrunes(1));
        Proto control = repeat(3, 3, graft("t"));
        control.bytes(4, graft("t")).bytes(4, graft("u"));
        Decoded result = decoded(codec.decode(control(control)));
        assertThat(result.rpc().control().graft()).hasSize(2);
        assertThat(result.rpc().control().prune()).extracting(Prune::topic).containsExactly("t");
        assertThat(result.dropped().excessGrafts()).isEqualTo(1);
        assertThat(result.dropped().excessPrunes()).isEqualTo(1);
    }

    @Test
    void sixteenPeerExchangePeersAreKeptAndTheSeventeenthSkipped() {
        Proto prune = new Proto().string(1, "t");
        for (int i = 0; i < 16; i++) prune.bytes(2, new Proto().bytes(1, PEERS.get(i).toBytes()));
        Decoded atLimit = decoded(defaults.decode(control(new Proto().bytes(4, prune))));
        assertThat(atLimit.rpc().control().prune().get(0).peers()).hasSize(16);
        assertThat(atLimit.dropped()).isEqualTo(RpcDropped.NONE);

        prune.bytes(2, new Proto().bytes(1, PEERS.get(0).toBytes()));
        Decoded over = decoded(defaults.decode(control(new Proto().bytes(4, prune))));
        assertThat(over.rpc().control().prune().get(0).peers()).hasSize(16);
        assertThat(over.dropped().excessPeerExchange()).isEqualTo(1);
    }

    @Test
    void peerExchangeEntriesWithoutAValidPeerIdAreDropped() {
        Proto prune = new Proto().string(1, "t")
                .bytes(2, new Proto().bytes(2, new byte[] {1}))
                .bytes(2, new Proto().bytes(1, new byte[] {1, 2, 3}))
                .bytes(2, new Proto().bytes(1, new byte[100]))
                .bytes(2, new Proto().bytes(1, PEERS.get(3).toBytes()));
        Decoded result = decoded(defaults.decode(control(new Proto().bytes(4, prune))));
        assertThat(result.rpc().control().prune().get(0).peers()).containsExactly(Rpc.PeerExchange.of(PEERS.get(3)));
        assertThat(result.dropped().invalidPeerExchange()).isEqualTo(3);
    }

    @Test
    void aSignedPeerRecordAtTheLimitIsKeptAndALongerOneDroppedWithItsPeerKept() {
        RpcCodec codec = with(b -> b.maxSignedPeerRecordBytes(10));
        Proto prune = new Proto().string(1, "t")
                .bytes(2, new Proto().bytes(1, PEERS.get(1).toBytes()).bytes(2, new byte[10]))
                .bytes(2, new Proto().bytes(1, PEERS.get(2).toBytes()).bytes(2, new byte[11]));
        Decoded result = decoded(codec.decode(control(new Proto().bytes(4, prune))));
        assertThat(result.rpc().control().prune().get(0).peers())
                .containsExactly(Rpc.PeerExchange.of(PEERS.get(1), new byte[10]), Rpc.PeerExchange.of(PEERS.get(2)));
        assertThat(result.dropped().oversizePeerRecords()).isEqualTo(1);
    }

    // ---- hostile packing ----

    @Test
    void anRpcPackedWithTheSmallestEntriesKeepsNoMoreThanTheLimitsAllow() {
        // 2-byte entries, some 80,000 of each of four kinds: far past every count limit
        int entries = (RpcLimits.DEFAULT_MAX_RPC_BYTES - 16) / 8;
        Proto control = new Proto();
        for (int i = 0; i < entries / 2; i++) control.bytes(2, new byte[0]).bytes(3, new byte[0]);
        byte[] packedControl = control.build();
        Proto rpc = new Proto();
        rpc.tag(3, 2).varint(packedControl.length).raw(packedControl);
        for (int i = 0; i < entries / 2; i++) rpc.bytes(1, new byte[0]).bytes(2, new byte[0]);
        byte[] bytes = rpc.build();
        assertThat(bytes.length).isLessThanOrEqualTo(RpcLimits.DEFAULT_MAX_RPC_BYTES);

        Decoded result = decoded(defaults.decode(bytes));
        assertThat(result.rpc().subscriptions()).isEmpty();
        assertThat(result.rpc().messages()).isEmpty();
        assertThat(result.rpc().control().iwant()).hasSize(RpcLimits.DEFAULT_MAX_IWANTS);
        assertThat(result.rpc().control().graft()).isEmpty();
        assertThat(result.dropped().excessSubscriptions()).isEqualTo(entries / 2 - RpcLimits.DEFAULT_MAX_SUBSCRIPTIONS);
        assertThat(result.dropped().excessMessages()).isEqualTo(entries / 2 - RpcLimits.DEFAULT_MAX_MESSAGES);
        assertThat(result.dropped().excessIWants()).isEqualTo(entries / 2 - RpcLimits.DEFAULT_MAX_IWANTS);
        assertThat(result.dropped().excessGrafts()).isEqualTo(entries / 2 - RpcLimits.DEFAULT_MAX_GRAFTS);
        assertThat(result.dropped().missingTopics())
                .isEqualTo(RpcLimits.DEFAULT_MAX_SUBSCRIPTIONS + RpcLimits.DEFAULT_MAX_MESSAGES + RpcLimits.DEFAULT_MAX_GRAFTS);
    }
}
