package dev.ferry.overlay.noise;

import dev.ferry.overlay.OverlayException;

/**
 * The Noise handshake failed: a malformed, oversized or tampered message, an invalid identity
 * signature, a remote that is not the peer we dialled, or a connection closed too early.
 */
public final class NoiseHandshakeException extends OverlayException {
    public NoiseHandshakeException(String message) {
        super(message);
    }

    public NoiseHandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
