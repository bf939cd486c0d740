package dev.ferry.crypto.ratchet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.SeededProperty;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A session state, in any shape a conversation can leave it (fresh, mid-chain, skipped keys from
 * several chains), serialises to protobuf and back exactly: equal, the same bytes again, and
 * behaving the same afterwards.
 */
class RatchetStateRoundTripTest {
    @Test
    void everyReachableStateRoundTripsExactly() {
        SeededProperty.forAll("ratchet state round trip", 200, random -> {
            SecureRandom keys = new DeterministicSecureRandom(random.nextLong());
            SessionPair pair = SessionPair.create(random, keys);
            RatchetSession[] parties = {pair.alice(), pair.bob()};
            List<List<byte[]>> inbound = List.of(new ArrayList<>(), new ArrayList<>());
            int steps = random.nextInt(60);
            for (int i = 0; i < steps; i++) {
                int who = random.nextInt(2);
                if (random.nextInt(3) > 0 && parties[who].canSend()) {
                    RatchetSession.Encrypted e = parties[who].encrypt(SeededProperty.bytes(random, random.nextInt(50)));
                    parties[who] = e.next();
                    inbound.get(1 - who).add(e.message());
                } else if (!inbound.get(who).isEmpty()) {
                    byte[] message = inbound.get(who).remove(random.nextInt(inbound.get(who).size()));
                    parties[who] = decrypt(parties[who], message, keys);
                }
            }
            for (RatchetSession state : parties) assertRoundTrips(state);
            // The read-back state continues exactly as the original would.
            RatchetSession bob = readBack(parties[1]);
            for (byte[] message : inbound.get(1)) {
                RatchetSession original = decrypt(parties[1], message, new DeterministicSecureRandom(1));
                RatchetSession copy = decrypt(bob, message, new DeterministicSecureRandom(1));
                assertThat(copy).isEqualTo(original);
            }
        });
    }

    @Test
    void aStateReadBackFromRandomFieldValuesWritesTheSameBytes() {
        SeededProperty.forAll("ratchet state from random fields", 300, random -> {
            com.google.protobuf.ByteString ownPrivate = bytes(random, 32);
            // States written before the public key was kept lack it; it is derived then, and written from then on.
            boolean withPublicKey = random.nextBoolean();
            com.google.protobuf.ByteString ownPublic = com.google.protobuf.ByteString.copyFrom(
                    dev.ferry.crypto.X25519.fromPrivateKey(ownPrivate.toByteArray()).publicKey());
            dev.ferry.crypto.proto.RatchetProto.RatchetSessionState.Builder state =
                    dev.ferry.crypto.proto.RatchetProto.RatchetSessionState.newBuilder()
                            .setVersion(RatchetSession.STATE_VERSION)
                            .setAssociatedData(bytes(random, random.nextInt(RatchetLimits.MAX_ASSOCIATED_DATA_SIZE + 1)))
                            .setRootKey(bytes(random, 32))
                            .setOwnRatchetPrivateKey(ownPrivate)
                            .setSendingMessageNumber(random.nextInt(RatchetLimits.MAX_MESSAGE_NUMBER))
                            .setReceivingMessageNumber(random.nextInt(RatchetLimits.MAX_MESSAGE_NUMBER))
                            .setPreviousSendingChainLength(random.nextInt(RatchetLimits.MAX_MESSAGE_NUMBER));
            if (random.nextBoolean()) {
                state.setRemoteRatchetPublicKey(bytes(random, 32));
                if (random.nextBoolean()) state.setSendingChainKey(bytes(random, 32));
                if (random.nextBoolean()) state.setReceivingChainKey(bytes(random, 32));
            }
            int skipped = random.nextInt(4) == 0 ? RatchetLimits.MAX_SKIPPED_KEYS : random.nextInt(50);
            for (int i = 0; i < skipped; i++) {
                state.addSkippedMessageKeys(dev.ferry.crypto.proto.RatchetProto.SkippedMessageKey.newBuilder()
                        .setRatchetPublicKey(bytes(random, 32)).setMessageNumber(i).setMessageKey(bytes(random, 32)));
            }
            if (withPublicKey) state.setOwnRatchetPublicKey(ownPublic);
            byte[] encoded = state.build().toByteArray();
            assertThat(encoded.length).isLessThanOrEqualTo(RatchetLimits.MAX_STATE_SIZE);
            RatchetSession session = readBack(encoded);
            assertThat(session.toBytes()).isEqualTo(state.setOwnRatchetPublicKey(ownPublic).build().toByteArray());
            assertThat(session.skippedMessageKeyCount()).isEqualTo(skipped);
            assertRoundTrips(session);
        });
    }

    private static com.google.protobuf.ByteString bytes(Random random, int length) {
        return com.google.protobuf.ByteString.copyFrom(SeededProperty.bytes(random, length));
    }

    private static void assertRoundTrips(RatchetSession state) {
        byte[] bytes = state.toBytes();
        RatchetSession back = readBack(bytes);
        assertThat(back).isEqualTo(state);
        assertThat(back.hashCode()).isEqualTo(state.hashCode());
        assertThat(back.toBytes()).isEqualTo(bytes);
        assertThat(back.toString()).isEqualTo(state.toString());
        assertThat(back.canSend()).isEqualTo(state.canSend());
    }

    private static RatchetSession readBack(RatchetSession state) {
        return readBack(state.toBytes());
    }

    private static RatchetSession readBack(byte[] bytes) {
        try {
            return RatchetSession.fromBytes(bytes);
        } catch (RatchetException e) {
            throw new AssertionError("state did not read back: " + e.getMessage(), e);
        }
    }

    private static RatchetSession decrypt(RatchetSession state, byte[] message, SecureRandom keys) {
        try {
            return state.decrypt(message, keys).next();
        } catch (RatchetException e) {
            throw new AssertionError("honest message refused: " + e.getMessage(), e);
        }
    }
}
