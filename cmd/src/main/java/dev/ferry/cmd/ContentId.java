package dev.ferry.cmd;

import dev.ferry.crypto.multiformats.Base58;
import dev.ferry.crypto.multiformats.Multibase;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.crypto.multiformats.UnsignedVarint;
import java.util.Arrays;

/**
 * A CID as text names content: CIDv0 ({@code Qm...}, base58btc of a sha2-256 multihash) or CIDv1
 * ({@code bafy...}: multibase of {@code varint(1) varint(codec) multihash}). The DHT keys
 * provider records by the multihash alone, as js-libp2p and go-libp2p do, so one content under
 * two codecs or bases is one provider key.
 *
 * @param text the CID as given
 * @param codec the multicodec of the content ({@code 0x70} dag-pb for a CIDv0)
 * @param multihash the binary multihash: the provider key
 */
record ContentId(String text, long codec, byte[] multihash) {
    /** Longest text read; real CIDs are under 100 characters and base58 decoding is quadratic. */
    static final int MAX_TEXT_LENGTH = 256;
    private static final long DAG_PB = 0x70;

    ContentId {
        multihash = multihash.clone();
    }

    /** Parses a CID, naming what is wrong with a bad one. */
    static ContentId parse(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("CID is empty");
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("'" + text.substring(0, 20) + "...' is longer than any CID");
        }
        try {
            if (text.length() == 46 && text.startsWith("Qm")) {
                byte[] mh = Base58.decode(text);
                Multihash.decode(mh);
                return new ContentId(text, DAG_PB, mh);
            }
            byte[] raw = Multibase.decode(text);
            UnsignedVarint.Decoded version = UnsignedVarint.decode(raw, 0);
            if (version.value() != 1) throw new IllegalArgumentException("CID version " + version.value() + " is not 1");
            UnsignedVarint.Decoded codec = UnsignedVarint.decode(raw, version.length());
            byte[] mh = Arrays.copyOfRange(raw, version.length() + codec.length(), raw.length);
            Multihash.decode(mh);
            return new ContentId(text, codec.value(), mh);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CID: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] multihash() {
        return multihash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentId c && c.text.equals(text) && c.codec == codec && Arrays.equals(c.multihash, multihash);
    }

    @Override
    public int hashCode() {
        return 31 * text.hashCode() + Arrays.hashCode(multihash);
    }

    @Override
    public String toString() {
        return text;
    }
}
