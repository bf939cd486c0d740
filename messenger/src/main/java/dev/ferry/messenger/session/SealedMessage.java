package dev.ferry.messenger.session;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.store.StoreBatch;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An application message sealed for a peer, and the session change that sealing it made.
 *
 * <p>Write {@link #commit()} in one store batch together with the outbox entry, and only then let
 * the envelope leave the node: the ratchet state it writes is the one that used this message's
 * key, and sealing again from the state before it would reuse that key. If the batch is not
 * written, nothing changed and the envelope must be dropped. A commit computed from a record that
 * has changed since throws {@link StaleSessionRecordException} inside the batch, which then
 * applies nothing.
 *
 * @param recipient the peer it is for
 * @param sealed the envelope before its header: choose {@link SealedEnvelope.Sealed#directHeader()}
 *     or {@link SealedEnvelope.Sealed#codedHeader}
 * @param sequence its number in our sequence towards the recipient; -1 for a floor update, which has none
 * @param carriesInitialMessage whether it carries our X3DH initial message (the session is not answered yet)
 * @param commit the session change, for the caller's batch
 */
public record SealedMessage(PeerId recipient, SealedEnvelope.Sealed sealed, long sequence, boolean carriesInitialMessage,
        Consumer<StoreBatch> commit) {
    public SealedMessage {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(commit, "commit");
    }

    @Override
    public String toString() {
        return "SealedMessage[to " + recipient + (sequence < 0 ? ", floor update" : ", #" + sequence) + (carriesInitialMessage ? ", with initial message" : "")
                + ", " + sealed + "]";
    }
}
