package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import java.util.List;

/**
 * Told of each ACK a {@link MailboxServer} accepted, after the envelope's shards were deleted and
 * its tombstone written, so that the node can forward the ACK to the envelope's other holders
 * (with {@link MailboxClient#ack}). Called on the server's thread: hand work off, never block.
 */
@FunctionalInterface
public interface AckListener {
    /** Does nothing: for a holder that does not forward ACKs. */
    AckListener NONE = (header, secret, from, notified) -> {};

    /**
     * {@code from} acknowledged the envelope of {@code header} with {@code secret}, which hashes to
     * its ACK hash, and says it acknowledges it to the holders {@code notified} as well.
     */
    void acknowledged(EnvelopeHeader header, AckSecret secret, PeerId from, List<PeerId> notified);
}
