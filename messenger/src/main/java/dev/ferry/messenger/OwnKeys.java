package dev.ferry.messenger;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.PrekeyRing;
import dev.ferry.crypto.x3dh.X3dhException;
import dev.ferry.store.FerryStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;

/**
 * The user's own messaging keys, kept in the store's {@code prekeys} table next to nothing else:
 * the X25519 identity key (signed by the node key) and the ring of signed prekeys. Both are
 * created on first start and never replaced afterwards (a new identity key would break every
 * session); the ring rotates on its schedule.
 *
 * <p>Prekey ids start at 1, so the two records use ids no prekey can have.
 */
final class OwnKeys {
    /** Record id of the encoded {@link PrekeyRing}. */
    static final int RING_RECORD = 0;
    /** Record id of the {@link MessagingIdentity} secrets. */
    static final int IDENTITY_RECORD = -1;

    private final MessagingIdentity identity;
    private volatile PrekeyRing ring;

    private OwnKeys(MessagingIdentity identity, PrekeyRing ring) {
        this.identity = identity;
        this.ring = ring;
    }

    /**
     * Loads the keys of {@code nodeKey} from {@code store}, or creates and stores them.
     *
     * @throws IllegalStateException if the stored keys are corrupt or belong to another node key
     *     (the data directory and the identity do not go together)
     */
    static OwnKeys loadOrCreate(FerryStore store, IdentityKeyPair nodeKey, Instant now, SecureRandom random) {
        Optional<byte[]> savedIdentity = store.prekeys().get(IDENTITY_RECORD);
        Optional<byte[]> savedRing = store.prekeys().get(RING_RECORD);
        try {
            if (savedIdentity.isPresent() && savedRing.isPresent()) {
                return new OwnKeys(MessagingIdentity.restore(nodeKey, savedIdentity.get()),
                        PrekeyRing.decode(savedRing.get(), nodeKey));
            }
        } catch (X3dhException e) {
            throw new IllegalStateException("the stored messaging keys cannot be read with this node key: " + e.getMessage(), e);
        }
        if (savedIdentity.isPresent() || savedRing.isPresent()) {
            throw new IllegalStateException("the store holds half of the messaging keys; refusing to replace them");
        }
        MessagingIdentity identity = MessagingIdentity.create(nodeKey, random);
        PrekeyRing ring = PrekeyRing.create(nodeKey, now, random);
        store.write(batch -> {
            batch.prekeys().put(IDENTITY_RECORD, identity.secretsToBytes());
            batch.prekeys().put(RING_RECORD, ring.encode());
        });
        return new OwnKeys(identity, ring);
    }

    MessagingIdentity identity() {
        return identity;
    }

    PrekeyRing ring() {
        return ring;
    }

    /** The bundle others start sessions from: the current prekey. */
    PrekeyBundle bundle() {
        return PrekeyBundle.of(identity, ring.current());
    }

    /**
     * Rotates the ring if due and stores it.
     *
     * @return whether the current prekey changed (so the bundle must be published again)
     */
    boolean rotateIfDue(FerryStore store, Instant now, PrekeyPolicy policy, SecureRandom random) {
        PrekeyRing before = ring;
        PrekeyRing after = before.rotateIfDue(identity.nodeKey(), now, policy, random);
        if (after == before) return false;
        store.prekeys().put(RING_RECORD, after.encode());
        ring = after;
        return after.current().id() != before.current().id();
    }
}
