package dev.ferry.overlay;

/**
 * Serves inbound streams of one protocol id. Called on the connection's event loop: set the
 * stream's receiver and return; never block.
 */
@FunctionalInterface
public interface ProtocolHandler {
    void handle(Stream stream);
}
