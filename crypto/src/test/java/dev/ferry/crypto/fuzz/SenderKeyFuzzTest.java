package dev.ferry.crypto.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.senderkey.GroupSenderKeys;
import dev.ferry.crypto.senderkey.SenderKeyDistribution;
import dev.ferry.crypto.senderkey.SenderKeyException;
import dev.ferry.crypto.senderkey.SenderKeyLimits;
import dev.ferry.crypto.senderkey.SenderKeyMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Group messages arrive on the group's topic from anyone; distributions arrive over pairwise sessions. */
class SenderKeyFuzzTest {
    static final byte[] GROUP_ID = "fuzz-group".getBytes(StandardCharsets.US_ASCII);
    static final IdentityKeyPair ALICE = FuzzFixtures.nodeKey(11);
    static final IdentityKeyPair BOB = FuzzFixtures.nodeKey(12);

    /** The sender of {@link #groupDecrypt}'s seeds. */
    static GroupSenderKeys alice() {
        return GroupSenderKeys.create(GROUP_ID, ALICE.publicKey(), 0, FuzzFixtures.random(5));
    }

    /** A member that holds alice's chain of epoch 0. */
    private static final GroupSenderKeys BOB_KEYS;

    static {
        try {
            BOB_KEYS = GroupSenderKeys.create(GROUP_ID, BOB.publicKey(), 0, FuzzFixtures.random(6))
                    .accept(alice().distribution(), ALICE.publicKey());
        } catch (SenderKeyException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A message of the right shape, or SenderKeyException; it re-encodes to what decodes to the same. */
    @FuzzTest
    void messageBytes(byte[] input) {
        SenderKeyMessage message;
        try {
            message = SenderKeyMessage.decode(input);
        } catch (SenderKeyException expected) {
            return;
        }
        if (message.groupId().length > SenderKeyLimits.MAX_GROUP_ID_LENGTH || message.iteration() < 0) {
            throw new AssertionError("accepted a message outside the limits: " + message);
        }
        try {
            byte[] encoded = message.encode();
            if (!Arrays.equals(SenderKeyMessage.decode(encoded).encode(), encoded)) throw new AssertionError("message does not round-trip");
        } catch (SenderKeyException e) {
            throw new AssertionError("a decoded message's own encoding is refused", e);
        }
    }

    /** A distribution, or SenderKeyException; it round-trips. */
    @FuzzTest
    void distributionBytes(byte[] input) {
        SenderKeyDistribution distribution;
        try {
            distribution = SenderKeyDistribution.decode(input);
        } catch (SenderKeyException expected) {
            return;
        }
        try {
            byte[] encoded = distribution.encode();
            if (!Arrays.equals(SenderKeyDistribution.decode(encoded).encode(), encoded)) {
                throw new AssertionError("distribution does not round-trip");
            }
        } catch (SenderKeyException e) {
            throw new AssertionError("a decoded distribution's own encoding is refused", e);
        }
    }

    /**
     * A member decrypts the bytes: a plaintext of the one sender it holds a chain of, or
     * SenderKeyException. An iteration far ahead is refused past {@link SenderKeyLimits#MAX_FORWARD}
     * steps rather than computed (the fuzzer's per-input timeout would catch the work).
     */
    @FuzzTest
    void groupDecrypt(byte[] input) {
        try {
            GroupSenderKeys.Decrypted decrypted = BOB_KEYS.decrypt(input);
            if (!decrypted.sender().equals(ALICE.publicKey())) throw new AssertionError("decrypted a message of a sender we hold no chain of");
        } catch (SenderKeyException expected) {
            // refused; BOB_KEYS is immutable, so the next input starts from the same state
        }
    }
}
