package dev.ferry.overlay.noise;

import dev.ferry.crypto.X25519;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * The Noise HandshakeState (Noise spec section 5.3) of {@code Noise_XX_25519_ChaChaPoly_SHA256}
 * for one side of one connection:
 *
 * <pre>
 *   -> e
 *   &lt;- e, ee, s, es
 *   -> s, se
 * </pre>
 *
 * A pure state machine: it is handed messages and payloads and returns bytes, and knows nothing
 * of libp2p payloads or sockets. The initiator writes messages 1 and 3 and reads message 2; the
 * responder the other way round. After the third message {@link #split()} gives the transport
 * CipherStates. A failed read leaves the handshake failed for good. Not thread-safe.
 */
public final class XXHandshake {
    private static final int DH_LENGTH = X25519.KEY_LENGTH;
    private static final int TAG_LENGTH = CipherState.TAG_LENGTH;
    /** The smallest valid message of each step: keys plus an empty (but, once keyed, tagged) payload. */
    private static final int[] MIN_MESSAGE_LENGTH = {
        DH_LENGTH, DH_LENGTH + DH_LENGTH + TAG_LENGTH + TAG_LENGTH, DH_LENGTH + TAG_LENGTH + TAG_LENGTH,
    };
    private static final int MESSAGE_COUNT = 3;

    /**
     * The transport CipherStates of a finished handshake.
     *
     * @param sender encrypts what this side sends
     * @param receiver decrypts what the remote sends
     */
    public record TransportCiphers(CipherState sender, CipherState receiver) {}

    private final boolean initiator;
    private final SymmetricState symmetric;
    private final X25519.KeyPair localStatic;
    private final SecureRandom random;
    private X25519.KeyPair localEphemeral;
    private byte[] remoteEphemeral;
    private byte[] remoteStatic;
    /** The index (0..2) of the next handshake message; 3 once the handshake is complete. */
    private int messageIndex;
    private boolean failed;
    private boolean split;

    private XXHandshake(boolean initiator, byte[] prologue, X25519.KeyPair localStatic,
            X25519.KeyPair localEphemeral, SecureRandom random) {
        this.initiator = initiator;
        this.localStatic = Objects.requireNonNull(localStatic, "localStatic");
        this.localEphemeral = localEphemeral;
        this.random = random;
        this.symmetric = new SymmetricState(NoiseProtocol.NOISE_PROTOCOL_NAME);
        symmetric.mixHash(prologue);
    }

    /** The dialling side, with an empty prologue as libp2p uses. */
    public static XXHandshake initiator(X25519.KeyPair localStatic, SecureRandom random) {
        return new XXHandshake(true, new byte[0], localStatic, null, Objects.requireNonNull(random, "random"));
    }

    /** The listening side, with an empty prologue as libp2p uses. */
    public static XXHandshake responder(X25519.KeyPair localStatic, SecureRandom random) {
        return new XXHandshake(false, new byte[0], localStatic, null, Objects.requireNonNull(random, "random"));
    }

    /** A handshake with a fixed prologue and ephemeral key, to replay published test vectors. */
    static XXHandshake withFixedKeys(boolean initiator, byte[] prologue, X25519.KeyPair localStatic,
            X25519.KeyPair localEphemeral) {
        return new XXHandshake(initiator, prologue, localStatic, localEphemeral, null);
    }

    public boolean isInitiator() {
        return initiator;
    }

    /** True once all three messages have been written or read. */
    public boolean isComplete() {
        return messageIndex == MESSAGE_COUNT && !failed;
    }

    /** True if the next step is {@link #writeMessage}, false if it is {@link #readMessage}. */
    public boolean isMyTurnToWrite() {
        return messageIndex < MESSAGE_COUNT && (messageIndex % 2 == 0) == initiator;
    }

    /**
     * Writes the next handshake message, carrying {@code payload} (encrypted in messages 2 and 3).
     *
     * @throws IllegalStateException if it is not this side's turn to write
     * @throws IllegalArgumentException if the message would exceed 65535 bytes
     * @throws NoiseHandshakeException if a key the remote sent earlier turns out unusable (a
     *     low-order point)
     */
    public byte[] writeMessage(byte[] payload) {
        checkUsable();
        if (!isMyTurnToWrite()) throw new IllegalStateException("not this side's turn to write");
        int overhead = MIN_MESSAGE_LENGTH[messageIndex];
        if (payload.length + overhead > NoiseProtocol.MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("handshake payload of " + payload.length
                    + " bytes does not fit a Noise message");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + overhead);
        try {
            switch (messageIndex) {
                case 0 -> { // -> e
                    writeEphemeral(out);
                }
                case 1 -> { // <- e, ee, s, es
                    writeEphemeral(out);
                    symmetric.mixKey(dh(localEphemeral, remoteEphemeral));
                    out.writeBytes(symmetric.encryptAndHash(localStatic.publicKey()));
                    symmetric.mixKey(dh(localStatic, remoteEphemeral));
                }
                case 2 -> { // -> s, se
                    out.writeBytes(symmetric.encryptAndHash(localStatic.publicKey()));
                    symmetric.mixKey(dh(localStatic, remoteEphemeral));
                }
                default -> throw new IllegalStateException("handshake is complete");
            }
            out.writeBytes(symmetric.encryptAndHash(payload));
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
        messageIndex++;
        return out.toByteArray();
    }

    /**
     * Reads the remote's next handshake message and returns its payload (decrypted in messages 2
     * and 3).
     *
     * @throws IllegalStateException if it is not this side's turn to read
     * @throws NoiseHandshakeException if the message is too short or too long, fails
     *     authentication, or carries a low-order key
     */
    public byte[] readMessage(byte[] message) {
        checkUsable();
        if (messageIndex >= MESSAGE_COUNT || isMyTurnToWrite()) {
            throw new IllegalStateException("not this side's turn to read");
        }
        int step = messageIndex + 1;
        if (message.length > NoiseProtocol.MAX_MESSAGE_LENGTH) {
            failed = true;
            throw new NoiseHandshakeException("Noise handshake message " + step + " of " + message.length
                    + " bytes exceeds " + NoiseProtocol.MAX_MESSAGE_LENGTH);
        }
        if (message.length < MIN_MESSAGE_LENGTH[messageIndex]) {
            failed = true;
            throw new NoiseHandshakeException("Noise handshake message " + step + " is too short ("
                    + message.length + " bytes, at least " + MIN_MESSAGE_LENGTH[messageIndex] + ")");
        }
        try {
            int offset = 0;
            switch (messageIndex) {
                case 0 -> { // -> e
                    offset = readEphemeral(message);
                }
                case 1 -> { // <- e, ee, s, es
                    offset = readEphemeral(message);
                    symmetric.mixKey(dh(localEphemeral, remoteEphemeral));
                    remoteStatic = symmetric.decryptAndHash(message, offset, DH_LENGTH + TAG_LENGTH);
                    offset += DH_LENGTH + TAG_LENGTH;
                    symmetric.mixKey(dh(localEphemeral, remoteStatic));
                }
                case 2 -> { // -> s, se
                    remoteStatic = symmetric.decryptAndHash(message, 0, DH_LENGTH + TAG_LENGTH);
                    offset = DH_LENGTH + TAG_LENGTH;
                    symmetric.mixKey(dh(localEphemeral, remoteStatic));
                }
                default -> throw new IllegalStateException("handshake is complete");
            }
            byte[] payload = symmetric.decryptAndHash(message, offset, message.length - offset);
            messageIndex++;
            return payload;
        } catch (AEADBadTagException e) {
            failed = true;
            throw new NoiseHandshakeException("Noise handshake message " + step
                    + " failed authentication (tampered, or not made for this handshake)", e);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** The remote's Noise static public key, known after message 2 (initiator) or 3 (responder). */
    public byte[] remoteStaticKey() {
        if (remoteStatic == null) throw new IllegalStateException("remote static key not received yet");
        return remoteStatic.clone();
    }

    /** This side's Noise static public key. */
    public byte[] localStaticKey() {
        return localStatic.publicKey();
    }

    /** The handshake hash {@code h}: equal on both sides of a successful handshake. */
    public byte[] handshakeHash() {
        return symmetric.handshakeHash();
    }

    /**
     * Noise {@code Split}: the transport CipherStates, oriented for this side. Callable once,
     * after the handshake is complete.
     */
    public TransportCiphers split() {
        if (!isComplete()) throw new IllegalStateException("handshake is not complete");
        if (split) throw new IllegalStateException("handshake already split");
        split = true;
        CipherState[] pair = symmetric.split();
        return initiator ? new TransportCiphers(pair[0], pair[1]) : new TransportCiphers(pair[1], pair[0]);
    }

    private void writeEphemeral(ByteArrayOutputStream out) {
        if (localEphemeral == null) localEphemeral = X25519.generate(random);
        byte[] publicKey = localEphemeral.publicKey();
        out.writeBytes(publicKey);
        symmetric.mixHash(publicKey);
    }

    private int readEphemeral(byte[] message) {
        remoteEphemeral = Arrays.copyOf(message, DH_LENGTH);
        symmetric.mixHash(remoteEphemeral);
        return DH_LENGTH;
    }

    private static byte[] dh(X25519.KeyPair local, byte[] remotePublic) {
        try {
            return X25519.agree(local.privateKey(), remotePublic);
        } catch (IllegalArgumentException e) {
            throw new NoiseHandshakeException("remote sent an unusable X25519 key (low-order point)", e);
        }
    }

    private void checkUsable() {
        if (failed) throw new IllegalStateException("handshake has failed");
    }
}
