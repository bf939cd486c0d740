package dev.ferry.dht.message;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One kad-dht message, as an immutable value: one record per message type, holding the fields
 * the spec gives that type in either direction. A request and its response have the same type
 * (the spec's RPCs are "send a message, read one back"), so each type has a {@code request}
 * factory and, where the response carries more, a {@code response} one.
 *
 * <p>Keys are arrays, copied in and out, compared by content, and left out of
 * {@link Object#toString()}. A key may be empty only in a response (go-libp2p leaves it out
 * of FIND_NODE answers); {@link DhtMessages#decodeRequest} requires one.
 */
public sealed interface DhtMessage {
    /** The message type on the wire. */
    MessageType type();

    /** FIND_NODE: the closest peers to {@code key} (usually a binary PeerId, but any key is allowed). */
    record FindNode(byte[] key, List<DhtPeer> closerPeers) implements DhtMessage {
        public FindNode {
            key = checkedKey(key);
            closerPeers = checkedPeers(closerPeers, DhtProtocol.MAX_CLOSER_PEERS, "closer");
        }

        public static FindNode request(byte[] key) {
            return new FindNode(key, List.of());
        }

        public static FindNode response(byte[] key, List<DhtPeer> closerPeers) {
            return new FindNode(key, closerPeers);
        }

        @Override
        public MessageType type() {
            return MessageType.FIND_NODE;
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FindNode m && Arrays.equals(m.key, key) && m.closerPeers.equals(closerPeers);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(key) + closerPeers.hashCode();
        }

        @Override
        public String toString() {
            return "FindNode[key=" + key.length + " bytes, closerPeers=" + closerPeers.size() + "]";
        }
    }

    /** GET_VALUE: the record stored under {@code key}, if the peer has one, and the closest peers to it. */
    record GetValue(byte[] key, Optional<DhtRecord> record, List<DhtPeer> closerPeers) implements DhtMessage {
        public GetValue {
            key = checkedKey(key);
            Objects.requireNonNull(record, "record");
            closerPeers = checkedPeers(closerPeers, DhtProtocol.MAX_CLOSER_PEERS, "closer");
        }

        public static GetValue request(byte[] key) {
            return new GetValue(key, Optional.empty(), List.of());
        }

        public static GetValue response(byte[] key, Optional<DhtRecord> record, List<DhtPeer> closerPeers) {
            return new GetValue(key, record, closerPeers);
        }

        @Override
        public MessageType type() {
            return MessageType.GET_VALUE;
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GetValue m && Arrays.equals(m.key, key) && m.record.equals(record)
                    && m.closerPeers.equals(closerPeers);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(key), record, closerPeers);
        }

        @Override
        public String toString() {
            return "GetValue[key=" + key.length + " bytes, record=" + record.map(DhtRecord::toString).orElse("none")
                    + ", closerPeers=" + closerPeers.size() + "]";
        }
    }

    /**
     * PUT_VALUE: store {@code record} under its key. The message key is the record's, as the
     * spec requires; the response echoes the request.
     */
    record PutValue(DhtRecord record) implements DhtMessage {
        public PutValue {
            Objects.requireNonNull(record, "record");
        }

        public static PutValue request(DhtRecord record) {
            return new PutValue(record);
        }

        /** The message key: the record's. */
        public byte[] key() {
            return record.key();
        }

        @Override
        public MessageType type() {
            return MessageType.PUT_VALUE;
        }
    }

    /**
     * ADD_PROVIDER: the sender provides {@code key} (a multihash, at most
     * {@link DhtProtocol#MAX_PROVIDER_KEY_LENGTH} bytes). {@code providers} should be the sender
     * alone; a receiver records only the entries that are the sender (the spec). No response.
     */
    record AddProvider(byte[] key, List<DhtPeer> providers) implements DhtMessage {
        public AddProvider {
            key = checkedProviderKey(key);
            providers = checkedPeers(providers, DhtProtocol.MAX_PROVIDER_PEERS, "provider");
        }

        public static AddProvider request(byte[] key, List<DhtPeer> providers) {
            return new AddProvider(key, providers);
        }

        @Override
        public MessageType type() {
            return MessageType.ADD_PROVIDER;
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AddProvider m && Arrays.equals(m.key, key) && m.providers.equals(providers);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(key) + providers.hashCode();
        }

        @Override
        public String toString() {
            return "AddProvider[key=" + key.length + " bytes, providers=" + providers.size() + "]";
        }
    }

    /**
     * GET_PROVIDERS: the providers of {@code key} (a multihash, at most
     * {@link DhtProtocol#MAX_PROVIDER_KEY_LENGTH} bytes) the peer knows, and the closest peers to it.
     */
    record GetProviders(byte[] key, List<DhtPeer> providerPeers, List<DhtPeer> closerPeers) implements DhtMessage {
        public GetProviders {
            key = checkedProviderKey(key);
            providerPeers = checkedPeers(providerPeers, DhtProtocol.MAX_PROVIDER_PEERS, "provider");
            closerPeers = checkedPeers(closerPeers, DhtProtocol.MAX_CLOSER_PEERS, "closer");
        }

        public static GetProviders request(byte[] key) {
            return new GetProviders(key, List.of(), List.of());
        }

        public static GetProviders response(byte[] key, List<DhtPeer> providerPeers, List<DhtPeer> closerPeers) {
            return new GetProviders(key, providerPeers, closerPeers);
        }

        @Override
        public MessageType type() {
            return MessageType.GET_PROVIDERS;
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GetProviders m && Arrays.equals(m.key, key) && m.providerPeers.equals(providerPeers)
                    && m.closerPeers.equals(closerPeers);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(key), providerPeers, closerPeers);
        }

        @Override
        public String toString() {
            return "GetProviders[key=" + key.length + " bytes, providerPeers=" + providerPeers.size()
                    + ", closerPeers=" + closerPeers.size() + "]";
        }
    }

    /** PING: deprecated by the spec; answered with PING, never sent by Ferry. */
    record Ping() implements DhtMessage {
        @Override
        public MessageType type() {
            return MessageType.PING;
        }
    }

    private static byte[] checkedKey(byte[] key) {
        if (key.length > DhtProtocol.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key of " + key.length + " bytes, longer than " + DhtProtocol.MAX_KEY_LENGTH);
        }
        return key.clone();
    }

    private static byte[] checkedProviderKey(byte[] key) {
        if (key.length > DhtProtocol.MAX_PROVIDER_KEY_LENGTH) {
            throw new IllegalArgumentException("provider key of " + key.length + " bytes, longer than "
                    + DhtProtocol.MAX_PROVIDER_KEY_LENGTH);
        }
        return key.clone();
    }

    private static List<DhtPeer> checkedPeers(List<DhtPeer> peers, int max, String what) {
        List<DhtPeer> copy = List.copyOf(peers);
        if (copy.size() > max) {
            throw new IllegalArgumentException(copy.size() + " " + what + " peers, more than " + max);
        }
        return copy;
    }
}
