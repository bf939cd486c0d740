package dev.ferry.pubsub.message;

import static dev.ferry.overlay.framing.ProtobufWire.LENGTH_DELIMITED;
import static dev.ferry.overlay.framing.ProtobufWire.VARINT;
import static dev.ferry.overlay.framing.ProtobufWire.expect;
import static dev.ferry.overlay.framing.ProtobufWire.length;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.ProtobufWire;
import dev.ferry.pubsub.message.Rpc.Control;
import dev.ferry.pubsub.message.Rpc.Graft;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.IWant;
import dev.ferry.pubsub.message.Rpc.PeerExchange;
import dev.ferry.pubsub.message.Rpc.Prune;
import dev.ferry.pubsub.message.Rpc.Subscription;
import dev.ferry.pubsub.message.RpcDecodeResult.Decoded;
import dev.ferry.pubsub.message.RpcDecodeResult.Refused;
import dev.ferry.pubsub.proto.RpcProto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The pubsub RPC codec: protobuf bytes (without the length prefix) to an {@link Rpc} and back.
 * Decoding never throws: it returns an {@link RpcDecodeResult}, either the RPC with counts of
 * what was dropped from it ({@link RpcDropped}), or the reason it was refused as a whole.
 *
 * <p>Decoding reads the protobuf directly rather than through the generated parser, so that
 * what an RPC costs is bounded by {@link RpcLimits} and not by its size: entries past a count
 * limit, payloads past the size limit and over-long topics and ids are skipped without being
 * read, where the generated parser would build an object for each of the hundreds of thousands
 * of tiny entries a 1 MiB RPC can hold. It follows protobuf's rules otherwise (unknown fields
 * skipped, such as GossipSub v1.2's IDONTWANT; the last of a repeated singular field wins;
 * repeated control messages merge), and is stricter on three points: a known field with the
 * wrong wire type is malformed rather than skipped, groups are malformed, and a topic must be
 * valid UTF-8 (proto2 Java would not check). An entry that is dropped is not looked into, so
 * what is wrong inside it goes unnoticed. Encoding uses the classes generated from
 * {@code rpc.proto}; fields come out in field-number order, as go and js write them.
 *
 * <p>Immutable and thread-safe.
 */
public final class RpcCodec {

    /**
     * Longest peer id read from a peer exchange: the identity multihash of the longest key a
     * PeerId inlines (two bytes of header, then at most 42). A sha2-256 PeerId is 34 bytes.
     */
    private static final int MAX_PEER_ID_LENGTH = 2 + PeerId.MAX_INLINE_KEY_LENGTH;

    private final RpcLimits limits;

    public RpcCodec(RpcLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** A codec with {@link RpcLimits#DEFAULTS}. */
    public static RpcCodec withDefaultLimits() {
        return new RpcCodec(RpcLimits.DEFAULTS);
    }

    public RpcLimits limits() {
        return limits;
    }

    /** The largest RPC accepted or written; give the same to the stream's frame reader. */
    public int maxRpcBytes() {
        return limits.maxRpcBytes();
    }

    /** Decodes an RPC a remote peer sent. Never throws for any input. */
    public RpcDecodeResult decode(byte[] bytes) {
        if (bytes.length > limits.maxRpcBytes()) {
            return new Refused(RpcRefusal.TOO_LARGE, "RPC of " + bytes.length + " bytes exceeds the limit of "
                    + limits.maxRpcBytes());
        }
        Reading reading = new Reading();
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag >>> 3) {
                    case 1 -> {
                        expect(tag, LENGTH_DELIMITED, "subscriptions");
                        readSubscription(in, reading);
                    }
                    case 2 -> {
                        expect(tag, LENGTH_DELIMITED, "publish");
                        readMessage(in, reading);
                    }
                    case 3 -> {
                        expect(tag, LENGTH_DELIMITED, "control");
                        readControl(in, reading);
                    }
                    default -> skip(in, tag);
                }
            }
        } catch (InvalidUtf8 e) {
            return new Refused(RpcRefusal.INVALID_UTF8, e.getMessage());
        } catch (IOException e) {
            return new Refused(RpcRefusal.MALFORMED, "not a pubsub RPC: " + e.getMessage());
        }
        return new Decoded(reading.rpc(), reading.dropped());
    }

    /**
     * The protobuf encoding of {@code rpc}, without length prefix.
     *
     * @throws IllegalArgumentException if it is longer than {@link #maxRpcBytes()}: the caller
     *     must split what it sends (a peer would refuse the RPC)
     */
    public byte[] encode(Rpc rpc) {
        RpcProto.RPC proto = toProto(rpc);
        int size = proto.getSerializedSize();
        if (size > limits.maxRpcBytes()) {
            throw new IllegalArgumentException("RPC of " + size + " bytes exceeds the limit of " + limits.maxRpcBytes());
        }
        return proto.toByteArray();
    }

    /** The length {@link #encode} would give {@code rpc}, to split what is sent without encoding twice. */
    public int encodedSize(Rpc rpc) {
        return toProto(rpc).getSerializedSize();
    }

    /** {@link #encode} with its unsigned-varint length prefix, ready to write to a stream. */
    public ByteBuf frame(ByteBufAllocator alloc, Rpc rpc) {
        return LengthPrefixed.encode(alloc, encode(rpc));
    }

    // ---- writing ----

    private static RpcProto.RPC toProto(Rpc rpc) {
        RpcProto.RPC.Builder out = RpcProto.RPC.newBuilder();
        for (Subscription s : rpc.subscriptions()) {
            out.addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(s.subscribe()).setTopicid(s.topic()));
        }
        for (PubSubMessage m : rpc.messages()) out.addPublish(m.toProto(false));
        if (!rpc.control().isEmpty()) out.setControl(toProto(rpc.control()));
        return out.build();
    }

    private static RpcProto.ControlMessage toProto(Control control) {
        RpcProto.ControlMessage.Builder out = RpcProto.ControlMessage.newBuilder();
        for (IHave ihave : control.ihave()) {
            RpcProto.ControlIHave.Builder entry = RpcProto.ControlIHave.newBuilder().setTopicID(ihave.topic());
            ihave.messageIds().forEach(id -> entry.addMessageIDs(ByteString.copyFrom(id.bytes())));
            out.addIhave(entry);
        }
        for (IWant iwant : control.iwant()) {
            RpcProto.ControlIWant.Builder entry = RpcProto.ControlIWant.newBuilder();
            iwant.messageIds().forEach(id -> entry.addMessageIDs(ByteString.copyFrom(id.bytes())));
            out.addIwant(entry);
        }
        for (Graft graft : control.graft()) out.addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(graft.topic()));
        for (Prune prune : control.prune()) {
            RpcProto.ControlPrune.Builder entry = RpcProto.ControlPrune.newBuilder().setTopicID(prune.topic());
            for (PeerExchange peer : prune.peers()) {
                RpcProto.PeerInfo.Builder info = RpcProto.PeerInfo.newBuilder()
                        .setPeerID(ByteString.copyFrom(peer.peerId().toBytes()));
                byte[] record = peer.rawSignedPeerRecord();
                if (record != null) info.setSignedPeerRecord(ByteString.copyFrom(record));
                entry.addPeers(info);
            }
            prune.backoffSeconds().ifPresent(entry::setBackoff);
            out.addPrune(entry);
        }
        return out.build();
    }

    // ---- reading ----

    private void readSubscription(CodedInputStream in, Reading reading) throws IOException {
        int length = length(in);
        if (reading.subscriptionsSeen++ >= limits.maxSubscriptions()) {
            in.skipRawBytes(length);
            reading.excessSubscriptions++;
            return;
        }
        int oldLimit = in.pushLimit(length);
        boolean subscribe = false;
        Topic topic = new Topic();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, VARINT, "subscribe");
                    subscribe = in.readBool();
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "topicid");
                    readTopic(in, topic);
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        if (reading.keep(topic)) reading.subscriptions.add(new Subscription(subscribe, topic.value));
    }

    private void readMessage(CodedInputStream in, Reading reading) throws IOException {
        int length = length(in);
        if (reading.messagesSeen++ >= limits.maxMessages()) {
            in.skipRawBytes(length);
            reading.excessMessages++;
            return;
        }
        int oldLimit = in.pushLimit(length);
        byte[] from = null;
        byte[] data = null;
        byte[] seqno = null;
        byte[] signature = null;
        byte[] key = null;
        boolean oversize = false;
        Topic topic = new Topic();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, LENGTH_DELIMITED, "from");
                    from = in.readRawBytes(length(in));
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "data");
                    int dataLength = length(in);
                    if (dataLength > limits.maxMessageDataBytes()) {
                        in.skipRawBytes(dataLength);
                        oversize = true;
                    } else {
                        data = in.readRawBytes(dataLength);
                    }
                }
                case 3 -> {
                    expect(tag, LENGTH_DELIMITED, "seqno");
                    seqno = in.readRawBytes(length(in));
                }
                case 4 -> {
                    expect(tag, LENGTH_DELIMITED, "topic");
                    readTopic(in, topic);
                }
                case 5 -> {
                    expect(tag, LENGTH_DELIMITED, "signature");
                    signature = in.readRawBytes(length(in));
                }
                case 6 -> {
                    expect(tag, LENGTH_DELIMITED, "key");
                    key = in.readRawBytes(length(in));
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        if (oversize) {
            reading.oversizeMessages++;
        } else if (reading.keep(topic)) {
            reading.messages.add(PubSubMessage.ofWire(from, data, seqno, topic.value, signature, key));
        }
    }

    private void readControl(CodedInputStream in, Reading reading) throws IOException {
        int oldLimit = in.pushLimit(length(in));
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, LENGTH_DELIMITED, "ihave");
                    readIHave(in, reading);
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "iwant");
                    readIWant(in, reading);
                }
                case 3 -> {
                    expect(tag, LENGTH_DELIMITED, "graft");
                    readGraft(in, reading);
                }
                case 4 -> {
                    expect(tag, LENGTH_DELIMITED, "prune");
                    readPrune(in, reading);
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
    }

    private void readIHave(CodedInputStream in, Reading reading) throws IOException {
        int length = length(in);
        if (reading.ihavesSeen++ >= limits.maxIHaves()) {
            in.skipRawBytes(length);
            reading.excessIHaves++;
            return;
        }
        int oldLimit = in.pushLimit(length);
        Topic topic = new Topic();
        List<MessageId> ids = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, LENGTH_DELIMITED, "ihave topicID");
                    readTopic(in, topic);
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "ihave messageIDs");
                    int idLength = length(in);
                    if (reading.ihaveIds >= limits.maxIHaveIds()) {
                        in.skipRawBytes(idLength);
                        reading.excessIHaveIds++;
                    } else {
                        MessageId id = readMessageId(in, idLength, reading);
                        if (id != null) {
                            ids.add(id);
                            reading.ihaveIds++;
                        }
                    }
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        if (reading.keep(topic)) reading.ihave.add(new IHave(topic.value, ids));
    }

    private void readIWant(CodedInputStream in, Reading reading) throws IOException {
        int length = length(in);
        if (reading.iwantsSeen++ >= limits.maxIWants()) {
            in.skipRawBytes(length);
            reading.excessIWants++;
            return;
        }
        int oldLimit = in.pushLimit(length);
        List<MessageId> ids = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag >>> 3 == 1) {
                expect(tag, LENGTH_DELIMITED, "iwant messageIDs");
                int idLength = length(in);
                if (reading.iwantIds >= limits.maxIWantIds()) {
                    in.skipRawBytes(idLength);
                    reading.excessIWantIds++;
                } else {
                    MessageId id = readMessageId(in, idLength, reading);
                    if (id != null) {
                        ids.add(id);
                        reading.iwantIds++;
                    }
                }
            } else {
                skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        reading.iwant.add(new IWant(ids));
    }

    private void readGraft(CodedInputStream in, Reading reading) throws IOException {
        int length = length(in);
        if (reading.graftsSeen++ >= limits.maxGrafts()) {
            in.skipRawBytes(length);
            reading.excessGrafts++;
            return;
        }
        int oldLimit = in.pushLimit(length);
        Topic topic = new Topic();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag >>> 3 == 1) {
                expect(tag, LENGTH_DELIMITED, "graft topicID");
                readTopic(in, topic);
            } else {
                skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        if (reading.keep(topic)) reading.graft.add(new Graft(topic.value));
    }

    private void readPrune(CodedInputStream in, Reading reading) throws IOException {
        int length = length(in);
        if (reading.prunesSeen++ >= limits.maxPrunes()) {
            in.skipRawBytes(length);
            reading.excessPrunes++;
            return;
        }
        int oldLimit = in.pushLimit(length);
        Topic topic = new Topic();
        List<PeerExchange> peers = new ArrayList<>();
        int peersSeen = 0;
        OptionalLong backoff = OptionalLong.empty();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, LENGTH_DELIMITED, "prune topicID");
                    readTopic(in, topic);
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "prune peers");
                    int peerLength = length(in);
                    if (peersSeen++ >= limits.maxPeersPerPrune()) {
                        in.skipRawBytes(peerLength);
                        reading.excessPeerExchange++;
                    } else {
                        PeerExchange peer = readPeerInfo(in, peerLength, reading);
                        if (peer != null) peers.add(peer);
                    }
                }
                case 3 -> {
                    expect(tag, VARINT, "prune backoff");
                    long seconds = in.readRawVarint64();
                    // uint64 on the wire; anything past 2^63 - 1 seconds is "forever" all the same
                    backoff = OptionalLong.of(seconds < 0 ? Long.MAX_VALUE : seconds);
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        if (reading.keep(topic)) {
            reading.prune.add(new Prune(topic.value, peers, backoff));
        }
    }

    /** A peer-exchange entry, or null if it has no valid PeerId (counted). */
    private PeerExchange readPeerInfo(CodedInputStream in, int length, Reading reading) throws IOException {
        int oldLimit = in.pushLimit(length);
        byte[] id = null;
        byte[] record = null;
        boolean oversizeRecord = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    expect(tag, LENGTH_DELIMITED, "peerID");
                    int idLength = length(in);
                    if (idLength > MAX_PEER_ID_LENGTH) {
                        in.skipRawBytes(idLength);
                        id = null;
                    } else {
                        id = in.readRawBytes(idLength);
                    }
                }
                case 2 -> {
                    expect(tag, LENGTH_DELIMITED, "signedPeerRecord");
                    int recordLength = length(in);
                    if (recordLength > limits.maxSignedPeerRecordBytes()) {
                        in.skipRawBytes(recordLength);
                        record = null;
                        oversizeRecord = true;
                    } else {
                        record = in.readRawBytes(recordLength);
                        oversizeRecord = false;
                    }
                }
                default -> skip(in, tag);
            }
        }
        in.popLimit(oldLimit);
        PeerId peer;
        try {
            if (id == null) throw new IllegalArgumentException("no peer id");
            peer = PeerId.fromBytes(id);
        } catch (IllegalArgumentException e) {
            reading.invalidPeerExchange++;
            return null;
        }
        if (oversizeRecord) reading.oversizePeerRecords++;
        return PeerExchange.ofWire(peer, record);
    }

    /** The id of {@code length} bytes, or null if it is empty or too long (skipped and counted). */
    private MessageId readMessageId(CodedInputStream in, int length, Reading reading) throws IOException {
        if (length == 0 || length > limits.maxMessageIdLength()) {
            in.skipRawBytes(length);
            reading.invalidMessageIds++;
            return null;
        }
        return MessageId.wrap(in.readRawBytes(length));
    }

    /** Reads a topic field into {@code topic}; the last one wins, as protobuf has it. */
    private void readTopic(CodedInputStream in, Topic topic) throws IOException {
        int length = length(in);
        if (length > limits.maxTopicLength()) {
            in.skipRawBytes(length);
            topic.value = null;
            topic.tooLong = true;
            return;
        }
        byte[] raw = in.readRawBytes(length);
        try {
            topic.value = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
            topic.tooLong = false;
        } catch (CharacterCodingException e) {
            throw new InvalidUtf8("a topic of " + length + " bytes is not valid UTF-8");
        }
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        ProtobufWire.skip(in, tag, "pubsub");
    }

    /** A topic field as read: its text, or that it was too long to read. */
    private static final class Topic {
        String value;
        boolean tooLong;
    }

    /** Everything read so far, and how much was left out. */
    private static final class Reading {
        final List<Subscription> subscriptions = new ArrayList<>();
        final List<PubSubMessage> messages = new ArrayList<>();
        final List<IHave> ihave = new ArrayList<>();
        final List<IWant> iwant = new ArrayList<>();
        final List<Graft> graft = new ArrayList<>();
        final List<Prune> prune = new ArrayList<>();
        int subscriptionsSeen;
        int messagesSeen;
        int ihavesSeen;
        int iwantsSeen;
        int graftsSeen;
        int prunesSeen;
        int ihaveIds;
        int iwantIds;

        int excessSubscriptions;
        int excessMessages;
        int oversizeMessages;
        int excessIHaves;
        int excessIHaveIds;
        int excessIWants;
        int excessIWantIds;
        int excessGrafts;
        int excessPrunes;
        int excessPeerExchange;
        int invalidMessageIds;
        int invalidPeerExchange;
        int oversizePeerRecords;
        int missingTopics;
        int longTopics;

        /** True if an entry with {@code topic} may be kept; counts it if not. */
        boolean keep(Topic topic) {
            if (topic.tooLong) {
                longTopics++;
                return false;
            }
            if (topic.value == null || topic.value.isEmpty()) {
                missingTopics++;
                return false;
            }
            return true;
        }

        Rpc rpc() {
            return new Rpc(subscriptions, messages, new Control(ihave, iwant, graft, prune));
        }

        RpcDropped dropped() {
            return new RpcDropped(excessSubscriptions, excessMessages, oversizeMessages, excessIHaves, excessIHaveIds,
                    excessIWants, excessIWantIds, excessGrafts, excessPrunes, excessPeerExchange, invalidMessageIds,
                    invalidPeerExchange, oversizePeerRecords, missingTopics, longTopics);
        }
    }

    /** A topic that is not UTF-8; carries the refusal out of the reading code, never leaves this class. */
    private static final class InvalidUtf8 extends IOException {
        InvalidUtf8(String detail) {
            super(detail);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a refusal, not a bug: no stack trace to pay for
        }
    }
}
