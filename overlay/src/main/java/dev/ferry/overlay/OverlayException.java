package dev.ferry.overlay;

/** A failure of the overlay whose message is fit to show a user as one line. */
public class OverlayException extends RuntimeException {
    public OverlayException(String message) {
        super(message);
    }

    public OverlayException(String message, Throwable cause) {
        super(message, cause);
    }
}
