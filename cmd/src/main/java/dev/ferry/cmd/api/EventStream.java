package dev.ferry.cmd.api;

import dev.ferry.messenger.DeliveryUpdate;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.FileInfo;
import dev.ferry.messenger.ReceivedMessage;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API's live events as server-sent events ({@code GET /api/v1/events}): {@code message} for
 * each message that arrives, {@code delivery} for each state change of a message the user sent,
 * and a comment every {@value #KEEPALIVE_MS} ms so that proxies keep the stream open. A client
 * that does not read its events is dropped rather than buffered for.
 */
final class EventStream {
    /** Streams open at once: a user has a browser tab or two and a terminal, not hundreds. */
    static final int MAX_STREAMS = 32;
    static final long KEEPALIVE_MS = 15_000;

    private final Vertx vertx;
    private final FerryNode node;
    private final Set<HttpServerResponse> open = ConcurrentHashMap.newKeySet();
    private final long keepalive;

    EventStream(Vertx vertx, FerryNode node) {
        this.vertx = vertx;
        this.node = node;
        this.keepalive = vertx.setPeriodic(KEEPALIVE_MS, id -> broadcast(": keepalive\n\n"));
    }

    /** Starts an event stream on {@code response} (on the request's event loop). */
    void open(HttpServerResponse response) {
        if (open.size() >= MAX_STREAMS) {
            response.setStatusCode(503).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", "too many event streams open (" + MAX_STREAMS + ")").encode());
            return;
        }
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        open.add(response);
        response.closeHandler(v -> open.remove(response));
        response.write(": ferry events\n\n");
    }

    void message(ReceivedMessage message) {
        ApiJson.received(message, FileInfo.of(message))
                .ifPresent(json -> broadcast("event: message\ndata: " + json.encode() + "\n\n"));
    }

    /**
     * A state change of a message the user sent, with its place in the conversation. Envelopes
     * the user does not see as messages (a file's earlier pieces, group mailbox envelopes) are
     * not announced: only the last piece's state is the file's.
     */
    void delivery(DeliveryUpdate update) {
        if (node == null) return;
        node.sentMessage(update.envelope()).ifPresent(sent -> broadcast("event: delivery\ndata: "
                + ApiJson.delivery(update).put("position", sent.position()).encode() + "\n\n"));
    }

    /** Called from the node's threads: the writes happen on the API's event loop. */
    private void broadcast(String event) {
        if (open.isEmpty()) return;
        vertx.runOnContext(v -> {
            for (HttpServerResponse response : open) {
                if (response.writeQueueFull()) {
                    // it stopped reading: end it rather than hold its events
                    open.remove(response);
                    response.reset();
                } else {
                    response.write(event);
                }
            }
        });
    }

    void close() {
        vertx.cancelTimer(keepalive);
        for (HttpServerResponse response : open) {
            try {
                response.end();
            } catch (IllegalStateException e) {
                // already closed
            }
        }
        open.clear();
    }
}
