package dev.ferry.overlay.multiaddr;

import java.util.Optional;

/**
 * Strict parsing and canonical printing of IP address literals. Nothing here resolves names: a
 * text that is not a literal is simply not an address (unlike {@code InetAddress.getByName}).
 */
final class IpLiterals {
    /** {@code 255.255.255.255} */
    private static final int MAX_IPV4_TEXT = 15;
    /** {@code ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255} */
    private static final int MAX_IPV6_TEXT = 45;
    private static final int IPV6_GROUPS = 8;

    private IpLiterals() {}

    /**
     * The 4 bytes of a dotted quad: four decimal parts of 0 to 255, ASCII digits only, without
     * leading zeros (which some parsers read as octal, so {@code 010} is refused, not guessed).
     */
    static Optional<byte[]> parseIpv4(String text) {
        if (text.length() > MAX_IPV4_TEXT) return Optional.empty();
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part == out.length) return Optional.empty();
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) return Optional.empty();
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) return Optional.empty();
            } else {
                return Optional.empty();
            }
        }
        return part == out.length ? Optional.of(out) : Optional.empty();
    }

    /**
     * The 16 bytes of an IPv6 literal (RFC 4291 section 2.2): eight groups of 1 to 4 hex digits,
     * at most one {@code ::} standing for one or more zero groups, and optionally a dotted quad as
     * the last 32 bits. No zone ({@code %eth0}) and no brackets.
     */
    static Optional<byte[]> parseIpv6(String text) {
        if (text.isEmpty() || text.length() > MAX_IPV6_TEXT) return Optional.empty();
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) return Optional.empty();
        int[] head = new int[IPV6_GROUPS];
        int[] tail = new int[IPV6_GROUPS];
        int headCount;
        int tailCount = 0;
        if (gap < 0) {
            headCount = parseGroups(text, head, true);
            if (headCount != IPV6_GROUPS) return Optional.empty();
        } else {
            headCount = parseGroups(text.substring(0, gap), head, false);
            tailCount = parseGroups(text.substring(gap + 2), tail, true);
            // "::" stands for at least one zero group.
            if (headCount < 0 || tailCount < 0 || headCount + tailCount > IPV6_GROUPS - 1) return Optional.empty();
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headCount; i++) putGroup(out, i, head[i]);
        for (int i = 0; i < tailCount; i++) putGroup(out, IPV6_GROUPS - tailCount + i, tail[i]);
        return Optional.of(out);
    }

    /**
     * Parses colon-separated groups into {@code groups}; a trailing dotted quad counts as two
     * groups when {@code mayEndInIpv4}. Returns the number of groups, or -1 if malformed. The
     * empty text has no groups.
     */
    private static int parseGroups(String text, int[] groups, boolean mayEndInIpv4) {
        if (text.isEmpty()) return 0;
        int count = 0;
        int start = 0;
        while (true) {
            int end = text.indexOf(':', start);
            String piece = end < 0 ? text.substring(start) : text.substring(start, end);
            if (end < 0 && mayEndInIpv4 && piece.indexOf('.') >= 0) {
                Optional<byte[]> ipv4 = parseIpv4(piece);
                if (ipv4.isEmpty() || count + 2 > groups.length) return -1;
                byte[] b = ipv4.get();
                groups[count++] = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
                groups[count++] = (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
                return count;
            }
            int group = parseHexGroup(piece);
            if (group < 0 || count == groups.length) return -1;
            groups[count++] = group;
            if (end < 0) return count;
            start = end + 1;
        }
    }

    /** 1 to 4 ASCII hex digits, or -1. */
    private static int parseHexGroup(String piece) {
        if (piece.isEmpty() || piece.length() > 4) return -1;
        int value = 0;
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            int digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                digit = c - 'A' + 10;
            } else {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static void putGroup(byte[] out, int index, int group) {
        out[2 * index] = (byte) (group >> 8);
        out[2 * index + 1] = (byte) group;
    }

    /** The dotted quad of 4 bytes. */
    static String formatIpv4(byte[] address, int offset) {
        return (address[offset] & 0xFF) + "." + (address[offset + 1] & 0xFF) + "."
                + (address[offset + 2] & 0xFF) + "." + (address[offset + 3] & 0xFF);
    }

    /**
     * The RFC 5952 text of 16 bytes: lower-case hex without leading zeros, the longest run of two
     * or more zero groups (the first of equals) as {@code ::}, and IPv4-mapped addresses as
     * {@code ::ffff:a.b.c.d} (section 5).
     */
    static String formatIpv6(byte[] address) {
        int[] groups = new int[IPV6_GROUPS];
        for (int i = 0; i < IPV6_GROUPS; i++) {
            groups[i] = (address[2 * i] & 0xFF) << 8 | (address[2 * i + 1] & 0xFF);
        }
        if (isIpv4Mapped(groups)) return "::ffff:" + formatIpv4(address, 12);
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < IPV6_GROUPS; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < IPV6_GROUPS && groups[i] == 0) i++;
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < IPV6_GROUPS; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') out.append(':');
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static boolean isIpv4Mapped(int[] groups) {
        for (int i = 0; i < 5; i++) {
            if (groups[i] != 0) return false;
        }
        return groups[5] == 0xffff;
    }
}
