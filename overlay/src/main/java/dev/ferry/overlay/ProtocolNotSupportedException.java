package dev.ferry.overlay;

import java.util.List;

/** The remote refused every protocol id we proposed for a stream or connection upgrade. */
public final class ProtocolNotSupportedException extends OverlayException {
    public ProtocolNotSupportedException(List<String> proposed) {
        super("remote supports none of " + proposed);
    }
}
