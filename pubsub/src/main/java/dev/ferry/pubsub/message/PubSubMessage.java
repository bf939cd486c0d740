package dev.ferry.pubsub.message;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.proto.RpcProto;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A message published to a topic, the spec's {@code Message}: {@code from}, {@code data},
 * {@code seqno}, {@code topic}, {@code signature}, {@code key}. Every field but the topic may be
 * absent, and absent is kept apart from empty, because the signature covers the protobuf
 * encoding and an empty {@code data} field is part of it (js-libp2p writes one for an empty
 * payload). The topic is never empty: a message without one cannot be routed.
 *
 * <p>Immutable: arrays are copied in and out. {@link #toString()} shows sizes and the author,
 * never the payload or the signature.
 */
public final class PubSubMessage {
    private final byte[] from;
    private final byte[] data;
    private final byte[] seqno;
    private final String topic;
    private final byte[] signature;
    private final byte[] key;

    /** Takes ownership of the arrays; {@code null} means absent. */
    private PubSubMessage(byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) throw new IllegalArgumentException("a message's topic is never empty");
        this.from = from;
        this.data = data;
        this.seqno = seqno;
        this.topic = topic;
        this.signature = signature;
        this.key = key;
    }

    /** A builder for a message on {@code topic}, with every other field absent. */
    public static Builder builder(String topic) {
        return new Builder(topic);
    }

    /** The codec's constructor: the arrays are fresh from the wire and owned by no one else. */
    static PubSubMessage ofWire(byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {
        return new PubSubMessage(from, data, seqno, topic, signature, key);
    }

    /** A builder holding this message's fields, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder(topic);
        b.from = from;
        b.data = data;
        b.seqno = seqno;
        b.signature = signature;
        b.key = key;
        return b;
    }

    /** The author's PeerId bytes, as sent (not checked: see {@link SignaturePolicy#check}). */
    public Optional<byte[]> from() {
        return copy(from);
    }

    /** The payload, empty when absent; {@link #hasData()} tells the two apart. */
    public byte[] data() {
        return data == null ? new byte[0] : data.clone();
    }

    /** A read-only view of the payload, without copying it. */
    public ByteBuffer dataView() {
        return ByteBuffer.wrap(data == null ? new byte[0] : data).asReadOnlyBuffer();
    }

    /** The payload's length in bytes. */
    public int dataLength() {
        return data == null ? 0 : data.length;
    }

    /** True if the {@code data} field is present, even empty. */
    public boolean hasData() {
        return data != null;
    }

    /** The sequence number bytes, as sent (8 bytes big-endian in a valid signed message). */
    public Optional<byte[]> seqno() {
        return copy(seqno);
    }

    public String topic() {
        return topic;
    }

    public Optional<byte[]> signature() {
        return copy(signature);
    }

    /** The protobuf {@code PublicKey} of the author, sent when the PeerId does not inline it. */
    public Optional<byte[]> key() {
        return copy(key);
    }

    /** True if none of the author fields (from, seqno, signature, key) is present. */
    public boolean isAnonymous() {
        return from == null && seqno == null && signature == null && key == null;
    }

    // ---- package-private access without copies, for the codec, signing and ids ----

    byte[] rawFrom() {
        return from;
    }

    byte[] rawData() {
        return data;
    }

    byte[] rawSeqno() {
        return seqno;
    }

    byte[] rawSignature() {
        return signature;
    }

    byte[] rawKey() {
        return key;
    }

    /** The protobuf {@code Message}; with {@code forSigning}, without signature and key. */
    RpcProto.Message toProto(boolean forSigning) {
        RpcProto.Message.Builder out = RpcProto.Message.newBuilder().setTopic(topic);
        if (from != null) out.setFrom(ByteString.copyFrom(from));
        if (data != null) out.setData(ByteString.copyFrom(data));
        if (seqno != null) out.setSeqno(ByteString.copyFrom(seqno));
        if (!forSigning) {
            if (signature != null) out.setSignature(ByteString.copyFrom(signature));
            if (key != null) out.setKey(ByteString.copyFrom(key));
        }
        return out.build();
    }

    private static Optional<byte[]> copy(byte[] field) {
        return field == null ? Optional.empty() : Optional.of(field.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PubSubMessage m
                && topic.equals(m.topic)
                && Arrays.equals(from, m.from)
                && Arrays.equals(data, m.data)
                && Arrays.equals(seqno, m.seqno)
                && Arrays.equals(signature, m.signature)
                && Arrays.equals(key, m.key);
    }

    @Override
    public int hashCode() {
        int h = topic.hashCode();
        for (byte[] field : new byte[][] {from, data, seqno, signature, key}) h = 31 * h + Arrays.hashCode(field);
        return h;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("PubSubMessage[topic=").append(topic);
        if (from != null) out.append(", from=").append(describeFrom(from));
        if (seqno != null) out.append(", seqno=").append(HexFormat.of().formatHex(seqno));
        out.append(", data=").append(data == null ? "absent" : data.length + " bytes");
        if (signature != null) out.append(", signed");
        if (key != null) out.append(", key=").append(key.length).append(" bytes");
        return out.append(']').toString();
    }

    private static String describeFrom(byte[] from) {
        try {
            return PeerId.fromBytes(from).toBase58();
        } catch (IllegalArgumentException e) {
            return "invalid(" + from.length + " bytes)";
        }
    }

    /** Builds a {@link PubSubMessage}; arrays are copied in. Not thread-safe. */
    public static final class Builder {
        private String topic;
        private byte[] from;
        private byte[] data;
        private byte[] seqno;
        private byte[] signature;
        private byte[] key;

        private Builder(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Sets {@code from}; {@code null} makes it absent. */
        public Builder from(byte[] from) {
            this.from = from == null ? null : from.clone();
            return this;
        }

        /** Sets {@code from} to the bytes of {@code peer}. */
        public Builder from(PeerId peer) {
            this.from = peer.toBytes();
            return this;
        }

        /** Sets the payload; {@code null} makes it absent. */
        public Builder data(byte[] data) {
            this.data = data == null ? null : data.clone();
            return this;
        }

        public Builder seqno(byte[] seqno) {
            this.seqno = seqno == null ? null : seqno.clone();
            return this;
        }

        public Builder signature(byte[] signature) {
            this.signature = signature == null ? null : signature.clone();
            return this;
        }

        public Builder key(byte[] key) {
            this.key = key == null ? null : key.clone();
            return this;
        }

        /** The message; the arrays are copied again, so the builder can be reused. */
        public PubSubMessage build() {
            return new PubSubMessage(clone(from), clone(data), clone(seqno), topic, clone(signature), clone(key));
        }

        private static byte[] clone(byte[] field) {
            return field == null ? null : field.clone();
        }
    }
}
