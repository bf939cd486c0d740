package dev.ferry.overlay.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoiseCipherStateTest {
    private static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    @ParameterizedTest(name = "plaintext {0}, ciphertext {1}")
    @CsvSource({"heap, heap", "heap, direct", "direct, heap", "direct, direct"})
    void shouldRoundTripThroughHeapAndDirectBuffers(String plainKind, String cipherKind) throws Exception {
        CipherState sender = new CipherState(KEY);
        CipherState receiver = new CipherState(KEY);
        Random random = new Random(42);
        for (int size : new int[] {0, 1, 15, 16, 17, 1000, NoiseProtocol.MAX_PLAINTEXT_LENGTH}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            ByteBuffer plain = buffer(plainKind, size);
            plain.put(data).flip();
            ByteBuffer cipher = buffer(cipherKind, size + CipherState.TAG_LENGTH);
            assertThat(sender.encrypt(plain, cipher)).isEqualTo(size + CipherState.TAG_LENGTH);
            assertThat(plain.hasRemaining()).isFalse();
            assertThat(cipher.hasRemaining()).isFalse();
            cipher.flip();
            ByteBuffer decrypted = buffer(plainKind, size);
            assertThat(receiver.decrypt(cipher, decrypted)).isEqualTo(size);
            assertThat(bytes(decrypted.flip())).isEqualTo(data);
        }
        assertThat(sender.nonce()).isEqualTo(7);
        assertThat(receiver.nonce()).isEqualTo(7);
    }

    @Test
    void shouldEncryptAndDecryptInPlace() throws Exception {
        byte[] data = "in place, no copies".getBytes();
        byte[] frame = Arrays.copyOf(data, data.length + CipherState.TAG_LENGTH);
        new CipherState(KEY).encrypt(ByteBuffer.wrap(frame, 0, data.length), ByteBuffer.wrap(frame));
        assertThat(Arrays.copyOf(frame, data.length)).isNotEqualTo(data);
        new CipherState(KEY).decrypt(ByteBuffer.wrap(frame), ByteBuffer.wrap(frame, 0, data.length));
        assertThat(Arrays.copyOf(frame, data.length)).isEqualTo(data);
    }

    @Test
    void shouldUseTheNonceAsLittleEndianCounterAfterFourZeroBytes() throws Exception {
        // Message n=1 must not decrypt with a state at n=0, and must after SetNonce(1).
        CipherState sender = new CipherState(KEY);
        byte[] first = encrypt(sender, "first");
        byte[] second = encrypt(sender, "second");
        CipherState receiver = new CipherState(KEY);
        assertThatThrownBy(() -> decrypt(receiver, second)).isInstanceOf(AEADBadTagException.class);
        assertThat(receiver.nonce()).as("a failed decryption does not consume a nonce").isZero();
        assertThat(decrypt(receiver, first)).isEqualTo("first");
        assertThat(decrypt(receiver, second)).isEqualTo("second");
    }

    @Test
    void shouldRejectTamperedCiphertextAndTag() throws Exception {
        byte[] ciphertext = encrypt(new CipherState(KEY), "attack at dawn");
        for (int i = 0; i < ciphertext.length; i++) {
            byte[] tampered = ciphertext.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> decrypt(new CipherState(KEY), tampered)).isInstanceOf(AEADBadTagException.class);
        }
        assertThatThrownBy(() -> new CipherState(KEY).decrypt(ByteBuffer.allocate(CipherState.TAG_LENGTH - 1), ByteBuffer.allocate(0)))
                .isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void shouldRefuseToReuseTheLastNonce() throws Exception {
        CipherState sender = new CipherState(KEY);
        CipherState receiver = new CipherState(KEY);
        sender.setNonce(-2L); // 2^64-2, the last usable nonce
        receiver.setNonce(-2L);
        assertThat(decrypt(receiver, encrypt(sender, "last"))).isEqualTo("last");
        assertThatThrownBy(() -> encrypt(sender, "one too many"))
                .isInstanceOf(NoiseTransportException.class)
                .hasMessageContaining("nonce");
        assertThatThrownBy(() -> decrypt(receiver, new byte[32])).isInstanceOf(NoiseTransportException.class);
    }

    @Test
    void shouldRefuseOversizedMessagesAndShortOutputs() {
        CipherState state = new CipherState(KEY);
        ByteBuffer big = ByteBuffer.allocate(NoiseProtocol.MAX_PLAINTEXT_LENGTH + 1);
        assertThatThrownBy(() -> state.encrypt(big, ByteBuffer.allocate(NoiseProtocol.MAX_MESSAGE_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> state.encrypt(ByteBuffer.allocate(10), ByteBuffer.allocate(25)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> state.decrypt(ByteBuffer.allocate(NoiseProtocol.MAX_MESSAGE_LENGTH + 1), ByteBuffer.allocate(70000)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(state.nonce()).isZero();
    }

    @Test
    void shouldPassHandshakeDataThroughUnchangedWithoutAKey() throws Exception {
        CipherState state = new CipherState();
        assertThat(state.hasKey()).isFalse();
        byte[] data = {1, 2, 3};
        assertThat(state.encryptWithAd(new byte[32], data)).isEqualTo(data);
        assertThat(state.decryptWithAd(new byte[32], data, 1, 2)).isEqualTo(new byte[] {2, 3});
        assertThatThrownBy(() -> state.encrypt(ByteBuffer.allocate(1), ByteBuffer.allocate(17)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldBindTheAssociatedData() throws Exception {
        byte[] ciphertext = new CipherState(KEY).encryptWithAd(new byte[] {1}, "payload".getBytes());
        assertThat(new CipherState(KEY).decryptWithAd(new byte[] {1}, ciphertext, 0, ciphertext.length))
                .isEqualTo("payload".getBytes());
        assertThatThrownBy(() -> new CipherState(KEY).decryptWithAd(new byte[] {2}, ciphertext, 0, ciphertext.length))
                .isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void shouldNotPrintTheKey() {
        assertThat(new CipherState(KEY).toString()).doesNotContain(HexFormat.of().formatHex(KEY)).contains("n=0");
    }

    private static ByteBuffer buffer(String kind, int capacity) {
        return kind.equals("direct") ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    private static byte[] encrypt(CipherState state, String text) {
        byte[] plain = text.getBytes();
        ByteBuffer out = ByteBuffer.allocate(plain.length + CipherState.TAG_LENGTH);
        state.encrypt(ByteBuffer.wrap(plain), out);
        return out.array();
    }

    private static String decrypt(CipherState state, byte[] ciphertext) throws AEADBadTagException {
        ByteBuffer out = ByteBuffer.allocate(ciphertext.length - CipherState.TAG_LENGTH);
        state.decrypt(ByteBuffer.wrap(ciphertext), out);
        return new String(out.array());
    }
}
