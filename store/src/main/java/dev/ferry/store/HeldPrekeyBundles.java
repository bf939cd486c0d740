package dev.ferry.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Prekey bundles this node holds for others: a mailbox holder keeps its mailbox owner's signed
 * bundle (opaque bytes here; the mailbox protocol verifies it) so that a sender can start a
 * session while the owner is offline. One bundle per mailbox; a put replaces the one held. Each
 * bundle has an expiry (when its prekey is too old to be used) at which the sweep deletes it, and
 * at most {@link StoreLimits#maxHeldPrekeyBundles()} are held at once.
 */
public interface HeldPrekeyBundles {
    /**
     * The largest bundle held: a real one is about 250 bytes and the X3DH decoder refuses more than
     * 512, so 1 KiB bounds a record without ever refusing a valid bundle.
     */
    int MAX_BUNDLE_BYTES = 1024;

    /**
     * Holds {@code bundle} for {@code mailbox} until {@code expiry}, replacing the bundle held for
     * it (a replacement never counts against the limit).
     *
     * @throws StoreRefusedException {@link RefusalReason#HELD_BUNDLES_FULL} when no bundle was held
     *     for this mailbox and the limit is reached; nothing was written
     * @throws IllegalArgumentException for an empty bundle or one over {@link #MAX_BUNDLE_BYTES}
     */
    void put(MailboxKey mailbox, byte[] bundle, Instant expiry);

    /** The bundle held for {@code mailbox}, if any (expired ones stay until the sweep deletes them). */
    Optional<byte[]> get(MailboxKey mailbox);

    /** The expiry of the bundle held for {@code mailbox}, if any. */
    Optional<Instant> expiry(MailboxKey mailbox);

    /**
     * Deletes the bundle held for {@code mailbox}.
     *
     * @return whether there was one
     */
    boolean delete(MailboxKey mailbox);

    /** How many bundles are held. */
    long count();
}
