package dev.ferry.bench;

/** A measurement could not be taken; the message says which and why, on its own lines. */
final class BenchmarkException extends Exception {
    BenchmarkException(String message) {
        super(message);
    }
}
