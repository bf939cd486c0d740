package dev.ferry.pubsub.message;

import static dev.ferry.pubsub.message.PubSubFixtures.PEERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.pubsub.message.Rpc.PeerExchange;
import dev.ferry.pubsub.message.Rpc.Prune;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MessageTypesTest {
    @Test
    void aMessageIdIsComparedByValueAndPrintedInHex() {
        byte[] raw = {0x0a, (byte) 0xff, 0x00};
        MessageId id = MessageId.of(raw);
        raw[0] = 0;
        assertThat(id).isEqualTo(MessageId.of(new byte[] {0x0a, (byte) 0xff, 0x00}))
                .hasSameHashCodeAs(MessageId.of(new byte[] {0x0a, (byte) 0xff, 0x00}))
                .isNotEqualTo(MessageId.of(new byte[] {0x0a, (byte) 0xff}));
        assertThat(id.toString()).isEqualTo("0aff00");
        assertThat(id.toBase64()).isEqualTo("Cv8A");
        assertThat(id.length()).isEqualTo(3);
        id.bytes()[0] = 9;
        assertThat(id.bytes()[0]).isEqualTo((byte) 0x0a);
        assertThatThrownBy(() -> MessageId.of(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMessageCopiesItsArraysInAndOut() {
        byte[] data = {1, 2, 3};
        byte[] seqno = new byte[8];
        PubSubMessage.Builder builder = PubSubMessage.builder("t").data(data).seqno(seqno);
        PubSubMessage message = builder.build();
        data[0] = 9;
        seqno[0] = 9;
        assertThat(message.data()).containsExactly(1, 2, 3);
        message.data()[0] = 7;
        message.seqno().orElseThrow()[0] = 7;
        assertThat(message.data()).containsExactly(1, 2, 3);
        assertThat(message.seqno().orElseThrow()).containsOnly(0);
        assertThat(message.dataView().isReadOnly()).isTrue();
        assertThat(message.dataLength()).isEqualTo(3);
        assertThat(builder.build()).isEqualTo(message).hasSameHashCodeAs(message);
    }

    @Test
    void messagesAreEqualOnlyWithTheSameFieldsPresent() {
        PubSubMessage plain = PubSubMessage.builder("t").build();
        assertThat(plain).isNotEqualTo(PubSubMessage.builder("t").data(new byte[0]).build())
                .isNotEqualTo(PubSubMessage.builder("t").key(new byte[0]).build())
                .isNotEqualTo(PubSubMessage.builder("u").build())
                .isEqualTo(PubSubMessage.builder("t").build());
        assertThat(plain.isAnonymous()).isTrue();
        assertThat(plain.from()).isEmpty();
        assertThat(plain.data()).isEmpty();
        assertThat(plain.hasData()).isFalse();
    }

    @Test
    void topicsAreNeverEmpty() {
        assertThatThrownBy(() -> PubSubMessage.builder("").build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rpc.Subscription(true, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rpc.Graft("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rpc.IHave("", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Prune("", List.of(), OptionalLong.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Prune("t", List.of(), OptionalLong.of(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rpcListsAreImmutableCopies() {
        List<Rpc.Subscription> subscriptions = new ArrayList<>(List.of(new Rpc.Subscription(true, "t")));
        Rpc rpc = Rpc.ofSubscriptions(subscriptions);
        subscriptions.clear();
        assertThat(rpc.subscriptions()).hasSize(1);
        assertThatThrownBy(() -> rpc.subscriptions().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(rpc.isEmpty()).isFalse();
        assertThat(rpc.control().isEmpty()).isTrue();
    }

    @Test
    void aPeerExchangeEntryCopiesItsRecordAndComparesByValue() {
        byte[] record = {1, 2};
        PeerExchange entry = PeerExchange.of(PEERS.get(0), record);
        record[0] = 9;
        assertThat(entry.signedPeerRecord()).hasValueSatisfying(r -> assertThat(r).containsExactly(1, 2));
        assertThat(entry).isEqualTo(PeerExchange.of(PEERS.get(0), new byte[] {1, 2}))
                .hasSameHashCodeAs(PeerExchange.of(PEERS.get(0), new byte[] {1, 2}))
                .isNotEqualTo(PeerExchange.of(PEERS.get(0)));
        assertThat(entry.toString()).contains(PEERS.get(0).toBase58(), "record 2 bytes");
    }
}
