package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.store.MailboxKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;

/**
 * A mailbox owner's signed permission for one FETCH or WATCH at one holder. The owner is whoever
 * holds the key pair whose PeerId names the mailbox ({@code Mailbox.keyFor(PeerId) == mailbox}):
 * the recipient for a 1:1 mailbox, any member for a group mailbox whose key pair the members
 * share; never assumed to be the peer on the stream.
 *
 * <p>The Ed25519 signature covers {@code label || len(holder) (1) || holder PeerId || mailbox (32)
 * || len(cursor) (1) || cursor || timestamp ms (8, big-endian)}, with label
 * {@code "ferry/mailbox/v1/fetch"} or {@code "ferry/mailbox/v1/watch"}: it cannot be used at
 * another holder, for another page, for the other request, or outside the holder's skew window.
 *
 * @param ownerPublicKey the owner's public key, libp2p protobuf form
 * @param mailbox the mailbox
 * @param timestampMillis when it was signed, by the owner's clock
 * @param signature the Ed25519 signature
 */
record MailboxAuthorisation(byte[] ownerPublicKey, MailboxKey mailbox, long timestampMillis, byte[] signature) {
    /** What the signature allows; each has its own label so that one cannot stand for the other. */
    enum Purpose {
        FETCH("ferry/mailbox/v1/fetch"),
        WATCH("ferry/mailbox/v1/watch");

        private final byte[] label;

        Purpose(String label) {
            this.label = label.getBytes(StandardCharsets.US_ASCII);
        }
    }

    MailboxAuthorisation {
        ownerPublicKey = ownerPublicKey.clone();
        signature = signature.clone();
    }

    /** Signs permission for {@code purpose} at {@code holder}, at {@code now}. */
    static MailboxAuthorisation sign(Purpose purpose, IdentityKeyPair owner, PeerId holder, MailboxKey mailbox,
            byte[] cursor, Instant now) {
        long millis = now.toEpochMilli();
        return new MailboxAuthorisation(owner.publicKey().marshal(), mailbox, millis,
                owner.sign(signedBytes(purpose, holder, mailbox, cursor, millis)));
    }

    /**
     * Checks the permission for {@code purpose} at {@code holder} (this node): the owner key names
     * the mailbox, the signature verifies, and the timestamp is within {@code skew} of {@code now}.
     */
    MailboxReply verify(Purpose purpose, PeerId holder, byte[] cursor, Instant now, Duration skew) {
        IdentityPublicKey owner;
        try {
            owner = IdentityPublicKey.unmarshal(ownerPublicKey);
        } catch (IllegalArgumentException e) {
            return MailboxReply.of(MailboxStatus.BAD_OWNER_KEY, "owner key: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(Mailbox.keyFor(owner.toPeerId()), mailbox.bytes())) {
            return MailboxReply.of(MailboxStatus.WRONG_MAILBOX, "the owner key's mailbox is not " + mailbox);
        }
        // The clock check first: it is cheap, and an old request is refused without an Ed25519 verification.
        long nowMillis = now.toEpochMilli();
        if (timestampMillis < nowMillis - skew.toMillis() || timestampMillis > nowMillis + skew.toMillis()) {
            return MailboxReply.of(MailboxStatus.STALE_AUTHORISATION,
                    "signed at " + timestampMillis + " ms, more than " + skew.toSeconds() + " s from this holder's clock");
        }
        if (!owner.verify(signedBytes(purpose, holder, mailbox, cursor, timestampMillis), signature)) {
            return MailboxReply.of(MailboxStatus.BAD_SIGNATURE,
                    "the signature is not the owner's for this holder, mailbox, cursor and time");
        }
        return MailboxReply.OK;
    }

    private static byte[] signedBytes(Purpose purpose, PeerId holder, MailboxKey mailbox, byte[] cursor, long millis) {
        byte[] holderBytes = holder.toBytes();
        return ByteBuffer.allocate(purpose.label.length + 1 + holderBytes.length + MailboxKey.LENGTH + 1 + cursor.length
                        + Long.BYTES)
                .put(purpose.label).put((byte) holderBytes.length).put(holderBytes).put(mailbox.bytes())
                .put((byte) cursor.length).put(cursor).putLong(millis)
                .array();
    }

    @Override
    public String toString() {
        return "MailboxAuthorisation[" + mailbox + " at " + timestampMillis + "]";
    }
}
