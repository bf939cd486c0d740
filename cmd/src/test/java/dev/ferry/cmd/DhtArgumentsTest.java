package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.Base58;
import dev.ferry.dht.record.FerryRecord;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** How the dht commands read CIDs, keys and values, and how they print values. */
class DhtArgumentsTest {
    private static final PeerId PEER = IdentityKeyPair.generate(new SecureRandom()).peerId();
    /** The empty unixfs directory, as CIDv0 and (computed independently) as CIDv1 dag-pb. */
    private static final String CID_V0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
    private static final String CID_V1 = "bafybeie5nqv6kd3qnfjupgvz34woh3oksc3iau6abmyajn7qvtf6d2ho34";

    @Test
    void aCidV0AndItsCidV1AreTheSameProviderKey() {
        ContentId v0 = ContentId.parse(CID_V0);
        ContentId v1 = ContentId.parse(CID_V1);

        assertThat(v0.multihash()).isEqualTo(Base58.decode(CID_V0));
        assertThat(v1.multihash()).isEqualTo(v0.multihash());
        assertThat(v1.codec()).isEqualTo(0x70);
    }

    @Test
    void aCidWithABrokenMultihashIsRefusedNamingIt() {
        assertThatThrownBy(() -> ContentId.parse(CID_V1.substring(0, CID_V1.length() - 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + CID_V1.substring(0, CID_V1.length() - 4) + "' is not a CID");
        assertThatThrownBy(() -> ContentId.parse("hello")).hasMessageContaining("is not a CID");
    }

    @Test
    void aFerryKeyReadsThePeerIdInBase58OrCidFormAndPrintsBase58() {
        FerryKey base58 = FerryKey.parse("/ferry/" + PEER.toBase58() + "/prekey-bundle");
        FerryKey cid = FerryKey.parse("/ferry/" + PEER.toCidString() + "/prekey-bundle");

        assertThat(cid).isEqualTo(base58);
        assertThat(cid.bytes()).isEqualTo(FerryRecord.keyOf(PEER, "prekey-bundle"));
        assertThat(cid.toString()).isEqualTo("/ferry/" + PEER.toBase58() + "/prekey-bundle");
    }

    @Test
    void aFerryKeyWithoutANameOrWithABadOneIsRefused() {
        assertThatThrownBy(() -> FerryKey.parse("/ferry/" + PEER)).hasMessageContaining("no /NAME");
        assertThatThrownBy(() -> FerryKey.parse("/ferry/" + PEER + "/UPPER")).hasMessageContaining("a-z 0-9");
        assertThatThrownBy(() -> FerryKey.parse("/pk/" + PEER)).hasMessageContaining("/ferry/PEERID/NAME");
    }

    @Test
    void aLookupKeyIsHexAPeerIdACidOrAFerryKey() {
        assertThat(LookupKey.parse("0xDEADbeef").bytes()).isEqualTo(HexFormat.of().parseHex("deadbeef"));
        assertThat(LookupKey.parse("deadbeef").bytes()).isEqualTo(HexFormat.of().parseHex("deadbeef"));
        assertThat(LookupKey.parse(PEER.toString()).bytes()).isEqualTo(PEER.toBytes());
        assertThat(LookupKey.parse(PEER.toCidString()).bytes()).isEqualTo(PEER.toBytes());
        assertThat(LookupKey.parse(CID_V1).bytes()).isEqualTo(Base58.decode(CID_V0));
        assertThat(LookupKey.parse("/ferry/" + PEER + "/x").bytes()).isEqualTo(FerryRecord.keyOf(PEER, "x"));
    }

    @Test
    void aLookupKeyThatIsEmptyOddOrTooLongIsRefused() {
        assertThatThrownBy(() -> LookupKey.parse("0x")).hasMessageContaining("not hex bytes");
        assertThatThrownBy(() -> LookupKey.parse("0xabc")).hasMessageContaining("not hex bytes");
        assertThatThrownBy(() -> LookupKey.parse("0x" + "00".repeat(257))).hasMessageContaining("longer than 256");
        assertThatThrownBy(() -> LookupKey.parse("zz top")).hasMessageContaining("is not a PeerId, a CID");
    }

    @Test
    void onlyOneLineOfPrintableUtf8IsPrintedAsText() {
        assertThat(DhtGetCommand.printableText("grüße, 世界".getBytes(StandardCharsets.UTF_8))).contains("grüße, 世界");
        assertThat(DhtGetCommand.printableText(new byte[0])).contains("");
        assertThat(DhtGetCommand.printableText("two\nlines".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(DhtGetCommand.printableText("bell\u0007".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(DhtGetCommand.printableText("bidi\u202Etrick".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(DhtGetCommand.printableText(new byte[] {(byte) 0xC3, 0x28})).isEmpty();
    }

    @Test
    void durationsPrintAsTheyAreWritten() {
        DurationConverter c = new DurationConverter();
        for (String s : new String[] {"1500ms", "30s", "2m", "1h", "90s", "0s", "7d", "36h"}) {
            assertThat(DurationConverter.format(c.convert(s))).isEqualTo(s);
        }
    }
}
