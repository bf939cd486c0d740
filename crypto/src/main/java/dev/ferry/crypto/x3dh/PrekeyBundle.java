package dev.ferry.crypto.x3dh;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.X3dhProto;
import java.time.Instant;
import java.util.Arrays;

/**
 * What a user publishes so that others can start a session while they are offline: the public
 * identity and the current signed prekey. Both signatures are checked when a bundle is decoded,
 * so an instance is always authentic for {@link #identity()}; whether it belongs to the peer the
 * caller wanted, and is fresh, is {@link #checkFor}'s job.
 */
public final class PrekeyBundle {
    /**
     * Upper bound of an encoded bundle; a real one is about 250 bytes. Bundles arrive from the DHT
     * and from mailbox holders, so anything larger is refused before parsing.
     */
    public static final int MAX_ENCODED_LENGTH = 512;

    private final PublicIdentity identity;
    private final int prekeyId;
    private final Instant prekeyCreated;
    private final byte[] prekeyPublic;
    private final byte[] prekeySignature;

    PrekeyBundle(PublicIdentity identity, int prekeyId, Instant prekeyCreated, byte[] prekeyPublic, byte[] prekeySignature) {
        this.identity = identity;
        this.prekeyId = prekeyId;
        this.prekeyCreated = prekeyCreated;
        this.prekeyPublic = prekeyPublic.clone();
        this.prekeySignature = prekeySignature.clone();
    }

    /** The bundle of {@code identity} with {@code prekey} as its signed prekey. */
    public static PrekeyBundle of(MessagingIdentity identity, SignedPrekey prekey) {
        return new PrekeyBundle(identity.publicIdentity(), prekey.id(), prekey.created(),
                prekey.keyPair().publicKey(), prekey.signature());
    }

    /**
     * Decodes a bundle and verifies both of its signatures.
     *
     * @throws X3dhException MALFORMED for bytes that are not a bundle, BAD_SIGNATURE when a
     *     signature does not verify
     */
    public static PrekeyBundle decode(byte[] bytes) throws X3dhException {
        if (bytes.length > MAX_ENCODED_LENGTH) {
            throw new X3dhException(X3dhException.Reason.MALFORMED,
                    "prekey bundle of " + bytes.length + " bytes exceeds " + MAX_ENCODED_LENGTH);
        }
        X3dhProto.PrekeyBundle proto;
        try {
            proto = X3dhProto.PrekeyBundle.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, "prekey bundle does not decode: " + e.getMessage());
        }
        if (!proto.hasIdentity()) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, "prekey bundle has no identity");
        }
        PublicIdentity identity = PublicIdentity.fromProto(proto.getIdentity());
        byte[] prekey = X3dh.exactLength(proto.getPrekeyPublic(), X25519.KEY_LENGTH, "signed prekey");
        byte[] signature = X3dh.exactLength(proto.getPrekeySignature(), IdentityPublicKey.SIGNATURE_LENGTH, "prekey signature");
        Instant created = Instant.ofEpochMilli(proto.getPrekeyCreatedMillis());
        if (!SignedPrekey.verify(identity.signingKey(), proto.getPrekeyId(), created, prekey, signature)) {
            throw new X3dhException(X3dhException.Reason.BAD_SIGNATURE,
                    "signed prekey " + Integer.toUnsignedString(proto.getPrekeyId()) + " is not signed by " + identity.peerId());
        }
        return new PrekeyBundle(identity, proto.getPrekeyId(), created, prekey, signature);
    }

    public byte[] encode() {
        return X3dhProto.PrekeyBundle.newBuilder()
                .setIdentity(identity.toProto())
                .setPrekeyId(prekeyId)
                .setPrekeyCreatedMillis(prekeyCreated.toEpochMilli())
                .setPrekeyPublic(ByteString.copyFrom(prekeyPublic))
                .setPrekeySignature(ByteString.copyFrom(prekeySignature))
                .build()
                .toByteArray();
    }

    /**
     * Checks that the bundle belongs to {@code expected} and that its owner still holds the
     * prekey at {@code now} under {@code policy}.
     *
     * @throws X3dhException WRONG_IDENTITY or STALE_PREKEY
     */
    public void checkFor(PeerId expected, Instant now, PrekeyPolicy policy) throws X3dhException {
        if (!expected.matches(identity.signingKey())) {
            throw new X3dhException(X3dhException.Reason.WRONG_IDENTITY,
                    "prekey bundle is signed by " + identity.peerId() + ", not by " + expected);
        }
        if (prekeyCreated.isAfter(now.plus(PrekeyPolicy.MAX_CLOCK_SKEW))) {
            throw new X3dhException(X3dhException.Reason.STALE_PREKEY,
                    "prekey bundle is dated " + prekeyCreated + ", in the future of " + now);
        }
        if (prekeyCreated.plus(policy.maxBundleAge()).isBefore(now)) {
            throw new X3dhException(X3dhException.Reason.STALE_PREKEY,
                    "prekey bundle of " + prekeyCreated + " is older than " + policy.maxBundleAge() + "; fetch a fresh one");
        }
    }

    public PublicIdentity identity() {
        return identity;
    }

    public int prekeyId() {
        return prekeyId;
    }

    public Instant prekeyCreated() {
        return prekeyCreated;
    }

    /** The signed prekey (a copy): X3DH's SPK and the responder's first ratchet key. */
    public byte[] prekeyPublic() {
        return prekeyPublic.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrekeyBundle b && b.identity.equals(identity) && b.prekeyId == prekeyId
                && b.prekeyCreated.equals(prekeyCreated) && Arrays.equals(b.prekeyPublic, prekeyPublic)
                && Arrays.equals(b.prekeySignature, prekeySignature);
    }

    @Override
    public int hashCode() {
        return identity.hashCode() * 31 + prekeyId;
    }

    @Override
    public String toString() {
        return "PrekeyBundle[" + identity.peerId() + ", prekey " + Integer.toUnsignedString(prekeyId) + " of " + prekeyCreated + "]";
    }
}
