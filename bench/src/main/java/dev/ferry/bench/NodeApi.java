package dev.ferry.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The HTTP API of a personal {@link FerryNodeProcess}: JSON in and out, with its bearer token. */
final class NodeApi {
    /** A request's answer: the status and the JSON body (empty when the body is not an object). */
    record Answer(int status, JsonObject body, String raw) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The body as a JSON array (for the endpoints that answer one). */
        io.vertx.core.json.JsonArray array() {
            return new io.vertx.core.json.JsonArray(raw);
        }
    }

    private final FerryNodeProcess node;

    NodeApi(FerryNodeProcess node) {
        this.node = node;
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Answer post(String path, JsonObject body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) throws IOException {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiPort + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + node.token());
    }

    private static Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = FerryNodeProcess.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String raw = response.body();
        JsonObject body = raw.startsWith("{") ? new JsonObject(raw) : new JsonObject();
        return new Answer(response.statusCode(), body, raw);
    }
}
