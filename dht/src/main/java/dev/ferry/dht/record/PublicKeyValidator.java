package dev.ferry.dht.record;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.proto.KeysProto;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code /pk/} namespace of the kad-dht spec, validated as go- and js-libp2p do: the key is
 * {@code "/pk/"} followed by a binary PeerId (its multihash bytes, not its text), and the value
 * is the protobuf {@code PublicKey} whose PeerId that is. Any valid value is as good as another
 * (there is only one per key), so {@link #select} takes the first.
 *
 * <p>Only Ed25519 keys are accepted, as everywhere in Ferry ({@link IdentityPublicKey}); the
 * RSA keys of older IPFS peers are refused, so a Ferry node neither stores nor returns them.
 */
public final class PublicKeyValidator implements RecordValidator {
    public static final String NAMESPACE = "pk";
    private static final byte[] PREFIX = "/pk/".getBytes(StandardCharsets.US_ASCII);
    /**
     * Longest value read. An Ed25519 {@code PublicKey} is 36 bytes; the cap is set above the
     * ~550 bytes of an RSA-4096 one, so that such a key is refused for its type rather than
     * its size, while nothing larger is ever parsed.
     */
    public static final int MAX_VALUE_LENGTH = 1024;

    /** The {@code /pk/} key of {@code peer}. */
    public static byte[] keyOf(PeerId peer) {
        byte[] id = peer.toBytes();
        byte[] key = Arrays.copyOf(PREFIX, PREFIX.length + id.length);
        System.arraycopy(id, 0, key, PREFIX.length, id.length);
        return key;
    }

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public Validation validate(byte[] key, byte[] value) {
        if (key.length < PREFIX.length || !Arrays.equals(key, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            return Validation.invalid(Validation.Reason.MALFORMED_KEY, "key does not start with /pk/");
        }
        PeerId peer;
        try {
            peer = PeerId.fromBytes(Arrays.copyOfRange(key, PREFIX.length, key.length));
        } catch (IllegalArgumentException e) {
            return Validation.invalid(Validation.Reason.MALFORMED_KEY, "key does not end in a binary PeerId");
        }
        if (value.length > MAX_VALUE_LENGTH) {
            return Validation.invalid(Validation.Reason.VALUE_TOO_LARGE,
                    "value of " + value.length + " bytes, longer than " + MAX_VALUE_LENGTH);
        }
        KeysProto.PublicKey envelope;
        try {
            envelope = KeysProto.PublicKey.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return Validation.invalid(Validation.Reason.MALFORMED_VALUE, "value is not a protobuf PublicKey");
        }
        if (envelope.getType() != KeysProto.KeyType.Ed25519) {
            return Validation.invalid(Validation.Reason.UNSUPPORTED_KEY_TYPE,
                    "public key of type " + envelope.getType() + ", only Ed25519 is accepted");
        }
        IdentityPublicKey publicKey;
        try {
            publicKey = IdentityPublicKey.unmarshal(value);
        } catch (IllegalArgumentException e) {
            return Validation.invalid(Validation.Reason.MALFORMED_VALUE, "value is not a valid Ed25519 PublicKey: "
                    + e.getMessage());
        }
        if (!peer.matches(publicKey)) {
            return Validation.invalid(Validation.Reason.WRONG_PUBLIC_KEY, "public key is not the key of " + peer);
        }
        return Validation.valid();
    }

    /** All valid values for a key are the same key, so the first will do. */
    @Override
    public int select(byte[] key, List<byte[]> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("nothing to select from");
        return 0;
    }
}
