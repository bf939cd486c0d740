package dev.ferry.messenger.group;

import java.util.Arrays;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.x3dh.PublicIdentity;

/**
 * A control message to carry to {@code recipient} over the pairwise (Double Ratchet) session
 * with it, which the recipient hands to {@link Groups#handle} with this member as the
 * authenticated sender. It may hold an epoch secret or a sender key: never log it.
 *
 * @param recipient the member (its identity, to check its prekey bundle if a session must be started)
 * @param control the encoded {@code GroupControl}
 */
public record Outgoing(PublicIdentity recipient, byte[] control) {
    public Outgoing {
        control = control.clone();
    }

    @Override
    public byte[] control() {
        return control.clone();
    }

    public PeerId recipientPeerId() {
        return recipient.peerId();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outgoing other && other.recipient.equals(recipient) && Arrays.equals(other.control, control);
    }

    @Override
    public int hashCode() {
        return recipient.hashCode() * 31 + Arrays.hashCode(control);
    }

    @Override
    public String toString() {
        return "Outgoing[to " + recipient.peerId() + ", " + control.length + " bytes]";
    }
}
