package dev.ferry.messenger;

import dev.ferry.store.EnvelopeId;
import java.util.List;

/**
 * A file the user sent: what it is and the envelopes that carry it, in order. The last envelope's
 * delivery state is the file's: pieces arrive in order, so it is delivered once every piece is.
 *
 * @param file the file
 * @param envelopes its pieces' envelopes, first piece first
 */
public record SentFile(FileInfo file, List<EnvelopeId> envelopes) {
    /** Copies the list. */
    public SentFile {
        envelopes = List.copyOf(envelopes);
    }

    /** The envelope whose state is the file's. */
    public EnvelopeId lastEnvelope() {
        return envelopes.getLast();
    }
}
