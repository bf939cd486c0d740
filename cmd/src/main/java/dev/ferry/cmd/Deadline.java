package dev.ferry.cmd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A command's {@code --timeout}: one deadline for everything the command waits for. */
final class Deadline {
    private final Duration timeout;
    private final long deadlineNanos;

    /** A deadline {@code timeout} from now. */
    Deadline(Duration timeout) {
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    Duration timeout() {
        return timeout;
    }

    /** Nanoseconds left; 0 or less once passed. */
    long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }

    /** The exception for {@code what} outlasting the deadline; its message is the line the user sees. */
    TimeoutException exceeded(String what) {
        return new TimeoutException(what + " took longer than --timeout " + DurationConverter.format(timeout));
    }

    /**
     * The result of {@code work}, waiting at most until the deadline; a failure is rethrown as
     * its cause, a timeout as one naming {@code what} and {@code --timeout}.
     */
    <T> T await(CompletableFuture<T> work, String what) throws Exception {
        try {
            // Done work is taken even past the deadline: it cost nothing to wait for.
            return work.isDone() ? work.get() : work.get(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            work.cancel(false);
            throw exceeded(what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }
}
