package dev.ferry.cmd;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtProtocol;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A key to look up the closest peers of, from text, tried in this order: {@code 0x}-prefixed
 * hex; a {@code /ferry/PEERID/NAME} record key; a PeerId (its bytes, where its peer record
 * lives); a CID (its multihash, where its provider records live); plain hex. Plain hex comes
 * last because some hex is also a valid CID in base16 ({@code f01...}); {@code 0x} says which
 * is meant.
 *
 * @param bytes the key's bytes; the DHT looks up their SHA-256
 */
record LookupKey(byte[] bytes) {
    private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");

    LookupKey {
        if (bytes.length == 0) throw new IllegalArgumentException("the key is empty");
        if (bytes.length > DhtProtocol.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("the key is " + bytes.length + " bytes, longer than " + DhtProtocol.MAX_KEY_LENGTH);
        }
        bytes = bytes.clone();
    }

    static LookupKey parse(String text) {
        if (text.startsWith("0x") || text.startsWith("0X")) return new LookupKey(hex(text.substring(2), text));
        if (text.startsWith("/")) return new LookupKey(FerryKey.parse(text).bytes());
        try {
            return new LookupKey(PeerId.parse(text).toBytes());
        } catch (IllegalArgumentException notAPeerId) {
            // try the next form
        }
        try {
            return new LookupKey(ContentId.parse(text).multihash());
        } catch (IllegalArgumentException notACid) {
            // try the next form
        }
        if (HEX.matcher(text).matches()) return new LookupKey(hex(text, text));
        throw new IllegalArgumentException("'" + text + "' is not a PeerId, a CID, a /ferry/ key or hex bytes");
    }

    private static byte[] hex(String digits, String text) {
        if (!HEX.matcher(digits).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not hex bytes (an even number of 0-9 a-f)");
        }
        return HexFormat.of().parseHex(digits);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LookupKey k && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "LookupKey[" + HexFormat.of().formatHex(bytes) + "]";
    }
}
