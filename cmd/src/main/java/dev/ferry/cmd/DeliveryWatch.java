package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** Follows one sent message's delivery state through the API, printing each change: the progress of {@code --wait}. */
final class DeliveryWatch {
    private DeliveryWatch() {}

    /**
     * Prints each new state of {@code envelope} (and a holder's refusal while it waits) until it
     * is delivered, expires, or {@code limit} passes.
     *
     * @return 0 once delivered; {@link Main#EXIT_FAILURE} if it expired or the time ran out
     */
    static int until(ApiClient api, String envelope, String initialState, Duration limit, Duration poll) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        String shown = initialState;
        String refusalShown = null;
        while (true) {
            JsonObject now = api.getObject("/messages/" + envelope);
            String state = now.getString("state");
            String refusal = now.getString("refusal");
            if (!state.equals(shown)) {
                System.out.println(state + " " + envelope);
                shown = state;
            }
            if (refusal != null && !refusal.equals(refusalShown)) {
                System.out.println("waiting: a mailbox holder refused a shard (" + refusal + ")");
                refusalShown = refusal;
            }
            System.out.flush();
            if (state.equals("delivered")) return 0;
            if (state.equals("expired")) throw new IllegalStateException("the message expired before the recipient took it");
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not delivered within " + DurationConverter.format(limit) + " (it is " + state
                        + "; the node keeps trying: see 'ferry outbox')");
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
