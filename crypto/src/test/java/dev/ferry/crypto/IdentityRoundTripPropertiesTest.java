package dev.ferry.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded randomized round trips of keys, signatures and PeerIds. */
class IdentityRoundTripPropertiesTest {
    private static IdentityKeyPair randomKeyPair(Random random) {
        return IdentityKeyPair.fromSeed(SeededProperty.bytes(random, IdentityKeyPair.SEED_LENGTH));
    }

    @Test
    void privateKeyProtobufRoundTripsToTheSameIdentity() {
        SeededProperty.forAll(300, random -> {
            IdentityKeyPair pair = randomKeyPair(random);
            IdentityKeyPair reloaded = IdentityKeyPair.unmarshalPrivateKey(pair.marshalPrivateKey());

            assertThat(reloaded.peerId()).isEqualTo(pair.peerId());
            assertThat(reloaded.marshalPrivateKey()).isEqualTo(pair.marshalPrivateKey());
        });
    }

    @Test
    void publicKeyProtobufRoundTrips() {
        SeededProperty.forAll(300, random -> {
            IdentityPublicKey key = randomKeyPair(random).publicKey();

            assertThat(IdentityPublicKey.unmarshal(key.marshal())).isEqualTo(key).hasSameHashCodeAs(key);
            assertThat(IdentityPublicKey.fromRaw(key.raw())).isEqualTo(key);
        });
    }

    @Test
    void peerIdRoundTripsThroughEveryForm() {
        SeededProperty.forAll(300, random -> {
            PeerId peer = randomKeyPair(random).peerId();

            assertThat(peer.toBase58()).startsWith("12D3KooW");
            assertThat(PeerId.parse(peer.toBase58())).isEqualTo(peer);
            assertThat(PeerId.parse(peer.toCidString())).isEqualTo(peer);
            assertThat(PeerId.fromBytes(peer.toBytes())).isEqualTo(peer);
            assertThat(peer.extractPublicKey()).map(IdentityPublicKey::toPeerId).contains(peer);
        });
    }

    @Test
    void sha256PeerIdsRoundTripToo() {
        SeededProperty.forAll(300, random -> {
            byte[] bytes = new byte[34];
            bytes[0] = 0x12;
            bytes[1] = 32;
            System.arraycopy(SeededProperty.bytes(random, 32), 0, bytes, 2, 32);
            PeerId peer = PeerId.fromBytes(bytes);

            assertThat(peer.toBase58()).startsWith("Qm");
            assertThat(PeerId.parse(peer.toBase58())).isEqualTo(peer);
            assertThat(PeerId.parse(peer.toCidString())).isEqualTo(peer);
        });
    }

    @Test
    void signaturesVerifyAndAnyFlippedBitBreaksThem() {
        SeededProperty.forAll(200, random -> {
            IdentityKeyPair pair = randomKeyPair(random);
            byte[] message = SeededProperty.bytes(random, random.nextInt(200));
            byte[] signature = pair.sign(message);

            assertThat(pair.publicKey().verify(message, signature)).isTrue();

            byte[] badSignature = signature.clone();
            int bit = random.nextInt(badSignature.length * 8);
            badSignature[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(pair.publicKey().verify(message, badSignature)).isFalse();

            if (message.length > 0) {
                byte[] badMessage = message.clone();
                int messageBit = random.nextInt(badMessage.length * 8);
                badMessage[messageBit / 8] ^= (byte) (1 << (messageBit % 8));
                assertThat(pair.publicKey().verify(badMessage, signature)).isFalse();
            }
        });
    }

    @Test
    void randomTextNeverParsesAsAPeerIdByAccidentOrThrowsOtherThanIllegalArgument() {
        String alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl/:bfzQm";
        SeededProperty.forAll(3_000, random -> {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(70);
            for (int i = 0; i < length; i++) text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            try {
                PeerId peer = PeerId.parse(text.toString());
                // Whatever parses must print back to text that parses to the same PeerId.
                assertThat(PeerId.parse(peer.toBase58())).isEqualTo(peer);
            } catch (IllegalArgumentException refused) {
                assertThat(refused.getMessage()).startsWith("invalid PeerId");
            }
        });
    }
}
