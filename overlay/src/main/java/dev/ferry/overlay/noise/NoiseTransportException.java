package dev.ferry.overlay.noise;

import dev.ferry.overlay.OverlayException;

/**
 * The encrypted transport broke: a frame that fails authentication or is shorter than its tag,
 * a message that cannot be encrypted, or a nonce counter that ran out. The connection is closed.
 */
public final class NoiseTransportException extends OverlayException {
    public NoiseTransportException(String message) {
        super(message);
    }
}
