package dev.ferry.cmd.api;

/** A request the API refuses with {@code status} and a one-line {@code message} for the JSON error body. */
final class ApiException extends RuntimeException {
    final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }
}
