package dev.ferry.overlay.noise;

/** Identifiers and limits of noise-libp2p (libp2p/specs noise/README.md), all in one place. */
public final class NoiseProtocol {
    /** The multistream-select protocol id. */
    public static final String PROTOCOL_ID = "/noise";

    /** The only Noise protocol libp2p uses; exactly 32 bytes, so it is its own initial hash. */
    public static final String NOISE_PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";

    /** Noise caps every message at 65535 bytes (Noise spec section 3); the 2-byte length prefix can say no more. */
    public static final int MAX_MESSAGE_LENGTH = 65535;

    /** Every message travels behind a big-endian unsigned 16-bit length. */
    public static final int LENGTH_PREFIX_LENGTH = 2;

    /** The ChaCha20-Poly1305 authentication tag that ends every encrypted payload. */
    public static final int TAG_LENGTH = 16;

    /** The most plaintext one transport message can carry: 65535 minus the tag. */
    public static final int MAX_PLAINTEXT_LENGTH = MAX_MESSAGE_LENGTH - TAG_LENGTH;

    /** What the identity key signs, followed by the sender's Noise static public key. */
    public static final String STATIC_KEY_SIGNATURE_PREFIX = "noise-libp2p-static-key:";

    private NoiseProtocol() {}
}
