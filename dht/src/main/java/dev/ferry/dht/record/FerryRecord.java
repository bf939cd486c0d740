package dev.ferry.dht.record;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.crypto.multiformats.UnsignedVarint;
import dev.ferry.crypto.proto.KeysProto;
import dev.ferry.dht.message.DhtRecord;
import dev.ferry.dht.proto.DhtProto;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record of the {@code /ferry/} namespace: a value a peer publishes about itself, signed with
 * its identity key, such as the prekey bundle others need to start a session with it.
 *
 * <p><b>Key</b>: {@code "/ferry/" + publisher's binary PeerId + "/" + name}. The PeerId is a
 * multihash, which says its own length, so the name follows it unambiguously even when the
 * PeerId's bytes contain a {@code '/'}. A name is 1 to {@value #MAX_NAME_LENGTH} characters of
 * {@code a-z 0-9 . _ -}: one publisher has one record per name.
 *
 * <p><b>Value</b>: the protobuf {@code FerryRecord} of {@code dht.proto}, in its canonical
 * encoding, holding the publisher's {@code PublicKey}, the published bytes (at most
 * {@value #MAX_VALUE_LENGTH}), a sequence number and an Ed25519 signature over
 * <pre>
 *   uvarint(len(domain)) domain uvarint(len(key)) key uvarint(len(value)) value uint64be(sequence)
 * </pre>
 * with {@code domain = "}{@value #SIGNATURE_DOMAIN}{@code "}. The key is signed, so a record
 * cannot be moved to another name or publisher; the domain keeps the signature from being valid
 * for anything else the identity key signs.
 *
 * <p><b>Valid</b> when the key and value have those forms, the public key is the one the key's
 * PeerId names, and the signature verifies. <b>Best</b> ({@link FerryRecordValidator#select}):
 * the highest sequence, compared unsigned; between records of equal sequence, the one whose
 * encoded value is greatest, bytes compared unsigned, so that every node picks the same.
 *
 * <p>Records do not expire by themselves: nodes drop stored records some time after receiving
 * them, and a publisher republishes, with a higher sequence whenever the value changes.
 */
public final class FerryRecord {
    public static final String NAMESPACE = "ferry";
    /** Longest name: enough for a descriptive one ({@code prekey-bundle-v1}), short enough to keep keys small. */
    public static final int MAX_NAME_LENGTH = 64;
    /**
     * Largest published value. A prekey bundle is a few hundred bytes; 8 KiB leaves room for
     * more while keeping what every stored record costs its holders small (go-libp2p caps IPNS
     * records at 10 KiB for the same reason).
     */
    public static final int MAX_VALUE_LENGTH = 8 * 1024;
    /**
     * Largest encoded record read: the value plus the public key (36 bytes), the signature (64),
     * the sequence (at most 10) and their tags and lengths, with room to spare.
     */
    public static final int MAX_ENCODED_LENGTH = MAX_VALUE_LENGTH + 256;
    /** What every signature covers first, so that it means nothing outside this namespace. */
    public static final String SIGNATURE_DOMAIN = "ferry-dht-record-v1";

    private static final byte[] PREFIX = ("/" + NAMESPACE + "/").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOMAIN = SIGNATURE_DOMAIN.getBytes(StandardCharsets.US_ASCII);

    private final PeerId publisher;
    private final String name;
    private final byte[] key;
    private final byte[] value;
    private final long sequence;
    private final byte[] encoded;

    private FerryRecord(PeerId publisher, String name, byte[] key, byte[] value, long sequence, byte[] encoded) {
        this.publisher = publisher;
        this.name = name;
        this.key = key;
        this.value = value;
        this.sequence = sequence;
        this.encoded = encoded;
    }

    /** What {@link #open} found: the verified record, or why the bytes are not a valid one. */
    public sealed interface Opening {
        /** A valid record. */
        record Verified(FerryRecord record) implements Opening {}

        /** Not a valid record. */
        record Rejected(Validation.Invalid why) implements Opening {}
    }

    /**
     * The key of {@code publisher}'s record named {@code name}.
     *
     * @throws IllegalArgumentException if the name is empty, too long or has other characters than {@code a-z 0-9 . _ -}
     */
    public static byte[] keyOf(PeerId publisher, String name) {
        checkName(name);
        byte[] id = publisher.toBytes();
        ByteBuffer key = ByteBuffer.allocate(PREFIX.length + id.length + 1 + name.length());
        key.put(PREFIX).put(id).put((byte) '/').put(name.getBytes(StandardCharsets.US_ASCII));
        return key.array();
    }

    /**
     * Signs a record publishing {@code value} as {@code name} of the peer {@code keys} identify.
     *
     * @param sequence orders this publisher's versions of the record, unsigned; give each new
     *     value a higher one (the time in milliseconds is a common choice)
     * @throws IllegalArgumentException if the name is not valid or the value is longer than {@link #MAX_VALUE_LENGTH}
     */
    public static FerryRecord sign(IdentityKeyPair keys, String name, byte[] value, long sequence) {
        if (value.length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("value of " + value.length + " bytes, longer than " + MAX_VALUE_LENGTH);
        }
        byte[] key = keyOf(keys.peerId(), name);
        byte[] signature = keys.sign(signedBytes(key, value, sequence));
        byte[] encoded = encode(keys.publicKey().marshal(), value, sequence, signature);
        return new FerryRecord(keys.peerId(), name, key, value.clone(), sequence, encoded);
    }

    /** Verifies {@code encoded} as the value of a record under {@code key}: the record, or why it is not valid. */
    public static Opening open(byte[] key, byte[] encoded) {
        return switch (parseKey(key)) {
            case BadKey bad -> bad.rejected();
            case KeyParts parts -> openValue(key.clone(), parts, encoded);
        };
    }

    private static Opening openValue(byte[] key, KeyParts parts, byte[] encoded) {
        if (encoded.length > MAX_ENCODED_LENGTH) {
            return rejected(Validation.Reason.VALUE_TOO_LARGE,
                    "record of " + encoded.length + " bytes, longer than " + MAX_ENCODED_LENGTH);
        }
        DhtProto.FerryRecord record;
        try {
            record = DhtProto.FerryRecord.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            return rejected(Validation.Reason.MALFORMED_VALUE, "value is not a protobuf FerryRecord");
        }
        byte[] value = record.getValue().toByteArray();
        byte[] publicKeyBytes = record.getPublicKey().toByteArray();
        byte[] signature = record.getSignature().toByteArray();
        if (!Arrays.equals(encode(publicKeyBytes, value, record.getSequence(), signature), encoded)) {
            return rejected(Validation.Reason.MALFORMED_VALUE, "FerryRecord is not canonically encoded");
        }
        if (value.length > MAX_VALUE_LENGTH) {
            return rejected(Validation.Reason.VALUE_TOO_LARGE,
                    "value of " + value.length + " bytes, longer than " + MAX_VALUE_LENGTH);
        }
        IdentityPublicKey publicKey;
        try {
            if (KeysProto.PublicKey.parseFrom(publicKeyBytes).getType() != KeysProto.KeyType.Ed25519) {
                return rejected(Validation.Reason.UNSUPPORTED_KEY_TYPE, "public key is not Ed25519");
            }
            publicKey = IdentityPublicKey.unmarshal(publicKeyBytes);
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            return rejected(Validation.Reason.MALFORMED_VALUE, "publicKey is not a valid Ed25519 PublicKey");
        }
        if (!parts.publisher().matches(publicKey)) {
            return rejected(Validation.Reason.WRONG_PUBLIC_KEY, "public key is not the key of " + parts.publisher());
        }
        if (!publicKey.verify(signedBytes(key, value, record.getSequence()), signature)) {
            return rejected(Validation.Reason.BAD_SIGNATURE, "signature does not verify");
        }
        return new Opening.Verified(new FerryRecord(
                parts.publisher(), parts.name(), key, value, record.getSequence(), encoded.clone()));
    }

    /** The publisher and name of a key, or why it is not a {@code /ferry/} key. */
    private sealed interface ParsedKey {}

    private record KeyParts(PeerId publisher, String name) implements ParsedKey {}

    private record BadKey(Opening.Rejected rejected) implements ParsedKey {}

    private static ParsedKey parseKey(byte[] key) {
        if (key.length < PREFIX.length || !Arrays.equals(key, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            return badKey("key does not start with /ferry/");
        }
        int end;
        try {
            UnsignedVarint.Decoded code = UnsignedVarint.decode(key, PREFIX.length);
            UnsignedVarint.Decoded length = UnsignedVarint.decode(key, PREFIX.length + code.length());
            end = PREFIX.length + code.length() + length.length()
                    + length.intValue(Multihash.MAX_DIGEST_LENGTH, "multihash digest length");
        } catch (IllegalArgumentException e) {
            return badKey("key does not hold a PeerId after /ferry/");
        }
        if (end >= key.length || key[end] != '/') {
            return badKey("key does not hold a PeerId, '/' and a name after /ferry/");
        }
        PeerId publisher;
        try {
            publisher = PeerId.fromBytes(Arrays.copyOfRange(key, PREFIX.length, end));
        } catch (IllegalArgumentException e) {
            return badKey("key does not hold a valid PeerId after /ferry/");
        }
        String name = new String(key, end + 1, key.length - end - 1, StandardCharsets.ISO_8859_1);
        try {
            checkName(name);
        } catch (IllegalArgumentException e) {
            return badKey(e.getMessage());
        }
        return new KeyParts(publisher, name);
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("record name must be 1 to " + MAX_NAME_LENGTH + " characters, has "
                    + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!allowed) throw new IllegalArgumentException("record name may hold only a-z 0-9 . _ -");
        }
    }

    /** The bytes the signature covers (see the class comment). */
    static byte[] signedBytes(byte[] key, byte[] value, long sequence) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(DOMAIN.length + key.length + value.length + 16);
        UnsignedVarint.write(DOMAIN.length, out);
        out.writeBytes(DOMAIN);
        UnsignedVarint.write(key.length, out);
        out.writeBytes(key);
        UnsignedVarint.write(value.length, out);
        out.writeBytes(value);
        out.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
        return out.toByteArray();
    }

    private static byte[] encode(byte[] publicKey, byte[] value, long sequence, byte[] signature) {
        return DhtProto.FerryRecord.newBuilder()
                .setPublicKey(ByteString.copyFrom(publicKey))
                .setValue(ByteString.copyFrom(value))
                .setSequence(sequence)
                .setSignature(ByteString.copyFrom(signature))
                .build()
                .toByteArray();
    }

    private static BadKey badKey(String detail) {
        return new BadKey(rejected(Validation.Reason.MALFORMED_KEY, detail));
    }

    private static Opening.Rejected rejected(Validation.Reason reason, String detail) {
        return new Opening.Rejected(new Validation.Invalid(reason, detail));
    }

    /** The peer that published and signed the record. */
    public PeerId publisher() {
        return publisher;
    }

    public String name() {
        return name;
    }

    /** The DHT key: {@code /ferry/<publisher>/<name>}. */
    public byte[] key() {
        return key.clone();
    }

    /** The published bytes. */
    public byte[] value() {
        return value.clone();
    }

    /** The sequence number, unsigned. */
    public long sequence() {
        return sequence;
    }

    /** The encoded record: the DHT record's value. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** The DHT record to PUT_VALUE: this record's key and encoding. */
    public DhtRecord toDhtRecord() {
        return DhtRecord.of(key, encoded);
    }

    /** True if this record is better than {@code other} for the same key (see the class comment). */
    boolean isBetterThan(FerryRecord other) {
        int bySequence = Long.compareUnsigned(sequence, other.sequence);
        if (bySequence != 0) return bySequence > 0;
        return Arrays.compareUnsigned(encoded, other.encoded) > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FerryRecord r && Arrays.equals(r.encoded, encoded) && Arrays.equals(r.key, key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(encoded));
    }

    /** No value bytes: they stay out of logs. */
    @Override
    public String toString() {
        return "FerryRecord[" + publisher + "/" + name + ", sequence " + Long.toUnsignedString(sequence) + ", "
                + value.length + " bytes]";
    }
}
