package dev.ferry.crypto.ratchet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.ratchet.RatchetException.Reason;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Untrusted bytes, whether random or valid messages and states garbled, never make the decoders or
 * the session throw anything but {@link RatchetException}, and never change a session.
 */
class RatchetDecodingFuzzTest {
    private static final byte[] SPECIAL = {0, 1, 2, 0x08, 0x0a, 0x12, 0x1a, 0x5a, 0x7f, (byte) 0x80, (byte) 0xff};

    @Test
    void garbledMessagesAreRefusedWithTheDeclaredExceptionOnly() {
        SeededProperty.forAll("ratchet message fuzz", 3_000, random -> {
            SecureRandom keys = new DeterministicSecureRandom(random.nextLong());
            SessionPair pair = SessionPair.create(random, keys);
            RatchetSession alice = pair.alice();
            RatchetSession bob = pair.bob();
            byte[] first = alice.encrypt(SeededProperty.bytes(random, random.nextInt(64))).message();
            byte[] input = garble(random, first);
            byte[] before = bob.toBytes();
            try {
                RatchetMessage.decode(input);
                bob.decrypt(input, keys);
                assertThat(input).as("only the genuine message may decrypt").isEqualTo(first);
            } catch (RatchetException expected) {
                assertThat(expected.reason()).isNotNull();
            }
            assertThat(bob.toBytes()).isEqualTo(before);
        });
    }

    @Test
    void garbledStatesAreRefusedWithTheDeclaredExceptionOnly() {
        SecureRandom keys = new DeterministicSecureRandom(11);
        SessionPair pair = SessionPair.create(new Random(11), keys);
        RatchetSession.Encrypted first = pair.alice().encrypt(new byte[] {1});
        RatchetSession bob = decrypt(pair.bob(), first.message(), keys);
        byte[][] states = {first.next().toBytes(), bob.toBytes(), pair.bob().toBytes()};
        SeededProperty.forAll("ratchet state fuzz", 2_000, random -> {
            byte[] input = garble(random, states[random.nextInt(states.length)]);
            try {
                RatchetSession read = RatchetSession.fromBytes(input);
                assertThat(read.toBytes()).hasSizeLessThanOrEqualTo(RatchetLimits.MAX_STATE_SIZE);
            } catch (RatchetException expected) {
                assertThat(expected.reason()).isEqualTo(Reason.MALFORMED_STATE);
            }
        });
    }

    @Test
    void oversizedInputIsRefusedBeforeParsing() {
        assertThatThrownBy(() -> RatchetMessage.decode(new byte[RatchetLimits.MAX_MESSAGE_SIZE + 1]))
                .isInstanceOfSatisfying(RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        assertThatThrownBy(() -> RatchetSession.fromBytes(new byte[RatchetLimits.MAX_STATE_SIZE + 1]))
                .isInstanceOfSatisfying(RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_STATE));
        assertThatThrownBy(() -> RatchetMessage.decode(null)).isInstanceOf(RatchetException.class);
        assertThatThrownBy(() -> RatchetSession.fromBytes(null)).isInstanceOf(RatchetException.class);
    }

    @Test
    void counterAboveTheIntRangeIsMalformed() {
        byte[] message = SessionPair.create(5).alice().encrypt(new byte[3]).message();
        message[RatchetMessage.N_OFFSET] = (byte) 0x80;
        assertThatThrownBy(() -> RatchetMessage.decode(message))
                .isInstanceOfSatisfying(RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    /** Random bytes, or {@code valid} mutated one to three times. */
    private static byte[] garble(Random random, byte[] valid) {
        if (random.nextInt(5) == 0) return SeededProperty.bytes(random, random.nextInt(200));
        byte[] out = valid;
        for (int i = 1 + random.nextInt(3); i > 0; i--) out = ByteMutations.mutate(random, out, SPECIAL, 40);
        return out;
    }

    private static RatchetSession decrypt(RatchetSession state, byte[] message, SecureRandom keys) {
        try {
            return state.decrypt(message, keys).next();
        } catch (RatchetException e) {
            throw new AssertionError("honest message refused: " + e.getMessage(), e);
        }
    }
}
