package dev.ferry.crypto.x3dh;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.X3dhProto;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A user's signed prekeys: the current one, which goes into the published bundle, and the ones it
 * replaced that are still in their grace period. Immutable: rotating returns a new ring, which the
 * caller persists before publishing its bundle.
 */
public final class PrekeyRing {
    /** Prekey ids wrap below this, so that they stay small on the wire. */
    private static final int ID_SPACE = 1 << 24;

    private final List<SignedPrekey> prekeys; // newest first
    private final int nextId;

    private PrekeyRing(List<SignedPrekey> prekeys, int nextId) {
        this.prekeys = List.copyOf(prekeys);
        this.nextId = nextId;
    }

    /** A ring with one fresh prekey, its id drawn at random so that ids of re-created rings differ. */
    public static PrekeyRing create(IdentityKeyPair nodeKey, Instant now, SecureRandom random) {
        int id = 1 + random.nextInt(ID_SPACE - 1);
        return new PrekeyRing(List.of(SignedPrekey.generate(nodeKey, id, now, random)), following(id));
    }

    private static int following(int id) {
        return id + 1 >= ID_SPACE ? 1 : id + 1;
    }

    /** The prekey to publish. */
    public SignedPrekey current() {
        return prekeys.get(0);
    }

    /** Every prekey held, newest first. */
    public List<SignedPrekey> prekeys() {
        return prekeys;
    }

    /**
     * The ring at {@code now}: a new current prekey when the current one has served its rotation
     * interval, without the replaced prekeys whose grace period has ended. Returns this ring
     * when nothing changes.
     */
    public PrekeyRing rotateIfDue(IdentityKeyPair nodeKey, Instant now, PrekeyPolicy policy, SecureRandom random) {
        List<SignedPrekey> kept = new ArrayList<>(prekeys);
        int id = nextId;
        boolean rotated = false;
        if (!current().created().plus(policy.rotationInterval()).isAfter(now)) {
            kept.add(0, SignedPrekey.generate(nodeKey, id, now, random));
            id = following(id);
            rotated = true;
        }
        List<SignedPrekey> live = new ArrayList<>();
        for (int i = 0; i < kept.size() && live.size() < PrekeyPolicy.MAX_KEPT_PREKEYS; i++) {
            if (i == 0 || stillHeld(kept.get(i - 1), now, policy)) {
                live.add(kept.get(i));
            }
        }
        return rotated || live.size() != prekeys.size() ? new PrekeyRing(live, id) : this;
    }

    /** A prekey replaced when {@code successor} appeared is held until the grace period after that. */
    private static boolean stillHeld(SignedPrekey successor, Instant now, PrekeyPolicy policy) {
        return successor.created().plus(policy.gracePeriod()).isAfter(now);
    }

    /**
     * The prekey numbered {@code id}, if this ring still holds it at {@code now}: the current one
     * always, a replaced one only within its grace period.
     */
    public Optional<SignedPrekey> find(int id, Instant now, PrekeyPolicy policy) {
        for (int i = 0; i < prekeys.size(); i++) {
            SignedPrekey prekey = prekeys.get(i);
            if (prekey.id() == id) {
                return i == 0 || stillHeld(prekeys.get(i - 1), now, policy) ? Optional.of(prekey) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The ring with its private keys, for the store; a secret. */
    public byte[] encode() {
        X3dhProto.PrekeyRing.Builder proto = X3dhProto.PrekeyRing.newBuilder().setNextId(nextId);
        for (SignedPrekey prekey : prekeys) {
            proto.addPrekeys(X3dhProto.SignedPrekeySecret.newBuilder()
                    .setId(prekey.id())
                    .setCreatedMillis(prekey.created().toEpochMilli())
                    .setPrivateKey(ByteString.copyFrom(prekey.keyPair().privateKey()))
                    .setSignature(ByteString.copyFrom(prekey.signature())));
        }
        return proto.build().toByteArray();
    }

    /**
     * The ring saved by {@link #encode()}; every prekey's signature must verify under
     * {@code nodeKey}, so a ring from another identity or a damaged record is refused.
     */
    public static PrekeyRing decode(byte[] bytes, IdentityKeyPair nodeKey) throws X3dhException {
        X3dhProto.PrekeyRing proto;
        try {
            proto = X3dhProto.PrekeyRing.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new X3dhException(X3dhException.Reason.MALFORMED, "prekey ring does not decode: " + e.getMessage());
        }
        if (proto.getPrekeysCount() == 0 || proto.getPrekeysCount() > PrekeyPolicy.MAX_KEPT_PREKEYS) {
            throw new X3dhException(X3dhException.Reason.MALFORMED,
                    "prekey ring holds " + proto.getPrekeysCount() + " prekeys, expected 1 to " + PrekeyPolicy.MAX_KEPT_PREKEYS);
        }
        List<SignedPrekey> prekeys = new ArrayList<>();
        for (X3dhProto.SignedPrekeySecret saved : proto.getPrekeysList()) {
            byte[] privateKey = X3dh.exactLength(saved.getPrivateKey(), X25519.KEY_LENGTH, "prekey private key");
            byte[] signature = X3dh.exactLength(saved.getSignature(), IdentityPublicKey.SIGNATURE_LENGTH, "prekey signature");
            X25519.KeyPair pair = X25519.fromPrivateKey(privateKey);
            java.util.Arrays.fill(privateKey, (byte) 0);
            Instant created = Instant.ofEpochMilli(saved.getCreatedMillis());
            if (!SignedPrekey.verify(nodeKey.publicKey(), saved.getId(), created, pair.publicKey(), signature)) {
                throw new X3dhException(X3dhException.Reason.BAD_SIGNATURE,
                        "saved prekey " + saved.getId() + " is not signed by " + nodeKey.peerId());
            }
            prekeys.add(new SignedPrekey(saved.getId(), created, pair, signature));
        }
        return new PrekeyRing(prekeys, proto.getNextId());
    }

    @Override
    public String toString() {
        return "PrekeyRing" + prekeys.stream().map(p -> p.id() + "@" + p.created()).collect(Collectors.joining(", ", "[", "]"));
    }
}
