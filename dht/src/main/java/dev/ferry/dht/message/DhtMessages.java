package dev.ferry.dht.message;

import static dev.ferry.overlay.framing.ProtobufWire.LENGTH_DELIMITED;
import static dev.ferry.overlay.framing.ProtobufWire.VARINT;
import static dev.ferry.overlay.framing.ProtobufWire.expect;
import static dev.ferry.overlay.framing.ProtobufWire.length;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DecodeResult.Decoded;
import dev.ferry.dht.message.DecodeResult.Refused;
import dev.ferry.dht.message.DhtMessage.AddProvider;
import dev.ferry.dht.message.DhtMessage.FindNode;
import dev.ferry.dht.message.DhtMessage.GetProviders;
import dev.ferry.dht.message.DhtMessage.GetValue;
import dev.ferry.dht.message.DhtMessage.Ping;
import dev.ferry.dht.message.DhtMessage.PutValue;
import dev.ferry.dht.proto.DhtProto;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.ProtobufWire;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kad-dht message codec: protobuf bytes (without the length prefix) to a {@link DhtMessage}
 * and back. Decoding never throws: it returns a {@link DecodeResult}, either the message with
 * counts of what was dropped from it, or the reason it was refused as a whole.
 *
 * <p>Decoding reads the protobuf directly rather than through the generated parser, so that
 * what a message costs is bounded by the limits of {@link DhtProtocol} and not by its size:
 * peers past {@link DhtProtocol#MAX_CLOSER_PEERS} or {@link DhtProtocol#MAX_PROVIDER_PEERS},
 * and addresses past {@link DhtProtocol#MAX_ADDRESSES_PER_PEER}, are skipped without being
 * read, where the generated parser would build an object for every one of the hundreds of
 * thousands a 4 MiB message can hold. It follows protobuf's rules otherwise (unknown fields
 * skipped, the last of a repeated singular field wins, records merge), and is stricter than
 * protobuf on two points: a known field with the wrong wire type is malformed rather than
 * skipped, and groups, which this protocol never uses, are refused. Encoding uses the classes generated from {@code dht.proto}.
 *
 * <p>Immutable and thread-safe.
 */
public final class DhtMessages {
    private static final byte[] EMPTY = new byte[0];

    private final int maxMessageSize;

    /**
     * @param maxMessageSize the largest message accepted or written, at most
     *     {@link DhtProtocol#MAX_MESSAGE_SIZE}
     */
    public DhtMessages(int maxMessageSize) {
        if (maxMessageSize < 1 || maxMessageSize > DhtProtocol.MAX_MESSAGE_SIZE) {
            throw new IllegalArgumentException("maxMessageSize must be between 1 and " + DhtProtocol.MAX_MESSAGE_SIZE
                    + ", got " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /** A codec with the protocol's limit, {@link DhtProtocol#MAX_MESSAGE_SIZE}. */
    public static DhtMessages withDefaultLimit() {
        return new DhtMessages(DhtProtocol.MAX_MESSAGE_SIZE);
    }

    /** The largest message accepted or written; give the same to the stream's message framing. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Decodes a request a remote peer sent us. Every type but PING must carry a key, and a
     * PUT_VALUE a record with the same key. Fields the spec gives only to responses (closer
     * peers, provider peers except in ADD_PROVIDER, a record except in PUT_VALUE) are dropped
     * from the view; what was wrong in them is still counted.
     */
    public DecodeResult decodeRequest(byte[] bytes) {
        try {
            Wire wire = read(bytes);
            MessageType type = wire.type();
            if (type != MessageType.PING && wire.key.length == 0) {
                throw new Refusing(Refusal.MISSING_KEY, type + " request without a key");
            }
            DhtMessage message = switch (type) {
                case FIND_NODE -> FindNode.request(wire.key);
                case GET_VALUE -> GetValue.request(wire.key);
                case PUT_VALUE -> {
                    DhtRecord record = wire.record().orElseThrow(
                            () -> new Refusing(Refusal.MISSING_RECORD, "PUT_VALUE request without a record"));
                    if (!record.hasKey(wire.key)) {
                        throw new Refusing(Refusal.RECORD_MISMATCH, "PUT_VALUE record key differs from the message key");
                    }
                    yield PutValue.request(record);
                }
                case ADD_PROVIDER -> AddProvider.request(wire.providerKey(), wire.providers.peers);
                case GET_PROVIDERS -> GetProviders.request(wire.providerKey());
                case PING -> new Ping();
            };
            return new Decoded(message, wire.dropped());
        } catch (Refusing e) {
            return e.refused();
        }
    }

    /**
     * Decodes the response to {@code request}. It must have the request's type; a GET_VALUE
     * answer's record must be for the requested key (the spec's value retrieval), and a
     * PUT_VALUE echo must carry the record that was put. The key of a response is not checked:
     * go-libp2p leaves it out of FIND_NODE answers.
     */
    public DecodeResult decodeResponse(byte[] bytes, DhtMessage request) {
        try {
            Wire wire = read(bytes);
            MessageType type = wire.type();
            if (type != request.type()) {
                throw new Refusing(Refusal.UNEXPECTED_TYPE, type + " response to a " + request.type() + " request");
            }
            DhtMessage message = switch (request) {
                case FindNode r -> FindNode.response(wire.key, wire.closer.peers);
                case GetValue r -> {
                    Optional<DhtRecord> record = wire.record();
                    if (record.isPresent() && !record.get().hasKey(r.key())) {
                        throw new Refusing(Refusal.RECORD_MISMATCH, "GET_VALUE answer holds a record for another key");
                    }
                    yield GetValue.response(wire.key, record, wire.closer.peers);
                }
                case PutValue r -> {
                    DhtRecord record = wire.record().orElseThrow(
                            () -> new Refusing(Refusal.MISSING_RECORD, "PUT_VALUE echo without a record"));
                    if (!record.sameContent(r.record())) {
                        throw new Refusing(Refusal.RECORD_MISMATCH, "PUT_VALUE echo holds another record than was put");
                    }
                    yield PutValue.request(record);
                }
                case AddProvider r -> AddProvider.request(wire.providerKey(), wire.providers.peers);
                case GetProviders r -> GetProviders.response(wire.providerKey(), wire.providers.peers, wire.closer.peers);
                case Ping r -> new Ping();
            };
            return new Decoded(message, wire.dropped());
        } catch (Refusing e) {
            return e.refused();
        }
    }

    /**
     * The protobuf encoding of {@code message}, without length prefix.
     *
     * @throws IllegalArgumentException if it is longer than {@link #maxMessageSize()} (a record
     *     value too large to send)
     */
    public byte[] encode(DhtMessage message) {
        DhtProto.Message.Builder out = DhtProto.Message.newBuilder().setTypeValue(message.type().number());
        switch (message) {
            case FindNode m -> {
                out.setKey(ByteString.copyFrom(m.key()));
                m.closerPeers().forEach(p -> out.addCloserPeers(toProto(p)));
            }
            case GetValue m -> {
                out.setKey(ByteString.copyFrom(m.key()));
                m.record().ifPresent(r -> out.setRecord(toProto(r)));
                m.closerPeers().forEach(p -> out.addCloserPeers(toProto(p)));
            }
            case PutValue m -> out.setKey(ByteString.copyFrom(m.key())).setRecord(toProto(m.record()));
            case AddProvider m -> {
                out.setKey(ByteString.copyFrom(m.key()));
                m.providers().forEach(p -> out.addProviderPeers(toProto(p)));
            }
            case GetProviders m -> {
                out.setKey(ByteString.copyFrom(m.key()));
                m.providerPeers().forEach(p -> out.addProviderPeers(toProto(p)));
                m.closerPeers().forEach(p -> out.addCloserPeers(toProto(p)));
            }
            case Ping m -> { }
        }
        byte[] bytes = out.build().toByteArray();
        if (bytes.length > maxMessageSize) {
            throw new IllegalArgumentException(message.type() + " message of " + bytes.length
                    + " bytes exceeds the limit of " + maxMessageSize);
        }
        return bytes;
    }

    /** {@link #encode} with its unsigned-varint length prefix, ready to write to a stream. */
    public ByteBuf frame(ByteBufAllocator alloc, DhtMessage message) {
        return LengthPrefixed.encode(alloc, encode(message));
    }

    private static DhtProto.Message.Peer toProto(DhtPeer peer) {
        DhtProto.Message.Peer.Builder out = DhtProto.Message.Peer.newBuilder()
                .setId(ByteString.copyFrom(peer.id().toBytes()))
                .setConnectionValue(peer.connection().number());
        peer.addresses().forEach(a -> out.addAddrs(ByteString.copyFrom(a.toBytes())));
        return out.build();
    }

    private static DhtProto.Record toProto(DhtRecord record) {
        return DhtProto.Record.newBuilder()
                .setKey(ByteString.copyFrom(record.key()))
                .setValue(ByteString.copyFrom(record.value()))
                .setTimeReceived(record.timeReceived())
                .build();
    }

    // ---- reading ----

    private Wire read(byte[] bytes) throws Refusing {
        if (bytes.length > maxMessageSize) {
            throw new Refusing(Refusal.TOO_LARGE, "message of " + bytes.length + " bytes exceeds the limit of "
                    + maxMessageSize);
        }
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Wire wire = new Wire();
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag >>> 3) {
                    case 1 -> {
                        expect(tag, VARINT, "type");
                        wire.type = in.readEnum();
                    }
                    case 2 -> {
                        expect(tag, LENGTH_DELIMITED, "key");
                        wire.key = readKey(in, "message key");
                    }
                    case 3 -> {
                        expect(tag, LENGTH_DELIMITED, "record");
                        readRecord(in, wire);
                    }
                    case 8 -> {
                        expect(tag, LENGTH_DELIMITED, "closerPeers");
                        readPeer(in, wire.closer, wire);
                    }
                    case 9 -> {
                        expect(tag, LENGTH_DELIMITED, "providerPeers");
                        readPeer(in, wire.providers, wire);
                    }
                    case 10 -> {
                        expect(tag, VARINT, "clusterLevelRaw");
                        in.readInt32();
                    }
                    default -> skip(in, tag);
                }
            }
        } catch (IOException e) {
            throw new Refusing(Refusal.MALFORMED, "not a kad-dht message: " + e.getMessage());
        }
        return wire;
    }

    private static void readRecord(CodedInputStream in, Wire wire) throws IOException, Refusing {
        int oldLimit = in.pushLimit(length(in));
        wire.hasRecord = true;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, LENGTH_DELIMITED, "record key");
                    wire.recordKey = readKey(in, "record key");
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "record value");
                    wire.recordValue = in.readRawBytes(length(in));
                }
                case 5 -> {
                    expect(tag, LENGTH_DELIMITED, "record timeReceived");
                    wire.timeReceived = readTimeReceived(in);
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
    }

    /** The text if it is short enough to keep, or empty; refuses what is not UTF-8, as protobuf does. */
    private static String readTimeReceived(CodedInputStream in) throws IOException {
        byte[] raw = in.readRawBytes(length(in));
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidProtocolBufferException("record timeReceived is not UTF-8");
        }
        return text.length() <= DhtProtocol.MAX_TIME_RECEIVED_LENGTH ? text : "";
    }

    private static void readPeer(CodedInputStream in, PeerList list, Wire wire) throws IOException {
        int length = length(in);
        if (list.seen++ >= list.max) {
            in.skipRawBytes(length);
            wire.excessPeers++;
            return;
        }
        int oldLimit = in.pushLimit(length);
        byte[] id = EMPTY;
        boolean idTooLong = false;
        List<byte[]> rawAddresses = new ArrayList<>();
        int addressesSeen = 0;
        int invalidAddresses = 0;
        int excessAddresses = 0;
        int connection = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, LENGTH_DELIMITED, "peer id");
                    int idLength = length(in);
                    idTooLong = idLength > DhtProtocol.MAX_PEER_ID_LENGTH;
                    if (idTooLong) {
                        in.skipRawBytes(idLength);
                    } else {
                        id = in.readRawBytes(idLength);
                    }
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "peer addrs");
                    int addressLength = length(in);
                    if (addressesSeen++ >= DhtProtocol.MAX_ADDRESSES_PER_PEER) {
                        in.skipRawBytes(addressLength);
                        excessAddresses++;
                    } else if (addressLength > Multiaddr.MAX_BYTES) {
                        in.skipRawBytes(addressLength);
                        invalidAddresses++;
                    } else {
                        rawAddresses.add(in.readRawBytes(addressLength));
                    }
                }
                case 3 -> {
                    expect(tag, VARINT, "peer connection");
                    connection = in.readEnum();
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);

        PeerId peer;
        try {
            if (idTooLong) throw new IllegalArgumentException("longer than any PeerId");
            peer = PeerId.fromBytes(id);
        } catch (IllegalArgumentException e) {
            wire.invalidPeerIds++;
            return;
        }
        if (!list.ids.add(peer)) {
            wire.duplicatePeers++;
            return;
        }
        List<Multiaddr> addresses = new ArrayList<>(rawAddresses.size());
        for (byte[] raw : rawAddresses) {
            try {
                Multiaddr address = Multiaddr.fromBytes(raw);
                if (DhtPeer.namesAnotherPeer(peer, address)) {
                    invalidAddresses++;
                } else {
                    addresses.add(address);
                }
            } catch (IllegalArgumentException e) {
                invalidAddresses++;
            }
        }
        wire.invalidAddresses += invalidAddresses;
        wire.excessAddresses += excessAddresses;
        list.peers.add(new DhtPeer(peer, addresses, ConnectionType.forNumber(connection)));
    }

    private static byte[] readKey(CodedInputStream in, String what) throws IOException, Refusing {
        int length = length(in);
        if (length > DhtProtocol.MAX_KEY_LENGTH) {
            throw new Refusing(Refusal.KEY_TOO_LONG, what + " of " + length + " bytes, longer than "
                    + DhtProtocol.MAX_KEY_LENGTH);
        }
        return in.readRawBytes(length);
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        ProtobufWire.skip(in, tag, "kad-dht");
    }

    /** The peers read into one list, and how many entries the message had for it. */
    private static final class PeerList {
        final int max;
        final List<DhtPeer> peers = new ArrayList<>();
        final Set<PeerId> ids = new HashSet<>();
        int seen;

        PeerList(int max) {
            this.max = max;
        }
    }

    /** The fields of a message as read, before they are checked against its type. */
    private static final class Wire {
        int type;
        byte[] key = EMPTY;
        boolean hasRecord;
        byte[] recordKey = EMPTY;
        byte[] recordValue = EMPTY;
        String timeReceived = "";
        final PeerList closer = new PeerList(DhtProtocol.MAX_CLOSER_PEERS);
        final PeerList providers = new PeerList(DhtProtocol.MAX_PROVIDER_PEERS);
        int excessPeers;
        int invalidPeerIds;
        int duplicatePeers;
        int invalidAddresses;
        int excessAddresses;

        MessageType type() throws Refusing {
            return MessageType.forNumber(type)
                    .orElseThrow(() -> new Refusing(Refusal.UNKNOWN_TYPE, "unknown message type " + type));
        }

        /** The key, if it is short enough for a provider key. */
        byte[] providerKey() throws Refusing {
            if (key.length > DhtProtocol.MAX_PROVIDER_KEY_LENGTH) {
                throw new Refusing(Refusal.KEY_TOO_LONG, "provider key of " + key.length + " bytes, longer than "
                        + DhtProtocol.MAX_PROVIDER_KEY_LENGTH);
            }
            return key;
        }

        Optional<DhtRecord> record() {
            return hasRecord ? Optional.of(new DhtRecord(recordKey, recordValue, timeReceived)) : Optional.empty();
        }

        Dropped dropped() {
            return new Dropped(excessPeers, invalidPeerIds, duplicatePeers, invalidAddresses, excessAddresses);
        }
    }

    /** Carries a refusal out of the reading code; never leaves this class. */
    private static final class Refusing extends Exception {
        private final Refusal reason;

        Refusing(Refusal reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        Refused refused() {
            return new Refused(reason, getMessage());
        }
    }
}
