package dev.ferry.overlay.multiaddr;

import static dev.ferry.overlay.multiaddr.MultiaddrFormatException.quote;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.UnsignedVarint;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * One {@code /protocol/value} step of a {@link Multiaddr}, holding the value in its binary form.
 * A component is always valid: the constructor checks the value against its protocol.
 */
public record Component(MultiaddrProtocol protocol, byte[] value) {
    /** A DNS name is at most 255 bytes (RFC 1035 section 2.3.4). */
    public static final int MAX_DNS_NAME_BYTES = 255;
    /** Port numbers are 16 bits. */
    public static final int MAX_PORT = 65535;
    /** PeerId errors repeat their input; a message quotes at most this much of one. */
    private static final int MAX_REASON_LENGTH = 200;

    /**
     * @throws MultiaddrFormatException if {@code value} is not a valid value of {@code protocol}
     */
    public Component {
        if (protocol == null || value == null) throw new MultiaddrFormatException("component needs a protocol and a value");
        value = value.clone();
        if (!protocol.lengthPrefixed() && value.length != protocol.fixedLength()) {
            throw new MultiaddrFormatException("/" + protocol + " value must be " + protocol.fixedLength()
                    + " bytes, got " + value.length);
        }
        switch (protocol) {
            case DNS4, DNS6 -> checkDnsName(protocol, value);
            case P2P -> {
                try {
                    PeerId.fromBytes(value);
                } catch (IllegalArgumentException e) {
                    throw new MultiaddrFormatException("/p2p value is not a PeerId ("
                            + MultiaddrFormatException.escape(String.valueOf(e.getMessage()), MAX_REASON_LENGTH) + ")");
                }
            }
            default -> { }
        }
    }

    /** The component {@code /protocol/valueText}, parsed from its text form. */
    static Component parse(MultiaddrProtocol protocol, String valueText) {
        return switch (protocol) {
            case IP4 -> new Component(protocol, IpLiterals.parseIpv4(valueText).orElseThrow(
                    () -> new MultiaddrFormatException(quote(valueText) + " is not an IPv4 address")));
            case IP6 -> new Component(protocol, IpLiterals.parseIpv6(valueText).orElseThrow(
                    () -> new MultiaddrFormatException(quote(valueText) + " is not an IPv6 address"
                            + (valueText.indexOf('%') >= 0 ? " (zones are not supported)" : ""))));
            case TCP -> new Component(protocol, portBytes(parsePort(valueText).orElseThrow(
                    () -> new MultiaddrFormatException(quote(valueText) + " is not a TCP port (0 to " + MAX_PORT
                            + ", no leading zeros)"))));
            case DNS4, DNS6 -> new Component(protocol, encodeDnsName(protocol, valueText));
            case P2P -> {
                try {
                    yield new Component(protocol, PeerId.parse(valueText).toBytes());
                } catch (IllegalArgumentException e) {
                    throw new MultiaddrFormatException(quote(valueText) + " is not a PeerId ("
                            + MultiaddrFormatException.escape(String.valueOf(e.getMessage()), MAX_REASON_LENGTH) + ")");
                }
            }
        };
    }

    /** The component for a PeerId. */
    public static Component of(PeerId peer) {
        return new Component(MultiaddrProtocol.P2P, peer.toBytes());
    }

    /** The value in its binary form (a copy). */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /**
     * The value in its canonical text form: a dotted quad, RFC 5952 IPv6, a decimal port, the
     * DNS name, or the base58btc PeerId.
     */
    public String valueText() {
        return switch (protocol) {
            case IP4 -> IpLiterals.formatIpv4(value, 0);
            case IP6 -> IpLiterals.formatIpv6(value);
            case TCP -> Integer.toString(port());
            case DNS4, DNS6 -> new String(value, StandardCharsets.UTF_8);
            case P2P -> PeerId.fromBytes(value).toBase58();
        };
    }

    /** The PeerId of a {@code /p2p/} component. */
    Optional<PeerId> peerId() {
        return protocol == MultiaddrProtocol.P2P ? Optional.of(PeerId.fromBytes(value)) : Optional.empty();
    }

    /** The port of a {@code /tcp/} component. */
    int port() {
        return (value[0] & 0xFF) << 8 | (value[1] & 0xFF);
    }

    /** Appends the binary form (code, length if any, value) to {@code out}. */
    void writeTo(ByteBuffer out) {
        out.put(UnsignedVarint.encode(protocol.code()));
        if (protocol.lengthPrefixed()) out.put(UnsignedVarint.encode(value.length));
        out.put(value);
    }

    /** The size of the binary form. */
    int encodedLength() {
        return UnsignedVarint.encodedLength(protocol.code())
                + (protocol.lengthPrefixed() ? UnsignedVarint.encodedLength(value.length) : 0)
                + value.length;
    }

    private static Optional<Integer> parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || (text.length() > 1 && text.charAt(0) == '0')) return Optional.empty();
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return Optional.empty();
            port = port * 10 + (c - '0');
        }
        return port <= MAX_PORT ? Optional.of(port) : Optional.empty();
    }

    static byte[] portBytes(int port) {
        return new byte[] {(byte) (port >> 8), (byte) port};
    }

    private static byte[] encodeDnsName(MultiaddrProtocol protocol, String name) {
        if (name.length() > MAX_DNS_NAME_BYTES) {
            throw new MultiaddrFormatException("/" + protocol + " name is longer than " + MAX_DNS_NAME_BYTES + " bytes");
        }
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(name));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new MultiaddrFormatException(quote(name) + " is not a DNS name (not valid Unicode)");
        }
    }

    /** Non-empty, at most 255 bytes of valid UTF-8, no '/' (it would split the text form), no control characters. */
    private static void checkDnsName(MultiaddrProtocol protocol, byte[] value) {
        if (value.length == 0) throw new MultiaddrFormatException("/" + protocol + " name is empty");
        if (value.length > MAX_DNS_NAME_BYTES) {
            throw new MultiaddrFormatException("/" + protocol + " name is longer than " + MAX_DNS_NAME_BYTES + " bytes");
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MultiaddrFormatException("/" + protocol + " name is not valid UTF-8");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c < 0x20 || c == 0x7f) {
                throw new MultiaddrFormatException(quote(name) + " is not a DNS name (it contains "
                        + (c == '/' ? "'/'" : "a control character") + ")");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Component c && c.protocol == protocol && Arrays.equals(c.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * protocol.code() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "/" + protocol + "/" + valueText();
    }
}
