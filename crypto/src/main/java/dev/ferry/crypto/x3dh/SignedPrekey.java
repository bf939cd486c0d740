package dev.ferry.crypto.x3dh;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.X25519;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * A signed X25519 prekey (X3DH's SPK) with its id, creation time and the node key's signature
 * over all three. It also serves as the responder's first Double Ratchet key pair.
 */
public final class SignedPrekey {
    private static final byte[] SIGNATURE_CONTEXT = X3dh.ascii("ferry/x3dh/v1/signed-prekey");

    private final int id;
    private final Instant created;
    private final X25519.KeyPair keyPair;
    private final byte[] signature;

    SignedPrekey(int id, Instant created, X25519.KeyPair keyPair, byte[] signature) {
        this.id = id;
        this.created = Instant.ofEpochMilli(created.toEpochMilli());
        this.keyPair = keyPair;
        this.signature = signature.clone();
    }

    /** A fresh prekey numbered {@code id}, created at {@code now}, signed by {@code nodeKey}. */
    public static SignedPrekey generate(IdentityKeyPair nodeKey, int id, Instant now, SecureRandom random) {
        X25519.KeyPair pair = X25519.generate(random);
        return new SignedPrekey(id, now, pair, nodeKey.sign(signedBytes(id, now, pair.publicKey())));
    }

    /** What the signature covers: a context string, the id, the time in milliseconds, the key. */
    static byte[] signedBytes(int id, Instant created, byte[] publicKey) {
        return ByteBuffer.allocate(SIGNATURE_CONTEXT.length + 4 + 8 + publicKey.length)
                .put(SIGNATURE_CONTEXT).putInt(id).putLong(created.toEpochMilli()).put(publicKey)
                .array();
    }

    static boolean verify(IdentityPublicKey signer, int id, Instant created, byte[] publicKey, byte[] signature) {
        return signature.length == IdentityPublicKey.SIGNATURE_LENGTH
                && signer.verify(signedBytes(id, created, publicKey), signature);
    }

    public int id() {
        return id;
    }

    public Instant created() {
        return created;
    }

    public X25519.KeyPair keyPair() {
        return keyPair;
    }

    byte[] signature() {
        return signature.clone();
    }

    @Override
    public String toString() {
        return "SignedPrekey[id=" + id + ", created=" + created + "]";
    }
}
