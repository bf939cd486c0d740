package dev.ferry.crypto.envelope;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.proto.EnvelopeProto;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Everything relays see of an envelope besides its ciphertext: the mailbox key, created and expiry
 * times (millisecond precision), the ACK hash, the erasure code's k data and m parity shards, the
 * ciphertext's length and SHA-256, and the SHA-256 of each shard (supplied by the caller, who ran
 * the coder; the direct path has k = 1, m = 0 and the single shard is the whole ciphertext).
 *
 * <p>The {@link #envelopeId() envelope id} is SHA-256 over a domain-separated, fixed-width
 * encoding of all of these fields, so changing any of them changes the id. {@link #decode}
 * recomputes the id and refuses an encoding whose carried id differs. The constructor checks
 * sizes and that expiry is after creation by at most {@link EnvelopeLimits#MAX_TTL}. The id is
 * computed once, when the header is made: equality, hashing and every lookup by id use it.
 * Immutable; the accessors return copies.
 */
public final class EnvelopeHeader {
    /** Envelope ids are SHA-256 outputs. */
    public static final int ID_LENGTH = Sha256.LENGTH;
    /** Every hash in the header is a SHA-256. */
    public static final int HASH_LENGTH = Sha256.LENGTH;

    private static final byte[] ID_LABEL = "ferry/envelope/v1/id".getBytes(StandardCharsets.US_ASCII);

    private final byte[] mailbox;
    private final Instant created;
    private final Instant expires;
    private final byte[] ackHash;
    private final int dataShards;
    private final int parityShards;
    private final long ciphertextLength;
    private final byte[] ciphertextHash;
    private final List<byte[]> shardHashes;
    private final byte[] envelopeId;

    /** A header of these fields; see the class comment for the checks. */
    public EnvelopeHeader(byte[] mailbox, Instant created, Instant expires, byte[] ackHash, int dataShards, int parityShards,
            long ciphertextLength, byte[] ciphertextHash, List<byte[]> shardHashes) {
        checkLength("mailbox key", mailbox, Mailbox.KEY_LENGTH);
        checkLength("ACK hash", ackHash, HASH_LENGTH);
        checkLength("ciphertext hash", ciphertextHash, HASH_LENGTH);
        created = created.truncatedTo(ChronoUnit.MILLIS);
        expires = expires.truncatedTo(ChronoUnit.MILLIS);
        if (created.isBefore(Instant.EPOCH)) throw new IllegalArgumentException("created before 1970");
        if (!expires.isAfter(created)) throw new IllegalArgumentException("expiry must be after creation");
        if (Duration.between(created, expires).compareTo(EnvelopeLimits.MAX_TTL) > 0) {
            throw new IllegalArgumentException("expiry is more than " + EnvelopeLimits.MAX_TTL + " after creation");
        }
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > EnvelopeLimits.MAX_TOTAL_SHARDS) {
            throw new IllegalArgumentException("k must be >= 1, m >= 0 and k + m <= " + EnvelopeLimits.MAX_TOTAL_SHARDS);
        }
        if (ciphertextLength < SealedEnvelope.OVERHEAD || ciphertextLength > EnvelopeLimits.MAX_CIPHERTEXT_LENGTH) {
            throw new IllegalArgumentException("ciphertext length must be " + SealedEnvelope.OVERHEAD + ".." + EnvelopeLimits.MAX_CIPHERTEXT_LENGTH);
        }
        if (shardHashes.size() != dataShards + parityShards) {
            throw new IllegalArgumentException("there must be one shard hash per shard (k + m)");
        }
        List<byte[]> copies = new ArrayList<>(shardHashes.size());
        for (byte[] shardHash : shardHashes) {
            checkLength("shard hash", shardHash, HASH_LENGTH);
            copies.add(shardHash.clone());
        }
        this.mailbox = mailbox.clone();
        this.created = created;
        this.expires = expires;
        this.ackHash = ackHash.clone();
        this.dataShards = dataShards;
        this.parityShards = parityShards;
        this.ciphertextLength = ciphertextLength;
        this.ciphertextHash = ciphertextHash.clone();
        this.shardHashes = List.copyOf(copies);
        this.envelopeId = computeId();
    }

    /** The header of an envelope delivered whole (k = 1, m = 0: the one shard is the ciphertext). */
    public static EnvelopeHeader direct(byte[] mailbox, Instant created, Instant expires, byte[] ackHash, byte[] ciphertext) {
        byte[] hash = Sha256.hash(ciphertext);
        return new EnvelopeHeader(mailbox, created, expires, ackHash, 1, 0, ciphertext.length, hash, List.of(hash));
    }

    /** The header of an envelope coded into {@code dataShards} + {@code parityShards} shards with these hashes. */
    public static EnvelopeHeader coded(byte[] mailbox, Instant created, Instant expires, byte[] ackHash, byte[] ciphertext,
            int dataShards, int parityShards, List<byte[]> shardHashes) {
        return new EnvelopeHeader(mailbox, created, expires, ackHash, dataShards, parityShards, ciphertext.length,
                Sha256.hash(ciphertext), shardHashes);
    }

    /**
     * SHA-256 of "ferry/envelope/v1/id" || mailbox (32) || created ms (8) || expires ms (8) ||
     * ACK hash (32) || k (4) || m (4) || ciphertext length (8) || ciphertext SHA-256 (32) ||
     * shard count (4) || shard hashes (32 each), integers big-endian.
     */
    public byte[] envelopeId() {
        return envelopeId.clone();
    }

    private byte[] computeId() {
        ByteBuffer canonical = ByteBuffer.allocate(ID_LABEL.length + Mailbox.KEY_LENGTH + 2 * Long.BYTES + HASH_LENGTH
                + 2 * Integer.BYTES + Long.BYTES + HASH_LENGTH + Integer.BYTES + shardHashes.size() * HASH_LENGTH);
        canonical.put(ID_LABEL).put(mailbox).putLong(created.toEpochMilli()).putLong(expires.toEpochMilli()).put(ackHash)
                .putInt(dataShards).putInt(parityShards).putLong(ciphertextLength).put(ciphertextHash).putInt(shardHashes.size());
        shardHashes.forEach(canonical::put);
        return Sha256.hash(canonical.array());
    }

    /**
     * Checks that {@code ciphertext} is the one this header commits to (length and SHA-256, and,
     * on the direct path, the single shard's hash).
     *
     * @throws EnvelopeException {@code CIPHERTEXT_MISMATCH}
     */
    public void verify(byte[] ciphertext) throws EnvelopeException {
        byte[] hash = Sha256.hash(ciphertext);
        boolean direct = dataShards == 1 && parityShards == 0;
        if (ciphertext.length != ciphertextLength || !MessageDigest.isEqual(hash, ciphertextHash)
                || (direct && !MessageDigest.isEqual(hash, shardHashes.getFirst()))) {
            throw new EnvelopeException(EnvelopeException.Reason.CIPHERTEXT_MISMATCH, "ciphertext is not the one the envelope id commits to");
        }
    }

    /** The ACK hash of an envelope nobody can acknowledge: all zeros, which no secret hashes to. */
    public static byte[] noAckHash() {
        return new byte[HASH_LENGTH];
    }

    /** Whether an ACK can delete this envelope: false for an all-zero ACK hash (a group mailbox's). */
    public boolean acknowledgeable() {
        for (byte b : ackHash) if (b != 0) return true;
        return false;
    }

    /** True if {@code shard} is shard {@code index} (0 .. k + m - 1) of this envelope. */
    public boolean shardMatches(int index, byte[] shard) {
        return index >= 0 && index < shardHashes.size() && MessageDigest.isEqual(Sha256.hash(shard), shardHashes.get(index));
    }

    /** The relay-visible encoding, with the envelope id. */
    public byte[] encode() {
        EnvelopeProto.EnvelopeHeader.Builder header = EnvelopeProto.EnvelopeHeader.newBuilder()
                .setEnvelopeId(ByteString.copyFrom(envelopeId))
                .setMailbox(ByteString.copyFrom(mailbox))
                .setCreatedMillis(created.toEpochMilli())
                .setExpiresMillis(expires.toEpochMilli())
                .setAckHash(ByteString.copyFrom(ackHash))
                .setDataShards(dataShards)
                .setParityShards(parityShards)
                .setCiphertextLength(ciphertextLength)
                .setCiphertextHash(ByteString.copyFrom(ciphertextHash));
        shardHashes.forEach(h -> header.addShardHashes(ByteString.copyFrom(h)));
        return header.build().toByteArray();
    }

    /**
     * Parses a relay-visible header and checks that its carried id is the id of its fields.
     *
     * @throws EnvelopeException {@code TOO_LARGE}, {@code MALFORMED} or {@code ID_MISMATCH}
     */
    public static EnvelopeHeader decode(byte[] encoded) throws EnvelopeException {
        if (encoded.length > EnvelopeLimits.MAX_HEADER_LENGTH) {
            throw new EnvelopeException(EnvelopeException.Reason.TOO_LARGE, "header of " + encoded.length + " bytes exceeds " + EnvelopeLimits.MAX_HEADER_LENGTH);
        }
        EnvelopeProto.EnvelopeHeader parsed;
        try {
            parsed = EnvelopeProto.EnvelopeHeader.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            throw new EnvelopeException(EnvelopeException.Reason.MALFORMED, "not an envelope header", e);
        }
        EnvelopeHeader header;
        try {
            header = new EnvelopeHeader(parsed.getMailbox().toByteArray(), Instant.ofEpochMilli(parsed.getCreatedMillis()),
                    Instant.ofEpochMilli(parsed.getExpiresMillis()), parsed.getAckHash().toByteArray(), parsed.getDataShards(),
                    parsed.getParityShards(), parsed.getCiphertextLength(), parsed.getCiphertextHash().toByteArray(),
                    parsed.getShardHashesList().stream().map(ByteString::toByteArray).toList());
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException(EnvelopeException.Reason.MALFORMED, e.getMessage(), e);
        }
        if (!MessageDigest.isEqual(parsed.getEnvelopeId().toByteArray(), header.envelopeId)) {
            throw new EnvelopeException(EnvelopeException.Reason.ID_MISMATCH, "envelope id does not match the header's fields");
        }
        return header;
    }

    public byte[] mailbox() {
        return mailbox.clone();
    }

    public Instant created() {
        return created;
    }

    public Instant expires() {
        return expires;
    }

    public byte[] ackHash() {
        return ackHash.clone();
    }

    /** k: the data shards. */
    public int dataShards() {
        return dataShards;
    }

    /** m: the parity shards. */
    public int parityShards() {
        return parityShards;
    }

    public long ciphertextLength() {
        return ciphertextLength;
    }

    public byte[] ciphertextHash() {
        return ciphertextHash.clone();
    }

    public List<byte[]> shardHashes() {
        return shardHashes.stream().map(byte[]::clone).toList();
    }

    /** Headers are equal when their ids are: the id commits to every field. */
    @Override
    public boolean equals(Object o) {
        return o instanceof EnvelopeHeader h && Arrays.equals(h.envelopeId, envelopeId);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(envelopeId);
    }

    @Override
    public String toString() {
        return "EnvelopeHeader[id=" + HexFormat.of().formatHex(envelopeId) + ", mailbox=" + HexFormat.of().formatHex(mailbox)
                + ", created=" + created + ", expires=" + expires + ", shards=" + dataShards + "+" + parityShards
                + ", ciphertext=" + ciphertextLength + " bytes]";
    }

    private static void checkLength(String what, byte[] value, int length) {
        Objects.requireNonNull(value, what);
        if (value.length != length) throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + value.length);
    }
}
