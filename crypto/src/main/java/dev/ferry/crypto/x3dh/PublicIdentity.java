package dev.ferry.crypto.x3dh;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.X3dhProto;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A user's public messaging identity: the Ed25519 node key (whose PeerId is the user's address)
 * and the X25519 identity key it signed. An instance always holds a verified signature: the only
 * ways to get one are from {@link MessagingIdentity} or by decoding, which checks it.
 */
public final class PublicIdentity {
    /** Domain separation of the signature over the X25519 identity key. */
    static final byte[] IDENTITY_KEY_SIGNATURE_CONTEXT = X3dh.ascii("ferry/x3dh/v1/identity-key");

    private final IdentityPublicKey signingKey;
    private final byte[] dhKey;
    private final byte[] dhKeySignature;

    PublicIdentity(IdentityPublicKey signingKey, byte[] dhKey, byte[] dhKeySignature) {
        this.signingKey = signingKey;
        this.dhKey = dhKey.clone();
        this.dhKeySignature = dhKeySignature.clone();
    }

    /** Identities whose signature verified, kept to this many (then started afresh). */
    private static final int MAX_REMEMBERED = 4096;
    /**
     * Identities (signing key, X25519 key, signature) whose signature verified. A sender's identity rides on every envelope it
     * sends until the recipient answers (a queue of offline messages carries it hundreds of
     * times), and an Ed25519 check costs more than the rest of opening an envelope. The check is
     * a function of the bytes alone, so remembering its result changes nothing but the time.
     */
    private static final Map<ByteBuffer, Boolean> VERIFIED = new ConcurrentHashMap<>();

    /** Checks the signature over the X25519 key and builds the identity. */
    static PublicIdentity fromProto(X3dhProto.PublicIdentity proto) throws X3dhException {
        IdentityPublicKey signingKey;
        try {
            signingKey = IdentityPublicKey.fromRaw(proto.getEd25519Public().toByteArray());
        } catch (IllegalArgumentException e) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, "identity: " + e.getMessage());
        }
        byte[] dhKey = X3dh.exactLength(proto.getX25519Public(), X25519.KEY_LENGTH, "identity X25519 key");
        byte[] signature = X3dh.exactLength(proto.getX25519Signature(), IdentityPublicKey.SIGNATURE_LENGTH, "identity key signature");
        ByteBuffer encoded = ByteBuffer.wrap(X3dh.concat(X3dh.concat(signingKey.raw(), dhKey), signature));
        if (!VERIFIED.containsKey(encoded)) {
            if (!signingKey.verify(X3dh.concat(IDENTITY_KEY_SIGNATURE_CONTEXT, dhKey), signature)) {
                throw new X3dhException(X3dhException.Reason.BAD_SIGNATURE,
                        "the X25519 identity key is not signed by " + signingKey.toPeerId());
            }
            if (VERIFIED.size() >= MAX_REMEMBERED) VERIFIED.clear();
            VERIFIED.put(encoded, Boolean.TRUE);
        }
        return new PublicIdentity(signingKey, dhKey, signature);
    }

    X3dhProto.PublicIdentity toProto() {
        return X3dhProto.PublicIdentity.newBuilder()
                .setEd25519Public(ByteString.copyFrom(signingKey.raw()))
                .setX25519Public(ByteString.copyFrom(dhKey))
                .setX25519Signature(ByteString.copyFrom(dhKeySignature))
                .build();
    }

    /** The Ed25519 node key. */
    public IdentityPublicKey signingKey() {
        return signingKey;
    }

    /** The user's address. */
    public PeerId peerId() {
        return signingKey.toPeerId();
    }

    /** The X25519 identity key (a copy). */
    public byte[] dhKey() {
        return dhKey.clone();
    }

    byte[] dhKeySignature() {
        return dhKeySignature.clone();
    }

    /** Ed25519 key then X25519 key: this identity's part of the X3DH associated data. */
    byte[] encodeForAssociatedData() {
        return X3dh.concat(signingKey.raw(), dhKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicIdentity p && p.signingKey.equals(signingKey) && Arrays.equals(p.dhKey, dhKey);
    }

    @Override
    public int hashCode() {
        return signingKey.hashCode() * 31 + Arrays.hashCode(dhKey);
    }

    @Override
    public String toString() {
        return "PublicIdentity[" + peerId() + "]";
    }
}
