package dev.ferry.pubsub.message;

import static dev.ferry.pubsub.message.PubSubFixtures.KEYS;
import static dev.ferry.pubsub.message.PubSubFixtures.PEERS;
import static dev.ferry.pubsub.message.PubSubFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MessageIdFunctionTest {
    private static final HexFormat HEX = HexFormat.of();
    private final IdentityKeyPair alice = KEYS.get(0);
    private final PubSubMessage signed = MessageAuthor.strictSign(alice, 0x0102030405060708L).publish("t", utf8("x"));

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theDefaultsAreJsLibp2psPerPolicy() {
        PubSubMessage anonymous = MessageAuthor.strictNoSign().publish("t", utf8("x"));
        assertThat(MessageIdFunction.defaultFor(SignaturePolicy.STRICT_SIGN).idOf(signed))
                .isEqualTo(MessageIdFunction.keyAndSeqno().idOf(signed));
        assertThat(MessageIdFunction.defaultFor(SignaturePolicy.STRICT_NO_SIGN).idOf(anonymous))
                .isEqualTo(MessageIdFunction.dataSha256().idOf(anonymous));
    }

    @Test
    void keyAndSeqnoIsTheProtobufKeyThenTheSeqnoBytes() {
        MessageId id = MessageIdFunction.keyAndSeqno().idOf(signed);
        assertThat(id.bytes()).isEqualTo(concat(alice.publicKey().marshal(), HEX.parseHex("0102030405060708")));
        assertThat(id.length()).isEqualTo(44);
    }

    @Test
    void keyAndSeqnoTakesTheKeyFieldWhenThePeerIdDoesNotInlineIt() {
        byte[] key = alice.publicKey().marshal();
        PubSubMessage hashedAuthor = signed.toBuilder().from(PEERS.get(KEYS.size())).key(key).build();
        assertThat(MessageIdFunction.keyAndSeqno().idOf(hashedAuthor).bytes()).isEqualTo(concat(key, HEX.parseHex("0102030405060708")));
        PubSubMessage noKey = hashedAuthor.toBuilder().key(null).build();
        assertThatThrownBy(() -> MessageIdFunction.keyAndSeqno().idOf(noKey)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyAndSeqnoRefusesMessagesThatWereNotChecked() {
        PubSubMessage anonymous = MessageAuthor.strictNoSign().publish("t", utf8("x"));
        assertThatThrownBy(() -> MessageIdFunction.keyAndSeqno().idOf(anonymous)).hasMessageContaining("check the message first");
        PubSubMessage garbageFrom = signed.toBuilder().from(new byte[] {1}).build();
        assertThatThrownBy(() -> MessageIdFunction.keyAndSeqno().idOf(garbageFrom)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromAndSeqnoIsGoLibp2psPeerIdBytesThenSeqno() {
        MessageId id = MessageIdFunction.fromAndSeqno().idOf(signed);
        assertThat(id.bytes()).isEqualTo(concat(alice.peerId().toBytes(), HEX.parseHex("0102030405060708")));
        assertThat(id.length()).isEqualTo(46);
        assertThat(id).isNotEqualTo(MessageIdFunction.keyAndSeqno().idOf(signed));
        assertThatThrownBy(() -> MessageIdFunction.fromAndSeqno().idOf(PubSubMessage.builder("t").build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataSha256IsTheBareDigestOfThePayload() {
        MessageIdFunction sha = MessageIdFunction.dataSha256();
        assertThat(sha.idOf(PubSubMessage.builder("t").data(utf8("abc")).build()).toString())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        String empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assertThat(sha.idOf(PubSubMessage.builder("t").data(new byte[0]).build()).toString()).isEqualTo(empty);
        assertThat(sha.idOf(PubSubMessage.builder("t").build()).toString()).isEqualTo(empty);
        assertThat(sha.idOf(PubSubMessage.builder("other").data(utf8("abc")).build()))
                .as("the topic is not part of it").isEqualTo(sha.idOf(PubSubMessage.builder("t").data(utf8("abc")).build()));
    }
}
