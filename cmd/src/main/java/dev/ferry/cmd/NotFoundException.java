package dev.ferry.cmd;

/**
 * What was asked for is not in the DHT: the command worked, the answer is "nobody has it".
 * Exits with {@link Main#EXIT_NOT_FOUND}, so a script can tell it from a failure.
 */
final class NotFoundException extends RuntimeException {
    NotFoundException(String message) {
        super(message);
    }
}
