package dev.ferry.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.proto.KeysProto;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public identity key, as the libp2p peer-id spec defines it. Its protobuf form
 * ({@link #marshal()}) is what the identity multihash of a {@link PeerId} wraps.
 */
public final class IdentityPublicKey {
    /** Raw Ed25519 public keys are 32 bytes. */
    public static final int LENGTH = Ed25519.PUBLIC_KEY_SIZE;
    /** Ed25519 signatures are 64 bytes. */
    public static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;

    /**
     * Keys decoded lately, by their bytes: every envelope names its sender's key and every signed
     * request its signer's, and decoding the point (a decompression) costs as much as the rest of
     * opening a chat message. A key is immutable, so one instance serves every caller. Cleared
     * when full, so it stays bounded whatever keys arrive.
     */
    private static final int MAX_REMEMBERED = 4096;
    private static final Map<ByteBuffer, IdentityPublicKey> DECODED = new ConcurrentHashMap<>();

    private final byte[] raw;
    /** The decoded point, so that a verification does not decode it again. */
    private final Ed25519.PublicPoint point;

    private IdentityPublicKey(byte[] raw, Ed25519.PublicPoint point) {
        this.raw = raw;
        this.point = point;
    }

    /** Wraps raw key bytes; refuses a wrong length or a point that is not on the curve. */
    public static IdentityPublicKey fromRaw(byte[] raw) {
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("Ed25519 public key must be " + LENGTH + " bytes, got " + raw.length);
        }
        IdentityPublicKey known = DECODED.get(ByteBuffer.wrap(raw));
        if (known != null) return known;
        byte[] copy = raw.clone();
        Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(copy, 0);
        if (point == null) {
            throw new IllegalArgumentException("Ed25519 public key is not a valid curve point");
        }
        IdentityPublicKey key = new IdentityPublicKey(copy, point);
        if (DECODED.size() >= MAX_REMEMBERED) DECODED.clear();
        DECODED.put(ByteBuffer.wrap(copy), key);
        return key;
    }

    /**
     * Parses the protobuf {@code PublicKey} of the peer-id spec. Only Ed25519 keys are accepted:
     * Ferry peers and js-libp2p peers by default use them, and other key types would let a remote
     * make us do expensive RSA work.
     */
    public static IdentityPublicKey unmarshal(byte[] protobuf) {
        KeysProto.PublicKey key;
        try {
            key = KeysProto.PublicKey.parseFrom(protobuf);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("public key is not a valid protobuf PublicKey", e);
        }
        if (key.getType() != KeysProto.KeyType.Ed25519) {
            throw new IllegalArgumentException("unsupported public key type " + key.getType() + " (only Ed25519)");
        }
        IdentityPublicKey parsed = fromRaw(key.getData().toByteArray());
        // The spec requires the deterministic encoding; a different one would give another PeerId.
        if (!Arrays.equals(parsed.marshal(), protobuf)) {
            throw new IllegalArgumentException("public key protobuf is not deterministically encoded");
        }
        return parsed;
    }

    /** The protobuf {@code PublicKey} encoding: type Ed25519 then the 32 raw bytes. */
    public byte[] marshal() {
        return KeysProto.PublicKey.newBuilder()
                .setType(KeysProto.KeyType.Ed25519)
                .setData(ByteString.copyFrom(raw))
                .build()
                .toByteArray();
    }

    /** The raw 32 key bytes. */
    public byte[] raw() {
        return raw.clone();
    }

    /** True if {@code signature} is this key's Ed25519 signature of {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature.length != SIGNATURE_LENGTH) return false;
        return Ed25519.verify(signature, 0, point, message, 0, message.length);
    }

    /** The PeerId this key identifies. */
    public PeerId toPeerId() {
        return PeerId.fromPublicKey(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentityPublicKey k && Arrays.equals(k.raw, raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "Ed25519PublicKey[" + HexFormat.of().formatHex(raw) + "]";
    }
}
