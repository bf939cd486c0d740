package dev.ferry.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.multiformats.Base58;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The test vectors of libp2p's peer-ids/peer-ids.md, and RFC 8032's first Ed25519 vector. */
class PeerIdSpecVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Spec vector: an Ed25519 {@code PrivateKey} protobuf (seed then public key). */
    private static final String ED25519_PRIVATE_KEY =
            "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
                    + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    /** Spec vector: the matching {@code PublicKey} protobuf. */
    private static final String ED25519_PUBLIC_KEY =
            "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    /** The base58btc PeerId of that key (identity multihash of the public key protobuf). */
    private static final String ED25519_PEER_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

    /** Spec examples: one sha2-256 PeerId as legacy base58 and as CIDv1, and an Ed25519 one. */
    private static final String SHA256_PEER_ID = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
    private static final String SHA256_PEER_ID_CID = "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";
    private static final String ED25519_EXAMPLE_PEER_ID = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    @Test
    void privateKeyProtobufDecodesToTheSpecPublicKeyAndPeerId() {
        IdentityKeyPair pair = IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex(ED25519_PRIVATE_KEY));

        assertThat(HEX.formatHex(pair.publicKey().marshal())).isEqualTo(ED25519_PUBLIC_KEY);
        assertThat(pair.peerId().toBase58()).isEqualTo(ED25519_PEER_ID);
        assertThat(pair.peerId()).hasToString(ED25519_PEER_ID);
    }

    @Test
    void privateKeyProtobufIsReEncodedByteForByte() {
        IdentityKeyPair pair = IdentityKeyPair.unmarshalPrivateKey(HEX.parseHex(ED25519_PRIVATE_KEY));

        assertThat(HEX.formatHex(pair.marshalPrivateKey())).isEqualTo(ED25519_PRIVATE_KEY);
    }

    @Test
    void aBareSeedGivesTheSameKeyAsTheSpecPrivateKey() {
        byte[] seed = HEX.parseHex(ED25519_PRIVATE_KEY.substring(8, 8 + 64));

        assertThat(IdentityKeyPair.fromSeed(seed).peerId().toBase58()).isEqualTo(ED25519_PEER_ID);
    }

    @Test
    void publicKeyProtobufDecodesAndNamesTheSpecPeerId() {
        IdentityPublicKey key = IdentityPublicKey.unmarshal(HEX.parseHex(ED25519_PUBLIC_KEY));

        assertThat(HEX.formatHex(key.raw())).isEqualTo(ED25519_PUBLIC_KEY.substring(8));
        assertThat(key.toPeerId().toBase58()).isEqualTo(ED25519_PEER_ID);
        assertThat(HEX.formatHex(key.toPeerId().toBytes())).isEqualTo("0024" + ED25519_PUBLIC_KEY);
    }

    @Test
    void ed25519PeerIdInlinesItsPublicKey() {
        PeerId peer = PeerId.parse(ED25519_PEER_ID);

        assertThat(peer.extractPublicKey()).map(k -> HEX.formatHex(k.marshal())).contains(ED25519_PUBLIC_KEY);
        assertThat(peer.matches(IdentityPublicKey.unmarshal(HEX.parseHex(ED25519_PUBLIC_KEY)))).isTrue();
        assertThat(PeerId.parse(ED25519_EXAMPLE_PEER_ID).extractPublicKey()).isPresent();
    }

    @Test
    void sha256PeerIdParsesFromBase58AndFromItsCid() {
        PeerId fromBase58 = PeerId.parse(SHA256_PEER_ID);
        PeerId fromCid = PeerId.parse(SHA256_PEER_ID_CID);

        assertThat(fromCid).isEqualTo(fromBase58);
        assertThat(fromBase58.toBase58()).isEqualTo(SHA256_PEER_ID);
        assertThat(fromBase58.toCidString()).isEqualTo(SHA256_PEER_ID_CID);
        assertThat(HEX.formatHex(fromBase58.toBytes()))
                .isEqualTo("12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9");
        assertThat(fromBase58.extractPublicKey()).isEmpty();
    }

    @Test
    void ed25519PeerIdRoundTripsThroughItsCid() {
        PeerId peer = PeerId.parse(ED25519_PEER_ID);

        assertThat(peer.toCidString()).startsWith("bafz").isEqualTo(
                "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
        assertThat(PeerId.parse(peer.toCidString())).isEqualTo(peer);
    }

    @Test
    void cidInOtherMultibasesNamesTheSamePeer() {
        PeerId peer = PeerId.parse(SHA256_PEER_ID);
        String base16 = "f0172" + HEX.formatHex(peer.toBytes());

        assertThat(PeerId.parse(base16)).isEqualTo(peer);
        assertThat(PeerId.parse(base16.toUpperCase())).isEqualTo(peer);
        assertThat(PeerId.parse(SHA256_PEER_ID_CID.toUpperCase())).isEqualTo(peer);
        assertThat(PeerId.parse("z" + Base58.encode(HEX.parseHex("0172" + HEX.formatHex(peer.toBytes())))))
                .isEqualTo(peer);
    }

    @Test
    void signsTheRfc8032FirstVector() {
        IdentityKeyPair pair = IdentityKeyPair.fromSeed(
                HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        byte[] signature = pair.sign(new byte[0]);

        assertThat(HEX.formatHex(pair.publicKey().raw()))
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assertThat(HEX.formatHex(signature)).isEqualTo(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                        + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertThat(pair.publicKey().verify(new byte[0], signature)).isTrue();
    }
}
