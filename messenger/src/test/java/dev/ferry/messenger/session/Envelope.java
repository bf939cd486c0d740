package dev.ferry.messenger.session;

import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.SealedEnvelope;

/** An envelope in flight in these tests: the direct header and the ciphertext. */
record Envelope(EnvelopeHeader header, byte[] ciphertext) {
    static Envelope of(SealedEnvelope.Sealed sealed) {
        return new Envelope(sealed.directHeader(), sealed.ciphertext());
    }
}
