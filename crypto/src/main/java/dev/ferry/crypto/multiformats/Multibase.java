package dev.ferry.crypto.multiformats;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Multibase text: a one-character prefix naming the base, then the data. Ferry decodes
 * base32 ({@code b}, {@code B}), base58btc ({@code z}) and base16 ({@code f}, {@code F}), and writes
 * base32 lower case, the default for CIDv1.
 */
public final class Multibase {
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    private Multibase() {}

    /** {@code b} + RFC 4648 base32, lower case, no padding. */
    public static String encodeBase32(byte[] data) {
        StringBuilder out = new StringBuilder(1 + (data.length * 8 + 4) / 5).append('b');
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        return out.toString();
    }

    /** Decodes multibase text; names the prefix or character that is wrong. */
    public static byte[] decode(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("multibase text is empty");
        char prefix = text.charAt(0);
        String body = text.substring(1);
        return switch (prefix) {
            case 'b' -> decodeBase32(body);
            case 'B' -> decodeBase32(body.toLowerCase(Locale.ROOT));
            case 'z' -> Base58.decode(body);
            case 'f', 'F' -> {
                try {
                    yield HexFormat.of().parseHex(body.toLowerCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid base16 text: " + e.getMessage(), e);
                }
            }
            default -> throw new IllegalArgumentException("unsupported multibase prefix '" + prefix + "'");
        };
    }

    private static byte[] decodeBase32(String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < body.length(); i++) {
            int v = BASE32.indexOf(body.charAt(i));
            if (v < 0) {
                throw new IllegalArgumentException("invalid base32 character '" + body.charAt(i) + "' at position " + (i + 1));
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xFF);
                bits -= 8;
            }
        }
        // Whole bytes leave 1 to 4 bits over; 5 or more mean a character too many, which would let
        // two texts decode alike, as would non-zero padding bits.
        if (bits >= 5) throw new IllegalArgumentException("base32 text has an impossible length " + body.length());
        if ((buffer & ((1 << bits) - 1)) != 0) throw new IllegalArgumentException("base32 text has non-zero padding bits");
        return out.toByteArray();
    }
}
