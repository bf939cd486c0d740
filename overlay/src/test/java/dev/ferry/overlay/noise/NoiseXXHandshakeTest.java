package dev.ferry.overlay.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.X25519;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class NoiseXXHandshakeTest {
    private static final HexFormat HEX = HexFormat.of();
    private final SecureRandom random = new SecureRandom();

    /**
     * The Noise_XX_25519_ChaChaPoly_SHA256 vector of the cacophony test suite (as shipped in
     * snow's tests/vectors/cacophony.txt): three handshake messages, then transport messages
     * that alternate direction, starting with the responder.
     */
    @Test
    void shouldReproduceTheCacophonyTestVector() throws Exception {
        byte[] prologue = HEX.parseHex("4a6f686e2047616c74");
        XXHandshake initiator = XXHandshake.withFixedKeys(true, prologue,
                X25519.fromPrivateKey(HEX.parseHex("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1")),
                X25519.fromPrivateKey(HEX.parseHex("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a")));
        XXHandshake responder = XXHandshake.withFixedKeys(false, prologue,
                X25519.fromPrivateKey(HEX.parseHex("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893")),
                X25519.fromPrivateKey(HEX.parseHex("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b")));
        String[][] messages = {
            {"4c756477696720766f6e204d69736573",
             "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
            {"4d757272617920526f746862617264",
             "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"},
            {"462e20412e20486179656b",
             "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
            {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
            {"4a65616e2d426170746973746520536179", "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
            {"457567656e2042f6686d20766f6e2042617765726b", "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"},
        };

        for (int i = 0; i < 3; i++) {
            XXHandshake writer = i % 2 == 0 ? initiator : responder;
            XXHandshake reader = i % 2 == 0 ? responder : initiator;
            byte[] payload = HEX.parseHex(messages[i][0]);
            byte[] message = writer.writeMessage(payload);
            assertThat(HEX.formatHex(message)).as("handshake message %d", i).isEqualTo(messages[i][1]);
            assertThat(reader.readMessage(message)).isEqualTo(payload);
            if (i == 1) {
                // This copy of the vectors records h as it stands before the last handshake
                // message (its NN vectors do the same: h after message 1 of 2), so compare there.
                String handshakeHash = "e37b138ecd936a2b3c3532fb2cc499bdee2746dbfc19e9490964c79fd14bd88b";
                assertThat(HEX.formatHex(initiator.handshakeHash())).isEqualTo(handshakeHash);
                assertThat(HEX.formatHex(responder.handshakeHash())).isEqualTo(handshakeHash);
            }
        }
        assertThat(initiator.isComplete()).isTrue();
        assertThat(responder.isComplete()).isTrue();
        assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());

        XXHandshake.TransportCiphers initiatorCiphers = initiator.split();
        XXHandshake.TransportCiphers responderCiphers = responder.split();
        for (int i = 3; i < messages.length; i++) {
            boolean fromInitiator = i % 2 == 0;
            CipherState sender = fromInitiator ? initiatorCiphers.sender() : responderCiphers.sender();
            CipherState receiver = fromInitiator ? responderCiphers.receiver() : initiatorCiphers.receiver();
            byte[] payload = HEX.parseHex(messages[i][0]);
            ByteBuffer ciphertext = ByteBuffer.allocate(payload.length + CipherState.TAG_LENGTH);
            sender.encrypt(ByteBuffer.wrap(payload), ciphertext);
            assertThat(HEX.formatHex(ciphertext.array())).as("transport message %d", i).isEqualTo(messages[i][1]);
            ByteBuffer plaintext = ByteBuffer.allocate(payload.length);
            receiver.decrypt(ciphertext.flip(), plaintext);
            assertThat(plaintext.array()).isEqualTo(payload);
        }
    }

    @Test
    void shouldCompleteBothRolesAndCarryTransportMessagesBothWays() throws Exception {
        X25519.KeyPair initiatorStatic = X25519.generate(random);
        X25519.KeyPair responderStatic = X25519.generate(random);
        XXHandshake initiator = XXHandshake.initiator(initiatorStatic, random);
        XXHandshake responder = XXHandshake.responder(responderStatic, random);
        assertThat(initiator.isMyTurnToWrite()).isTrue();
        assertThat(responder.isMyTurnToWrite()).isFalse();

        assertThat(responder.readMessage(initiator.writeMessage(new byte[0]))).isEmpty();
        assertThat(initiator.readMessage(responder.writeMessage(bytes("from responder")))).isEqualTo(bytes("from responder"));
        assertThat(initiator.remoteStaticKey()).isEqualTo(responderStatic.publicKey());
        assertThat(responder.readMessage(initiator.writeMessage(bytes("from initiator")))).isEqualTo(bytes("from initiator"));
        assertThat(responder.remoteStaticKey()).isEqualTo(initiatorStatic.publicKey());
        assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());

        XXHandshake.TransportCiphers i = initiator.split();
        XXHandshake.TransportCiphers r = responder.split();
        for (int n = 0; n < 5; n++) {
            assertThat(roundTrip(i.sender(), r.receiver(), "ping " + n)).isEqualTo("ping " + n);
            assertThat(roundTrip(r.sender(), i.receiver(), "pong " + n)).isEqualTo("pong " + n);
        }
        assertThatThrownBy(initiator::split).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectEveryTamperedByteOfTheSecondAndThirdMessages() {
        for (int step = 1; step <= 2; step++) {
            int length = handshakeUpTo(step, -1).length;
            for (int position = 0; position < length; position++) {
                int tamperedPosition = position;
                int tamperedStep = step;
                assertThatThrownBy(() -> handshakeUpTo(tamperedStep, tamperedPosition))
                        .as("message %d, byte %d", step + 1, position)
                        .isInstanceOf(NoiseHandshakeException.class)
                        .hasMessageContaining("failed authentication");
            }
        }
    }

    @Test
    void shouldFailAtMessageTwoWhenTheFirstMessageWasTampered() {
        XXHandshake initiator = XXHandshake.initiator(X25519.generate(random), random);
        XXHandshake responder = XXHandshake.responder(X25519.generate(random), random);
        byte[] first = initiator.writeMessage(new byte[0]);
        first[3] ^= 0x40; // another ephemeral key: the responder cannot tell, the initiator can
        responder.readMessage(first);
        byte[] second = responder.writeMessage(bytes("payload"));
        assertThatThrownBy(() -> initiator.readMessage(second)).isInstanceOf(NoiseHandshakeException.class);
    }

    @Test
    void shouldRejectTruncatedMessages() {
        assertThatThrownBy(() -> XXHandshake.responder(X25519.generate(random), random).readMessage(new byte[31]))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessage("Noise handshake message 1 is too short (31 bytes, at least 32)");

        XXHandshake initiator = XXHandshake.initiator(X25519.generate(random), random);
        initiator.writeMessage(new byte[0]);
        assertThatThrownBy(() -> initiator.readMessage(new byte[95]))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("message 2 is too short");
        assertThatThrownBy(() -> initiator.readMessage(new byte[200]))
                .as("a failed handshake stays failed")
                .isInstanceOf(IllegalStateException.class);

        XXHandshake responder = XXHandshake.responder(X25519.generate(random), random);
        XXHandshake other = XXHandshake.initiator(X25519.generate(random), random);
        responder.readMessage(other.writeMessage(new byte[0]));
        other.readMessage(responder.writeMessage(new byte[0]));
        byte[] third = other.writeMessage(new byte[0]);
        assertThatThrownBy(() -> responder.readMessage(Arrays.copyOf(third, 63)))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("message 3 is too short");
    }

    @Test
    void shouldRejectOversizedAndGarbageMessages() {
        assertThatThrownBy(() -> XXHandshake.responder(X25519.generate(random), random).readMessage(new byte[65536]))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("exceeds 65535");
        Random garbage = new Random(7);
        for (int i = 0; i < 50; i++) {
            XXHandshake initiator = XXHandshake.initiator(X25519.generate(random), random);
            initiator.writeMessage(new byte[0]);
            byte[] noise = new byte[96 + garbage.nextInt(200)];
            garbage.nextBytes(noise);
            assertThatThrownBy(() -> initiator.readMessage(noise)).isInstanceOf(NoiseHandshakeException.class);
        }
    }

    @Test
    void shouldRefuseALowOrderEphemeralKey() {
        XXHandshake responder = XXHandshake.responder(X25519.generate(random), random);
        responder.readMessage(new byte[32]); // ephemeral key 0: a low-order point
        assertThatThrownBy(() -> responder.writeMessage(new byte[0]))
                .isInstanceOf(NoiseHandshakeException.class)
                .hasMessageContaining("low-order");
    }

    @Test
    void shouldRefuseCallsOutOfTurn() {
        XXHandshake initiator = XXHandshake.initiator(X25519.generate(random), random);
        assertThatThrownBy(() -> initiator.readMessage(new byte[32])).isInstanceOf(IllegalStateException.class);
        XXHandshake responder = XXHandshake.responder(X25519.generate(random), random);
        assertThatThrownBy(() -> responder.writeMessage(new byte[0])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(responder::split).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(responder::remoteStaticKey).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseAPayloadThatDoesNotFitAMessage() {
        XXHandshake initiator = XXHandshake.initiator(X25519.generate(random), random);
        assertThatThrownBy(() -> initiator.writeMessage(new byte[65535 - 31]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(initiator.writeMessage(new byte[65535 - 32])).hasSize(65535);
    }

    /**
     * Runs a fresh handshake up to and including message {@code step} (0-based), tampering byte
     * {@code tamper} of that message if non-negative, and returns that message.
     */
    private byte[] handshakeUpTo(int step, int tamper) {
        XXHandshake initiator = XXHandshake.initiator(X25519.generate(random), random);
        XXHandshake responder = XXHandshake.responder(X25519.generate(random), random);
        byte[] message = null;
        for (int i = 0; i <= step; i++) {
            XXHandshake writer = i % 2 == 0 ? initiator : responder;
            XXHandshake reader = i % 2 == 0 ? responder : initiator;
            message = writer.writeMessage(bytes("payload " + i));
            if (i == step && tamper >= 0) message[tamper] ^= 0x01;
            reader.readMessage(message);
        }
        return message;
    }

    private static String roundTrip(CipherState sender, CipherState receiver, String text) throws AEADBadTagException {
        byte[] plain = bytes(text);
        ByteBuffer cipher = ByteBuffer.allocate(plain.length + CipherState.TAG_LENGTH);
        sender.encrypt(ByteBuffer.wrap(plain), cipher);
        ByteBuffer out = ByteBuffer.allocate(plain.length);
        receiver.decrypt(cipher.flip(), out);
        return new String(out.array());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
