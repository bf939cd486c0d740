package dev.ferry.messenger.session;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.StoreBatch;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** What opening a received envelope gave: the messages now deliverable and the change to write, or a refusal. */
public sealed interface OpenResult {
    /**
     * The envelope was accepted.
     *
     * <p>Write {@link #commit()} in one store batch together with the inbox entries of
     * {@link #deliverable()} (in their order), then acknowledge with {@link #ackSecret()}. The
     * commit writes the session record and a tombstone of the envelope until its expiry, so that
     * the same envelope is refused later. If the batch is not written, nothing changed.
     *
     * @param sender the peer it came from, authenticated by the session
     * @param envelope the envelope's id
     * @param deliverable messages now deliverable, in order: none when this one was held until a
     *     gap closes, several when it closed one
     * @param ackSecret what acknowledges the envelope
     * @param startedSession whether it started a new session (the peer's X3DH initial message)
     * @param peerRestarted whether the peer lost its state and started a new sequence: our
     *     messages sent before will never be read by it
     * @param commit the change, for the caller's batch
     */
    record Accepted(PeerId sender, EnvelopeId envelope, List<ReceivedMessage> deliverable, AckSecret ackSecret,
            boolean startedSession, boolean peerRestarted, Consumer<StoreBatch> commit) implements OpenResult {
        public Accepted {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(envelope, "envelope");
            deliverable = List.copyOf(deliverable);
            Objects.requireNonNull(ackSecret, "ackSecret");
            Objects.requireNonNull(commit, "commit");
        }

        @Override
        public String toString() {
            return "Accepted[from " + sender + ", " + envelope + ", deliverable " + deliverable.stream().map(ReceivedMessage::sequence).toList()
                    + (startedSession ? ", new session" : "") + (peerRestarted ? ", peer restarted" : "") + "]";
        }
    }

    /**
     * The envelope was refused; nothing changed.
     *
     * @param reason why
     * @param claimedSender the inner sender, when the seal opened: a claim, not authenticated
     * @param ackSecret the envelope's ACK secret, when the seal opened
     * @param detail a line for logs and metrics (no secrets)
     */
    record Refused(Refusal reason, Optional<PeerId> claimedSender, Optional<AckSecret> ackSecret, String detail)
            implements OpenResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(claimedSender, "claimedSender");
            Objects.requireNonNull(ackSecret, "ackSecret");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return "Refused[" + reason + ", " + detail + claimedSender.map(p -> ", claimed sender " + p).orElse("") + "]";
        }
    }
}
