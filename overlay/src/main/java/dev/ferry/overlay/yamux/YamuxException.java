package dev.ferry.overlay.yamux;

import dev.ferry.overlay.OverlayException;

/** A yamux stream or session failure: a reset, a protocol violation, or the session closing. */
public final class YamuxException extends OverlayException {
    public YamuxException(String message) {
        super(message);
    }
}
