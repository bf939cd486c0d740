/**
 * noise-libp2p ({@code /noise}): the {@code Noise_XX_25519_ChaChaPoly_SHA256} handshake that
 * authenticates both peers by their libp2p identity keys, then the encrypted transport.
 *
 * <p>The Noise state machines ({@link dev.ferry.overlay.noise.CipherState},
 * {@link dev.ferry.overlay.noise.XXHandshake}) are plain classes without I/O. The Netty side is
 * {@link dev.ferry.overlay.noise.NoiseHandshakeHandler}, which runs the handshake over a
 * connection and then replaces itself with a {@link dev.ferry.overlay.noise.NoiseTransportCodec}.
 * Every message on the wire is a 2-byte big-endian length followed by at most
 * {@value dev.ferry.overlay.noise.NoiseProtocol#MAX_MESSAGE_LENGTH} bytes.
 */
package dev.ferry.overlay.noise;
