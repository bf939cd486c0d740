package dev.ferry.overlay.multistream;

import dev.ferry.overlay.OverlayException;

/** The remote broke multistream-select: a malformed or oversized message, or an unexpected one. */
public final class MultistreamException extends OverlayException {
    public MultistreamException(String message) {
        super(message);
    }
}
