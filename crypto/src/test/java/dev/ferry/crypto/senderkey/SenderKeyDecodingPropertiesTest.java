package dev.ferry.crypto.senderkey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.SeededProperty;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated bytes given to every sender-key decoder, and to decryption: the only
 * failure is the declared {@link SenderKeyException}, and a refused message changes nothing.
 */
class SenderKeyDecodingPropertiesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Field tags of the formats under test, and varint continuation bytes. */
    private static final byte[] SPECIAL = {0x08, 0x0a, 0x10, 0x12, 0x18, 0x1a, 0x20, 0x22, 0x2a, 0x32, (byte) 0x80, (byte) 0xff, 0};

    private interface Decoder {
        void decode(byte[] bytes) throws SenderKeyException;
    }

    private static void onlyDeclaredFailures(String name, byte[] valid, Decoder decoder) {
        SeededProperty.forAll(name, 400, random -> {
            byte[] input = random.nextInt(4) == 0
                    ? SeededProperty.bytes(random, random.nextInt(200))
                    : ByteMutations.mutate(random, valid, SPECIAL, 16);
            try {
                decoder.decode(input);
            } catch (SenderKeyException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        });
    }

    @Test
    void shouldDecodeGarbageMessagesDistributionsAndStatesToTheDeclaredExceptionOnly() throws Exception {
        IdentityKeyPair alice = IdentityKeyPair.generate(RANDOM);
        IdentityKeyPair bob = IdentityKeyPair.generate(RANDOM);
        byte[] group = {7, 7, 7};
        GroupSenderKeys aliceKeys = GroupSenderKeys.create(group, alice.publicKey(), 3, RANDOM);
        GroupSenderKeys bobKeys = GroupSenderKeys.create(group, bob.publicKey(), 3, RANDOM).accept(aliceKeys.distribution(), alice.publicKey());
        GroupSenderKeys.Encrypted first = aliceKeys.encrypt(new byte[] {1, 2, 3});
        GroupSenderKeys.Encrypted second = first.next().encrypt(new byte[] {4, 5, 6});
        bobKeys = bobKeys.decrypt(second.message()).next();
        GroupSenderKeys receiver = bobKeys;
        byte[] state = receiver.encode();

        onlyDeclaredFailures("sender key message", first.message(), SenderKeyMessage::decode);
        onlyDeclaredFailures("sender key distribution", aliceKeys.distribution().encode(), SenderKeyDistribution::decode);
        onlyDeclaredFailures("group sender key state", state, bytes -> GroupSenderKeys.decode(bytes));
        onlyDeclaredFailures("group message decryption", first.message(), bytes -> {
            GroupSenderKeys.Decrypted decrypted = receiver.decrypt(bytes);
            // A mutation that keeps the signed body (an unknown field appended, say) still reads correctly.
            assertThat(decrypted.plaintext()).isEqualTo(new byte[] {1, 2, 3});
        });
        assertThat(receiver.encode()).isEqualTo(state);
    }

    @Test
    void shouldRoundTripRandomHistoriesExactly() {
        SeededProperty.forAll("sender key state round trip", 30, random -> {
            try {
                IdentityKeyPair alice = IdentityKeyPair.generate(RANDOM);
                IdentityKeyPair bob = IdentityKeyPair.generate(RANDOM);
                byte[] group = SeededProperty.bytes(random, 1 + random.nextInt(SenderKeyLimits.MAX_GROUP_ID_LENGTH));
                GroupSenderKeys sender = GroupSenderKeys.create(group, alice.publicKey(), random.nextInt(5), RANDOM);
                GroupSenderKeys receiver = GroupSenderKeys.create(group, bob.publicKey(), sender.currentEpoch(), RANDOM)
                        .accept(sender.distribution(), alice.publicKey());
                int count = 1 + random.nextInt(30);
                List<byte[]> messages = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    GroupSenderKeys.Encrypted step = sender.encrypt(SeededProperty.bytes(random, random.nextInt(50)));
                    messages.add(step.message());
                    sender = step.next();
                }
                // Some of the messages, each once, in a random order: skipped keys are left behind.
                Collections.shuffle(messages, random);
                for (byte[] message : messages.subList(0, random.nextInt(count + 1))) receiver = receiver.decrypt(message).next();

                byte[] encoded = receiver.encode();
                GroupSenderKeys decoded = GroupSenderKeys.decode(encoded);
                assertThat(decoded).isEqualTo(receiver);
                assertThat(decoded.encode()).isEqualTo(encoded);
                assertThat(GroupSenderKeys.decode(sender.encode())).isEqualTo(sender);
            } catch (SenderKeyException e) {
                throw new AssertionError(e);
            }
        });
    }
}
