package dev.ferry.pubsub.message;

import static dev.ferry.pubsub.message.PubSubFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.Rpc.Control;
import dev.ferry.pubsub.message.Rpc.Graft;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.Subscription;
import dev.ferry.pubsub.message.RpcDecodeResult.Decoded;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Cross-implementation vectors with js-libp2p {@code @libp2p/gossipsub} 17.1.1, in both directions.
 *
 * <p>The {@code JS_*} RPCs were produced once by a throwaway Node.js script run from
 * {@code interop/js} ({@code node --import ./polyfill.mjs}) that imported gossipsub's own
 * {@code utils/buildRawMessage.js}, {@code utils/publishConfig.js}, {@code utils/msgIdFn.js} and
 * {@code message/rpc.js}: key pair {@code generateKeyPairFromSeed('Ed25519', 32 bytes of 7)},
 * {@code getPublishConfigFromPeerId(policy, peerId, privateKey)}, {@code buildRawMessage(config,
 * 'ferry/vectors', data, data)}, then {@code RPC.encode({subscriptions, messages: [raw]})}; the ids
 * are what {@code msgIdFnStrictSign} and {@code msgIdFnStrictNoSign} returned for the same
 * messages, and js's own {@code validateToRawMessage} accepted each. js seeds its seqno from
 * the clock, hence the seqno 18ea49f1665ed181.
 *
 * <p>{@link #FERRY_SIGNED_RPC} is what Ferry writes (checked below byte for byte); a second
 * throwaway script decoded it with js's {@code RPC.decode}, accepted its message with
 * {@code validateToRawMessage('StrictSign', ...)}, read back author 12D3KooWSrKnMZUcSxK8G7wmBbXdU8nFEfWGhLu6H8xjn8LmCSJb,
 * seqno 0102030405060708, the data, topic, IHAVE and GRAFT, computed {@link #FERRY_ID} with
 * {@code msgIdFnStrictSign}, and refused a copy with one payload byte changed.
 */
class JsLibp2pVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The PeerId of 32 bytes of 7 as an Ed25519 seed, as js-libp2p prints it. */
    private static final String JS_PEER = "12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7";

    /** A subscription to ferry/vectors and a StrictSign message "hello from js-libp2p gossipsub" (with key). */
    private static final String JS_SIGNED_RPC = "0a110801120d66657272792f766563746f727312c9010a26002408011220ea4a6c63e29c520abef5507b132ec5f9"
            + "954776aebebe7b92421eea691446d22c121e68656c6c6f2066726f6d206a732d6c696270327020676f737369707375621a0818ea49f1665ed1"
            + "81220d66657272792f766563746f72732a40931335c85ef3ed4f1dfcfda2228797cdcbc7d79078ad90003b4759cb44cc95caf8e04cbec13bec"
            + "5845e76a2cd4f78a209d09fd997138ad895a53e59419324601322408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421e"
            + "ea691446d22c";
    private static final String JS_SIGNED_ID = "08011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c18ea49f1665ed181";

    /** The same subscription and payload under StrictNoSign. */
    private static final String JS_UNSIGNED_RPC = "0a110801120d66657272792f766563746f7273122f121e68656c6c6f2066726f6d206a732d6c69627032702067"
            + "6f73736970737562220d66657272792f766563746f7273";
    private static final String JS_UNSIGNED_ID = "f7934ce4df87a69a19825def6f53ae6191e5288aa3a4ee7c9d3e7e4761b1c1da";

    /** A StrictSign message with an empty payload: js writes the empty data field, and signs it. */
    private static final String JS_EMPTY_RPC = "12ab010a26002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c12001a"
            + "0818ea49f1665ed182220d66657272792f766563746f72732a40da9fe7337b702677d0c34a76083b8330afd9e24ebfb029912b297fee4ac1abbb"
            + "32f29b27a70932778e219eefa6cde46ee5cfae093ce9273be04259a6d457c20a322408011220ea4a6c63e29c520abef5507b132ec5f9954776ae"
            + "bebe7b92421eea691446d22c";
    private static final String JS_EMPTY_ID = "08011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c18ea49f1665ed182";

    /** Ferry's: key seed 32 bytes of 9, first seqno 0102030405060708, with an IHAVE of its id and a GRAFT. */
    private static final String FERRY_SIGNED_RPC = "0a110801120d66657272792f766563746f72731295010a26002408011220fd1724385aa0c75b64fb78cd602fa1d9"
            + "91fdebf76b13c58ed702eac835e9f618121068656c6c6f2066726f6d2046657272791a080102030405060708220d66657272792f766563746f"
            + "72732a409f1906ebedb1b235488eb9474e34eb91c116d81db1a727b870aa68557144f2eb56abee6703805e806190c2cbb2cb6b499b3f55f2f0"
            + "64e52b07f90c26ff082e031a500a3d0a0d66657272792f766563746f7273122c08011220fd1724385aa0c75b64fb78cd602fa1d991fdebf76b"
            + "13c58ed702eac835e9f61801020304050607081a0f0a0d66657272792f766563746f7273";
    private static final String FERRY_ID = "08011220fd1724385aa0c75b64fb78cd602fa1d991fdebf76b13c58ed702eac835e9f6180102030405060708";

    private final RpcCodec codec = RpcCodec.withDefaultLimits();

    private Rpc decode(String hex) {
        RpcDecodeResult result = codec.decode(HEX.parseHex(hex));
        assertThat(result).isInstanceOf(Decoded.class);
        assertThat(((Decoded) result).dropped()).isEqualTo(RpcDropped.NONE);
        return ((Decoded) result).rpc();
    }

    @Test
    void aMessageSignedByJsLibp2pVerifiesAndHasJsLibp2psId() {
        Rpc rpc = decode(JS_SIGNED_RPC);
        assertThat(rpc.subscriptions()).containsExactly(new Subscription(true, "ferry/vectors"));
        PubSubMessage message = rpc.messages().get(0);
        IdentityKeyPair sameKeys = PubSubFixtures.keys(7);

        assertThat(SignaturePolicy.STRICT_SIGN.check(message))
                .isEqualTo(new SignatureCheck.Valid(Optional.of(PeerId.parse(JS_PEER)), Optional.of(sameKeys.publicKey())));
        assertThat(sameKeys.peerId().toBase58()).isEqualTo(JS_PEER);
        assertThat(message.data()).isEqualTo(utf8("hello from js-libp2p gossipsub"));
        assertThat(message.key()).as("js sends the key even when inlined").isPresent();
        assertThat(MessageIdFunction.defaultFor(SignaturePolicy.STRICT_SIGN).idOf(message).toString()).isEqualTo(JS_SIGNED_ID);
        assertThat(codec.encode(rpc)).as("re-encoded byte for byte").isEqualTo(HEX.parseHex(JS_SIGNED_RPC));
    }

    @Test
    void ferrySigningTheSameContentWithTheSameKeyAndSeqnoGivesJsLibp2psSignature() {
        PubSubMessage js = decode(JS_SIGNED_RPC).messages().get(0);
        long seqno = ByteBuffer.wrap(js.seqno().orElseThrow()).getLong();
        PubSubMessage ours = MessageAuthor.strictSign(PubSubFixtures.keys(7), seqno).publish("ferry/vectors", js.data());
        // Ed25519 is deterministic and the key is outside the signed bytes: only the key field differs
        assertThat(ours.signature()).hasValueSatisfying(s -> assertThat(s).isEqualTo(js.signature().orElseThrow()));
        assertThat(ours).isEqualTo(js.toBuilder().key(null).build());
    }

    @Test
    void anEmptyPayloadSignedByJsLibp2pVerifiesBecauseItsPresenceIsKept() {
        PubSubMessage message = decode(JS_EMPTY_RPC).messages().get(0);
        assertThat(message.hasData()).isTrue();
        assertThat(message.dataLength()).isZero();
        assertThat(SignaturePolicy.STRICT_SIGN.check(message).isValid()).isTrue();
        assertThat(MessageIdFunction.keyAndSeqno().idOf(message).toString()).isEqualTo(JS_EMPTY_ID);
        assertThat(codec.encode(decode(JS_EMPTY_RPC))).isEqualTo(HEX.parseHex(JS_EMPTY_RPC));
    }

    @Test
    void anUnsignedJsLibp2pMessagePassesStrictNoSignAndHasJsLibp2psId() {
        PubSubMessage message = decode(JS_UNSIGNED_RPC).messages().get(0);
        assertThat(SignaturePolicy.STRICT_NO_SIGN.check(message)).isEqualTo(SignatureCheck.Valid.ANONYMOUS);
        assertThat(MessageIdFunction.defaultFor(SignaturePolicy.STRICT_NO_SIGN).idOf(message).toString()).isEqualTo(JS_UNSIGNED_ID);
        assertThat(message).isEqualTo(MessageAuthor.strictNoSign().publish("ferry/vectors", utf8("hello from js-libp2p gossipsub")));
        assertThat(codec.encode(decode(JS_UNSIGNED_RPC))).isEqualTo(HEX.parseHex(JS_UNSIGNED_RPC));
    }

    @Test
    void ferryWritesExactlyTheRpcThatJsLibp2pVerified() {
        IdentityKeyPair keys = PubSubFixtures.keys(9);
        PubSubMessage message = MessageAuthor.strictSign(keys, 0x0102030405060708L).publish("ferry/vectors", utf8("hello from Ferry"));
        MessageId id = MessageIdFunction.keyAndSeqno().idOf(message);
        Rpc rpc = new Rpc(List.of(new Subscription(true, "ferry/vectors")), List.of(message),
                new Control(List.of(new IHave("ferry/vectors", List.of(id))), List.of(), List.of(new Graft("ferry/vectors")), List.of()));

        assertThat(HEX.formatHex(codec.encode(rpc))).isEqualTo(FERRY_SIGNED_RPC);
        assertThat(id.toString()).isEqualTo(FERRY_ID);
        assertThat(keys.peerId().toBase58()).isEqualTo("12D3KooWSrKnMZUcSxK8G7wmBbXdU8nFEfWGhLu6H8xjn8LmCSJb");
        assertThat(decode(FERRY_SIGNED_RPC)).isEqualTo(rpc);
    }
}
