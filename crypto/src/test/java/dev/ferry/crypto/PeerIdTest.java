package dev.ferry.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.multiformats.Base58;
import dev.ferry.crypto.multiformats.Multibase;
import dev.ferry.crypto.multiformats.Multihash;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PeerIdTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String ED25519_PEER_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
    private static final String SHA256_PEER_ID = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";

    @Test
    void emptyTextIsRefused() {
        assertThatThrownBy(() -> PeerId.parse("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PeerId: empty");
    }

    @Test
    void base58TextWithALetterOutsideTheAlphabetIsRefusedNamingIt() {
        String withZeroDigit = "12D3KooW0tg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

        assertThatThrownBy(() -> PeerId.parse(withZeroDigit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid base58 character '0'");
    }

    @Test
    void truncatedPeerIdIsRefused() {
        byte[] bytes = PeerId.parse(ED25519_PEER_ID).toBytes();
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);

        assertThatThrownBy(() -> PeerId.fromBytes(truncated)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PeerId: multihash says 36 digest bytes but has 35");
        assertThatThrownBy(() -> PeerId.parse(Base58.encode(truncated))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PeerId: multihash says 36 digest bytes but has 35");
    }

    @Test
    void textLongerThanAnyPeerIdIsRefusedBeforeDecoding() {
        assertThatThrownBy(() -> PeerId.parse("1" + "2".repeat(100_000))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than any PeerId");
    }

    @Test
    void textThatIsNeitherBase58NorACidIsRefused() {
        assertThatThrownBy(() -> PeerId.parse("xyz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported multibase prefix 'x'");
    }

    @Test
    void cidOfAnotherCodecIsRefused() {
        // A dag-pb CIDv1 (codec 0x70), not a libp2p-key.
        byte[] dagPb = HEX.parseHex("0170" + HEX.formatHex(PeerId.parse(SHA256_PEER_ID).toBytes()));

        assertThatThrownBy(() -> PeerId.parse(Multibase.encodeBase32(dagPb)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CID codec 0x70 is not libp2p-key (0x72)");
    }

    @Test
    void cidOfAnotherVersionIsRefused() {
        byte[] version2 = HEX.parseHex("0272" + HEX.formatHex(PeerId.parse(SHA256_PEER_ID).toBytes()));

        assertThatThrownBy(() -> PeerId.parse(Multibase.encodeBase32(version2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CID version 2 is not 1");
    }

    @Test
    void identityMultihashLongerThanAnInlineKeyIsRefused() {
        byte[] tooLong = Multihash.identity(new byte[PeerId.MAX_INLINE_KEY_LENGTH + 1]).encode();

        assertThatThrownBy(() -> PeerId.fromBytes(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PeerId: identity multihash longer than 42 bytes");
    }

    @Test
    void multihashOfAnotherHashFunctionIsRefused() {
        byte[] sha512 = HEX.parseHex("1340" + "00".repeat(64));

        assertThatThrownBy(() -> PeerId.fromBytes(sha512)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PeerId: unsupported multihash code 0x13");
    }

    @Test
    void bytesWithTrailingGarbageAreRefused() {
        byte[] withTrailer = HEX.parseHex(HEX.formatHex(PeerId.parse(SHA256_PEER_ID).toBytes()) + "00");

        assertThatThrownBy(() -> PeerId.fromBytes(withTrailer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PeerId: multihash says 32 digest bytes but has 33");
    }

    @Test
    void emptyBytesAreRefused() {
        assertThatThrownBy(() -> PeerId.fromBytes(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PeerId: varint is truncated");
    }

    @Test
    void identityPeerIdThatHoldsNoKeyYieldsNoPublicKey() {
        PeerId peer = PeerId.fromBytes(Multihash.identity(new byte[] {1, 2, 3}).encode());

        assertThat(peer.extractPublicKey()).isEmpty();
    }

    @Test
    void equalPeerIdsAreEqualAndHashAlike() {
        PeerId a = PeerId.parse(ED25519_PEER_ID);
        PeerId b = PeerId.fromBytes(Base58.decode(ED25519_PEER_ID));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(PeerId.parse(SHA256_PEER_ID));
        assertThat(a.compareTo(b)).isZero();
    }

    @Test
    void peerIdsOrderByTheirUnsignedBytes() {
        PeerId identity = PeerId.parse(ED25519_PEER_ID); // starts with 0x00
        PeerId sha256 = PeerId.parse(SHA256_PEER_ID); // starts with 0x12

        assertThat(identity).isLessThan(sha256);
    }

    @Test
    void toBytesIsADefensiveCopy() {
        PeerId peer = PeerId.parse(ED25519_PEER_ID);
        byte[] bytes = peer.toBytes();
        bytes[5] ^= 1;

        assertThat(peer.toBase58()).isEqualTo(ED25519_PEER_ID);
    }

    @Test
    void peerIdMatchesOnlyItsOwnKey() {
        IdentityKeyPair pair = IdentityKeyPair.fromSeed(new byte[32]);
        IdentityKeyPair other = IdentityKeyPair.fromSeed(new byte[] {
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

        assertThat(pair.peerId().matches(pair.publicKey())).isTrue();
        assertThat(pair.peerId().matches(other.publicKey())).isFalse();
    }
}
