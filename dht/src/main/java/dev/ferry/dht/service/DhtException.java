package dev.ferry.dht.service;

/** A DHT request or operation failed: a refused answer, a limit reached, a closed service. */
public final class DhtException extends RuntimeException {
    public DhtException(String message) {
        super(message);
    }
}
