package dev.ferry.crypto.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.SealedEnvelope;
import java.util.Arrays;

/**
 * Envelopes come from anyone: a relay or mailbox holder reads the header, the recipient opens
 * the ciphertext. Every decoder here either returns a value or throws {@link EnvelopeException}.
 */
class EnvelopeFuzzTest {
    /** The recipient of {@link #sealedEnvelope}'s seeds ({@link SeedCorpus} seals to it). */
    static final X25519.KeyPair RECIPIENT = FuzzFixtures.x25519(1);

    /** Relay-visible headers: a header whose id matches its fields, or EnvelopeException; it re-encodes to itself. */
    @FuzzTest
    void headerBytes(byte[] input) {
        EnvelopeHeader header;
        try {
            header = EnvelopeHeader.decode(input);
        } catch (EnvelopeException expected) {
            return;
        }
        if (header.dataShards() + header.parityShards() > EnvelopeLimits.MAX_TOTAL_SHARDS
                || header.shardHashes().size() != header.dataShards() + header.parityShards()) {
            throw new AssertionError("accepted a header beyond the shard limit: " + header);
        }
        if (header.ciphertextLength() > EnvelopeLimits.MAX_CIPHERTEXT_LENGTH) throw new AssertionError("accepted an oversized ciphertext length");
        try {
            if (!EnvelopeHeader.decode(header.encode()).equals(header)) throw new AssertionError("header does not round-trip");
        } catch (EnvelopeException e) {
            throw new AssertionError("a decoded header's own encoding is refused", e);
        }
    }

    /** Opened inner content: content within the payload limit, or EnvelopeException; it round-trips. */
    @FuzzTest
    void innerContentBytes(byte[] input) {
        InnerContent content;
        try {
            content = InnerContent.decode(input);
        } catch (EnvelopeException expected) {
            return;
        }
        if (content.payload().length > EnvelopeLimits.MAX_PAYLOAD_LENGTH) throw new AssertionError("accepted an oversized payload");
        try {
            if (!InnerContent.decode(content.encode()).equals(content)) throw new AssertionError("inner content does not round-trip");
        } catch (EnvelopeException e) {
            throw new AssertionError("decoded content's own encoding is refused", e);
        }
    }

    /**
     * A header and ciphertext as a mailbox hands them over (a 2-byte header length, the header,
     * the ciphertext), opened by the recipient: inner content, or EnvelopeException.
     */
    @FuzzTest
    void sealedEnvelope(byte[] input) {
        if (input.length < 2) return;
        int headerLength = Math.min(((input[0] & 0xFF) << 8) | (input[1] & 0xFF), input.length - 2);
        byte[] headerBytes = Arrays.copyOfRange(input, 2, 2 + headerLength);
        byte[] ciphertext = Arrays.copyOfRange(input, 2 + headerLength, input.length);
        try {
            EnvelopeHeader header = EnvelopeHeader.decode(headerBytes);
            SealedEnvelope.open(RECIPIENT, header, ciphertext, FuzzFixtures.NOW);
        } catch (EnvelopeException expected) {
            // refused with a reason
        }
    }
}
