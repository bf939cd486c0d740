package dev.ferry.crypto.x3dh;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.X3dhProto;
import java.security.SecureRandom;

/**
 * A user's private messaging identity: the Ed25519 node key and an X25519 identity key signed by
 * it (X3DH's IK; Ed25519 keys cannot do Diffie-Hellman directly, so the X25519 key is separate and
 * bound to the node key by the signature). {@link #toString()} shows only the PeerId.
 */
public final class MessagingIdentity {
    private final IdentityKeyPair nodeKey;
    private final X25519.KeyPair dhKeyPair;
    private final PublicIdentity publicIdentity;

    private MessagingIdentity(IdentityKeyPair nodeKey, X25519.KeyPair dhKeyPair, byte[] signature) {
        this.nodeKey = nodeKey;
        this.dhKeyPair = dhKeyPair;
        this.publicIdentity = new PublicIdentity(nodeKey.publicKey(), dhKeyPair.publicKey(), signature);
    }

    /** A new X25519 identity key for {@code nodeKey}, signed by it. */
    public static MessagingIdentity create(IdentityKeyPair nodeKey, SecureRandom random) {
        X25519.KeyPair dh = X25519.generate(random);
        byte[] signature = nodeKey.sign(X3dh.concat(PublicIdentity.IDENTITY_KEY_SIGNATURE_CONTEXT, dh.publicKey()));
        return new MessagingIdentity(nodeKey, dh, signature);
    }

    /**
     * The identity saved by {@link #secretsToBytes()}, for {@code nodeKey}.
     *
     * @throws X3dhException when the bytes do not decode or were saved for another node key
     */
    public static MessagingIdentity restore(IdentityKeyPair nodeKey, byte[] secrets) throws X3dhException {
        X3dhProto.IdentitySecrets proto;
        try {
            proto = X3dhProto.IdentitySecrets.parseFrom(secrets);
        } catch (InvalidProtocolBufferException e) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, "identity secrets do not decode: " + e.getMessage());
        }
        byte[] privateKey = X3dh.exactLength(proto.getX25519Private(), X25519.KEY_LENGTH, "X25519 identity private key");
        byte[] signature = X3dh.exactLength(proto.getX25519Signature(), IdentityPublicKey.SIGNATURE_LENGTH, "identity key signature");
        X25519.KeyPair dh = X25519.fromPrivateKey(privateKey);
        java.util.Arrays.fill(privateKey, (byte) 0);
        if (!nodeKey.publicKey().verify(X3dh.concat(PublicIdentity.IDENTITY_KEY_SIGNATURE_CONTEXT, dh.publicKey()), signature)) {
            throw new X3dhException(X3dhException.Reason.BAD_SIGNATURE,
                    "the saved X25519 identity key is not signed by this node key (" + nodeKey.peerId() + ")");
        }
        return new MessagingIdentity(nodeKey, dh, signature);
    }

    /** The private X25519 identity key and its signature, for the key store; a secret. */
    public byte[] secretsToBytes() {
        return X3dhProto.IdentitySecrets.newBuilder()
                .setX25519Private(ByteString.copyFrom(dhKeyPair.privateKey()))
                .setX25519Signature(ByteString.copyFrom(publicIdentity.dhKeySignature()))
                .build()
                .toByteArray();
    }

    public IdentityKeyPair nodeKey() {
        return nodeKey;
    }

    /** The X25519 identity key pair (X3DH's IK). */
    public X25519.KeyPair dhKeyPair() {
        return dhKeyPair;
    }

    public PublicIdentity publicIdentity() {
        return publicIdentity;
    }

    @Override
    public String toString() {
        return "MessagingIdentity[" + nodeKey.peerId() + "]";
    }
}
