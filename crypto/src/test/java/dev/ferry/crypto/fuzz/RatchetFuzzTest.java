package dev.ferry.crypto.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.ratchet.RatchetException;
import dev.ferry.crypto.ratchet.RatchetLimits;
import dev.ferry.crypto.ratchet.RatchetMessage;
import dev.ferry.crypto.ratchet.RatchetSession;
import java.util.Arrays;

/** Double Ratchet messages arrive inside sealed envelopes from anyone who knows the mailbox. */
class RatchetFuzzTest {
    static final byte[] SHARED_SECRET = new byte[32];
    static final byte[] ASSOCIATED_DATA = "ferry fuzz associated data".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final X25519.KeyPair BOB_PREKEY = FuzzFixtures.x25519(2);

    /** The initiator of {@link #sessionDecrypt}'s seeds: its messages are what the responder expects. */
    static RatchetSession alice() {
        return RatchetSession.initAsInitiator(SHARED_SECRET, ASSOCIATED_DATA, BOB_PREKEY.publicKey(), FuzzFixtures.random(3));
    }

    static RatchetSession bob() {
        return RatchetSession.initAsResponder(SHARED_SECRET, ASSOCIATED_DATA, BOB_PREKEY);
    }

    /** The header: a message or RatchetException (never for counters past the limit); bytes round-trip. */
    @FuzzTest
    void messageBytes(byte[] input) {
        RatchetMessage message;
        try {
            message = RatchetMessage.decode(input);
        } catch (RatchetException expected) {
            return;
        }
        if (input.length > RatchetLimits.MAX_MESSAGE_SIZE) throw new AssertionError("accepted an oversized message");
        if (message.messageNumber() < 0 || message.previousChainLength() < 0) throw new AssertionError("negative counter accepted");
        if (!Arrays.equals(message.encode(), input)) throw new AssertionError("message bytes do not round-trip");
    }

    /**
     * A fresh responder decrypts the bytes: a plaintext or RatchetException, and however far ahead
     * the header claims to be, no more skipped keys than {@link RatchetLimits#MAX_SKIPPED_KEYS}.
     */
    @FuzzTest
    void sessionDecrypt(byte[] input) {
        RatchetSession bob = bob();
        try {
            RatchetSession.Decrypted decrypted = bob.decrypt(input, FuzzFixtures.random(4));
            if (decrypted.next().skippedMessageKeyCount() > RatchetLimits.MAX_SKIPPED_KEYS) {
                throw new AssertionError("kept " + decrypted.next().skippedMessageKeyCount() + " skipped keys");
            }
        } catch (RatchetException expected) {
            // refused; the state is unchanged
        }
        if (bob.skippedMessageKeyCount() != 0) throw new AssertionError("a refused message changed the state");
    }
}
