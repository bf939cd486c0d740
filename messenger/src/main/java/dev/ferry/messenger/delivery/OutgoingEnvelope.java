package dev.ferry.messenger.delivery;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.messenger.proto.DeliveryProto;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.OutboxEntry;
import dev.ferry.store.OutboxState;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A sealed envelope in the sender's outbox: the very bytes pushed on every attempt (a retry never
 * re-encrypts, so the recipient sees one envelope id however often it is pushed).
 *
 * @param recipient the peer it is for (for a group message, the group mailbox's owner)
 * @param header its coded header; also used on the direct path, so both paths share one id
 * @param ciphertext the sealed envelope
 * @param sequence the session's sequence number of the message inside
 * @param queuedAt when the user sent it
 * @param group whether it goes to a group mailbox (stored until expiry; nobody acknowledges it)
 * @param confirmedHolders holders that confirmed a shard, kept so that a restarted sender can ask them
 * @param deliveredDirectly whether the recipient took it directly
 */
public record OutgoingEnvelope(PeerId recipient, EnvelopeHeader header, byte[] ciphertext, long sequence, Instant queuedAt,
        boolean group, List<PeerId> confirmedHolders, boolean deliveredDirectly) {
    /** Checks the fields and copies the arrays. */
    public OutgoingEnvelope {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(queuedAt, "queuedAt");
        ciphertext = ciphertext.clone();
        confirmedHolders = List.copyOf(confirmedHolders);
    }

    /** A new envelope, nothing confirmed yet. */
    public static OutgoingEnvelope queued(PeerId recipient, EnvelopeHeader header, byte[] ciphertext, long sequence,
            Instant queuedAt, boolean group) {
        return new OutgoingEnvelope(recipient, header, ciphertext, sequence, queuedAt, group, List.of(), false);
    }

    /**
     * A new envelope from a sealed one: its header commits to the SHA-256 of each of the k + m
     * shards {@code erasure} gives (the same header serves the direct path, so both share one id).
     */
    public static OutgoingEnvelope coded(PeerId recipient, SealedEnvelope.Sealed sealed, ErasureParameters erasure, long sequence,
            Instant queuedAt, boolean group) {
        EncodedShards shards = ReedSolomonCodec.of(erasure).encode(sealed.ciphertext());
        List<byte[]> hashes = new ArrayList<>(shards.totalShards());
        for (int i = 0; i < shards.totalShards(); i++) hashes.add(shards.shardHash(i));
        EnvelopeHeader header = sealed.codedHeader(erasure.dataShards(), erasure.parityShards(), hashes);
        return queued(recipient, header, sealed.ciphertext(), sequence, queuedAt, group);
    }

    /** The envelope's id. */
    public EnvelopeId id() {
        return EnvelopeId.of(header.envelopeId());
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** This envelope with the holders that confirmed a shard. */
    public OutgoingEnvelope withConfirmedHolders(List<PeerId> holders) {
        return new OutgoingEnvelope(recipient, header, ciphertext, sequence, queuedAt, group, holders, deliveredDirectly);
    }

    /** This envelope, delivered directly. */
    public OutgoingEnvelope asDeliveredDirectly() {
        return new OutgoingEnvelope(recipient, header, ciphertext, sequence, queuedAt, group, confirmedHolders, true);
    }

    /**
     * The outbox entry for this envelope in {@code state}. An acknowledged envelope is never pushed
     * again, so its entry keeps the header but not the ciphertext: the record of a delivered
     * message is a few hundred bytes, however large the message was.
     */
    public OutboxEntry entry(OutboxState state) {
        DeliveryProto.OutboxRecord.Builder record = DeliveryProto.OutboxRecord.newBuilder()
                .setRecipient(ByteString.copyFrom(recipient.toBytes()))
                .setHeader(ByteString.copyFrom(header.encode()))
                .setCiphertext(state == OutboxState.ACKNOWLEDGED ? ByteString.EMPTY : ByteString.copyFrom(ciphertext))
                .setSequence(sequence)
                .setQueuedAtMs(queuedAt.toEpochMilli())
                .setGroup(group)
                .setDeliveredDirectly(deliveredDirectly);
        for (PeerId holder : confirmedHolders) record.addConfirmedHolders(ByteString.copyFrom(holder.toBytes()));
        return new OutboxEntry(id(), state, header.expires(), record.build().toByteArray());
    }

    /**
     * Reads an outbox entry back (not an {@link OutboxState#ACKNOWLEDGED} one: it has no ciphertext).
     *
     * @throws IllegalArgumentException if the entry is not one this class wrote (the store is
     *     this node's own, so that is a bug or a damaged disk, not an attack)
     */
    public static OutgoingEnvelope fromEntry(OutboxEntry entry) {
        try {
            DeliveryProto.OutboxRecord record = DeliveryProto.OutboxRecord.parseFrom(entry.bytes());
            EnvelopeHeader header = EnvelopeHeader.decode(record.getHeader().toByteArray());
            List<PeerId> holders = new ArrayList<>();
            for (ByteString holder : record.getConfirmedHoldersList()) holders.add(PeerId.fromBytes(holder.toByteArray()));
            OutgoingEnvelope envelope = new OutgoingEnvelope(PeerId.fromBytes(record.getRecipient().toByteArray()), header,
                    record.getCiphertext().toByteArray(), record.getSequence(), Instant.ofEpochMilli(record.getQueuedAtMs()),
                    record.getGroup(), holders, record.getDeliveredDirectly());
            if (!envelope.id().equals(entry.envelope())) throw new IllegalArgumentException("outbox entry under another envelope's id");
            return envelope;
        } catch (InvalidProtocolBufferException | EnvelopeException e) {
            throw new IllegalArgumentException("unreadable outbox entry " + entry.envelope() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "OutgoingEnvelope[" + id() + " to " + recipient + ", #" + sequence + (group ? ", group" : "") + "]";
    }
}
