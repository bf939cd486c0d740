package dev.ferry.overlay.multiaddr;

import static dev.ferry.overlay.multiaddr.MultiaddrFormatException.quote;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.UnsignedVarint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable multiaddr (multiformats/multiaddr): a sequence of {@link Component}s such as
 * {@code /ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...}. Two multiaddrs are equal when their binary forms
 * are; the binary form is canonical, since varints must be minimal and values are checked.
 *
 * <p>Text and binary input is bounded ({@link #MAX_BYTES}, {@link #MAX_COMPONENTS}) and parsed
 * without any DNS lookup. Every problem is a {@link MultiaddrFormatException} saying what is wrong.
 */
public final class Multiaddr {
    /**
     * Largest binary form accepted. Real addresses are tens of bytes (a 255-byte DNS name, a port and a
     * PeerId still fit three times over); the cap bounds what a peer's identify message or a peer
     * record can make us store per address.
     */
    public static final int MAX_BYTES = 1024;
    /**
     * Most components accepted. The addresses Ferry dials have three (host, tcp, p2p); the cap
     * leaves room for relayed and encapsulated forms while refusing absurd nesting.
     */
    public static final int MAX_COMPONENTS = 16;
    /**
     * Longest text accepted, checked before any parsing. No text form of a {@link #MAX_BYTES}
     * address is longer: a component's text is at most four times its binary form.
     */
    public static final int MAX_TEXT_LENGTH = 4 * MAX_BYTES;

    private final List<Component> components;
    private final byte[] bytes;
    private final String text;
    private final int hash;

    private Multiaddr(List<Component> components, byte[] bytes) {
        this.components = components;
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
        StringBuilder out = new StringBuilder();
        for (Component component : components) out.append(component);
        this.text = out.toString();
    }

    /**
     * Parses the text form, {@code (/<protocol>/<value>)+}; {@code /ipfs/} is read as {@code /p2p/},
     * a {@code /p2p/} value may be base58btc or a CIDv1, and one trailing {@code /} is ignored.
     *
     * @throws MultiaddrFormatException naming the text and what is wrong with it
     */
    public static Multiaddr parse(String text) {
        Objects.requireNonNull(text, "text");
        try {
            return parseText(text);
        } catch (MultiaddrFormatException e) {
            throw new MultiaddrFormatException("invalid multiaddr " + quote(text) + ": " + e.getMessage());
        }
    }

    private static Multiaddr parseText(String text) {
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new MultiaddrFormatException("longer than " + MAX_TEXT_LENGTH + " characters");
        }
        if (text.isEmpty() || text.equals("/")) throw new MultiaddrFormatException("empty");
        if (text.charAt(0) != '/') throw new MultiaddrFormatException("does not start with '/'");
        int end = text.endsWith("/") ? text.length() - 1 : text.length();
        String[] parts = text.substring(1, end).split("/", -1);
        List<Component> components = new ArrayList<>();
        for (int i = 0; i < parts.length; ) {
            String name = parts[i++];
            if (name.isEmpty()) throw new MultiaddrFormatException("empty protocol name (\"//\")");
            MultiaddrProtocol protocol = MultiaddrProtocol.forText(name)
                    .orElseThrow(() -> new MultiaddrFormatException("unknown protocol " + quote(name)));
            if (i == parts.length) throw new MultiaddrFormatException("missing value for /" + name);
            if (components.size() == MAX_COMPONENTS) throw tooManyComponents();
            components.add(Component.parse(protocol, parts[i++]));
        }
        return encode(components);
    }

    /**
     * Parses the binary form: each component is {@code varint(code)} then its value, fixed-size
     * or {@code varint(length)}-prefixed.
     *
     * @throws MultiaddrFormatException saying what is wrong and at which byte
     */
    public static Multiaddr fromBytes(byte[] bytes) {
        if (bytes.length == 0) throw invalidBytes("empty");
        if (bytes.length > MAX_BYTES) throw invalidBytes(bytes.length + " bytes, longer than " + MAX_BYTES);
        List<Component> components = new ArrayList<>();
        int offset = 0;
        while (offset < bytes.length) {
            if (components.size() == MAX_COMPONENTS) throw invalidBytes(tooManyComponents().getMessage());
            int start = offset;
            UnsignedVarint.Decoded code = readVarint(bytes, offset, "protocol code");
            offset += code.length();
            MultiaddrProtocol protocol = MultiaddrProtocol.forCode(code.value()).orElseThrow(
                    () -> invalidBytes("unknown multiaddr protocol code " + code.value() + " at byte " + start));
            int length;
            if (protocol.lengthPrefixed()) {
                UnsignedVarint.Decoded prefix = readVarint(bytes, offset, "/" + protocol + " value length");
                offset += prefix.length();
                if (prefix.value() > bytes.length - offset) {
                    throw invalidBytes("truncated: /" + protocol + " value of " + prefix.value() + " bytes at byte "
                            + offset + " but only " + (bytes.length - offset) + " left");
                }
                length = (int) prefix.value();
            } else {
                length = protocol.fixedLength();
                if (length > bytes.length - offset) {
                    throw invalidBytes("truncated: /" + protocol + " value needs " + length + " bytes at byte "
                            + offset + " but only " + (bytes.length - offset) + " left");
                }
            }
            try {
                components.add(new Component(protocol, Arrays.copyOfRange(bytes, offset, offset + length)));
            } catch (MultiaddrFormatException e) {
                throw invalidBytes(e.getMessage() + " (at byte " + offset + ")");
            }
            offset += length;
        }
        return new Multiaddr(List.copyOf(components), bytes.clone());
    }

    /**
     * The multiaddr of the given components, in order.
     *
     * @throws MultiaddrFormatException if there are none, or more than the limits allow
     */
    public static Multiaddr of(List<Component> components) {
        if (components.isEmpty()) throw new MultiaddrFormatException("a multiaddr needs at least one component");
        if (components.size() > MAX_COMPONENTS) throw tooManyComponents();
        return encode(components);
    }

    /**
     * {@code /ip4/<ip>/tcp/<port>} or {@code /ip6/<ip>/tcp/<port>} of a resolved socket address.
     * An IPv6 scope (zone) is dropped, since Ferry does not carry {@code /ip6zone}.
     *
     * @throws MultiaddrFormatException if the address is unresolved
     */
    public static Multiaddr fromSocketAddress(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new MultiaddrFormatException("socket address " + quote(address.getHostString()) + " is not resolved");
        }
        MultiaddrProtocol protocol = ip instanceof Inet4Address ? MultiaddrProtocol.IP4 : MultiaddrProtocol.IP6;
        return encode(List.of(
                new Component(protocol, ip.getAddress()),
                new Component(MultiaddrProtocol.TCP, Component.portBytes(address.getPort()))));
    }

    private static Multiaddr encode(List<Component> components) {
        int size = 0;
        for (Component component : components) size += component.encodedLength();
        if (size > MAX_BYTES) {
            throw new MultiaddrFormatException(size + " bytes in binary form, longer than " + MAX_BYTES);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (Component component : components) component.writeTo(out);
        return new Multiaddr(List.copyOf(components), out.array());
    }

    private static UnsignedVarint.Decoded readVarint(byte[] bytes, int offset, String what) {
        try {
            return UnsignedVarint.decode(bytes, offset);
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage().equals("varint is truncated") ? "truncated: " + what + " at byte " + offset
                    : what + " at byte " + offset + ": " + e.getMessage();
            throw invalidBytes(reason);
        }
    }

    private static MultiaddrFormatException invalidBytes(String reason) {
        return new MultiaddrFormatException("invalid binary multiaddr: " + reason);
    }

    private static MultiaddrFormatException tooManyComponents() {
        return new MultiaddrFormatException("more than " + MAX_COMPONENTS + " components");
    }

    /** The binary form (a copy). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The components, in order. */
    public List<Component> components() {
        return components;
    }

    /** The PeerId of a trailing {@code /p2p/} component, if there is one. */
    public Optional<PeerId> peerId() {
        return components.getLast().peerId();
    }

    /**
     * This address without its trailing {@code /p2p/} component; this address if it has none.
     *
     * @throws MultiaddrFormatException if the {@code /p2p/} component is all there is
     */
    public Multiaddr withoutPeerId() {
        if (components.getLast().protocol() != MultiaddrProtocol.P2P) return this;
        if (components.size() == 1) {
            throw new MultiaddrFormatException(text + " has no address besides its /p2p/ component");
        }
        return encode(components.subList(0, components.size() - 1));
    }

    /**
     * This address ending in {@code /p2p/<peer>}: a trailing {@code /p2p/} component is replaced,
     * otherwise one is appended.
     *
     * @throws MultiaddrFormatException if appending would exceed the limits
     */
    public Multiaddr withPeerId(PeerId peer) {
        List<Component> result = new ArrayList<>(withoutPeerIdComponents());
        if (result.size() == MAX_COMPONENTS) throw tooManyComponents();
        result.add(Component.of(peer));
        return encode(result);
    }

    private List<Component> withoutPeerIdComponents() {
        return components.getLast().protocol() == MultiaddrProtocol.P2P
                ? components.subList(0, components.size() - 1)
                : components;
    }

    /**
     * The TCP connection this address describes.
     *
     * @throws MultiaddrFormatException unless the form is {@code /(ip4|ip6|dns4|dns6)/<host>/tcp/<port>},
     *     optionally followed by {@code /p2p/<peer>}
     */
    public TcpTarget tcpTarget() {
        List<Component> path = withoutPeerIdComponents();
        if (path.size() != 2 || !path.get(0).protocol().namesHost() || path.get(1).protocol() != MultiaddrProtocol.TCP) {
            throw new MultiaddrFormatException(text + " is not a TCP address (expected /ip4, /ip6, /dns4 or /dns6,"
                    + " then /tcp/<port>, then optionally /p2p/<peer>)");
        }
        Component host = path.get(0);
        return new TcpTarget(host.valueText(), path.get(1).port(), host.protocol());
    }

    /** The canonical text form. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multiaddr m && m.hash == hash && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
