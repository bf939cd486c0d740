package dev.ferry.messenger.direct;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import java.util.concurrent.CompletableFuture;

/**
 * The recipient's side of direct delivery: opens and keeps an envelope, and answers with its ACK
 * secret or a refusal. Called on the executor the {@link DirectServer} was given, never on an
 * event loop; the header's id was checked and the ciphertext is the one it commits to.
 */
@FunctionalInterface
public interface DirectHandler {
    /**
     * @param from the peer that delivered it (the connection's authenticated peer, not the sender,
     *     whom the envelope hides)
     */
    CompletableFuture<DirectAnswer> handle(PeerId from, EnvelopeHeader header, byte[] ciphertext);
}
