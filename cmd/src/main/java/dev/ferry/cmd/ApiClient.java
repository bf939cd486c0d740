package dev.ferry.cmd;

import dev.ferry.cmd.api.ApiEndpoint;
import dev.ferry.cmd.api.ApiServer;
import dev.ferry.cmd.api.ApiToken;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * The commands' way to a running node: its HTTP API, found through the data directory (the
 * address in {@code api-address}, the token in {@code api-token}). A refusal becomes an
 * exception whose message is the node's one-line error.
 */
final class ApiClient {
    /** A node answers within this unless it is stuck; sends return once the message is queued. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final ApiToken token;
    private final HttpClient http;

    private ApiClient(URI base, ApiToken token) {
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The client of the node running with {@code dataDir}; fails with one line if none runs there. */
    static ApiClient of(DataDirOption dataDir) {
        Path dir = dataDir.resolve();
        return new ApiClient(ApiEndpoint.read(dir), ApiToken.load(dir));
    }

    /** The node refused a request: {@code status} and its error line. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    JsonObject getObject(String path) {
        return (JsonObject) call("GET", path, null);
    }

    JsonArray getArray(String path) {
        return (JsonArray) call("GET", path, null);
    }

    JsonObject post(String path, JsonObject body) {
        return (JsonObject) call("POST", path, body);
    }

    JsonObject delete(String path) {
        return (JsonObject) call("DELETE", path, null);
    }

    /** A path segment, escaped (contact names may hold anything printable). */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Object call(String method, String path, JsonObject body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(ApiServer.BASE + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token.value())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8));
        if (body != null) request.header("Content-Type", "application/json");
        return decode(send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    private record Answer(int status, String body) {}

    private Object decode(HttpResponse<String> response) {
        return decode(new Answer(response.statusCode(), response.body()));
    }

    /** The JSON of a 2xx answer; a refusal with the node's error line otherwise. */
    private Object decode(Answer answer) {
        Object json;
        try {
            json = answer.body().isEmpty() ? new JsonObject() : Json.decodeValue(answer.body());
        } catch (DecodeException e) {
            throw new IllegalStateException("the node at " + base + " answered " + answer.status() + " with no JSON");
        }
        if (answer.status() / 100 != 2) {
            String error = json instanceof JsonObject o && o.getString("error") != null ? o.getString("error") : "HTTP " + answer.status();
            throw new Refused(answer.status(), error);
        }
        return json;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new IllegalStateException("the node at " + base + " does not answer (is 'ferry node' running with this --data-dir?)");
        } catch (IOException e) {
            throw new IllegalStateException("talking to the node at " + base + ": " + Main.oneLine(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Sends the file at {@code path} as the body of a POST to {@code path}; answers like {@link #post}. */
    JsonObject upload(String apiPath, Path file, String mediaType) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(ApiServer.BASE + apiPath))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token.value())
                .header("Content-Type", mediaType)
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build();
        return (JsonObject) decode(send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    /** A file fetched from the node, in a temporary file beside the current directory, and the name its sender gave. */
    record Download(Path file, String suggestedName) {}

    /** Fetches a file into a temporary file in the current directory (so that moving it into place is one rename). */
    Download download(String apiPath) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(ApiServer.BASE + apiPath)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token.value()).GET().build();
        Path temp = java.nio.file.Files.createTempFile(Path.of("."), ".ferry-download", ".part");
        HttpResponse<Path> response = send(request, HttpResponse.BodyHandlers.ofFile(temp));
        if (response.statusCode() != 200) {
            String body = java.nio.file.Files.readString(temp, StandardCharsets.UTF_8);
            java.nio.file.Files.deleteIfExists(temp);
            decode(new Answer(response.statusCode(), body));
            throw new Refused(response.statusCode(), "HTTP " + response.statusCode());
        }
        String disposition = response.headers().firstValue("Content-Disposition").orElse("");
        java.util.regex.Matcher utf8 = java.util.regex.Pattern.compile("filename\\*=UTF-8''([^;]+)").matcher(disposition);
        String name = utf8.find() ? java.net.URLDecoder.decode(utf8.group(1), StandardCharsets.UTF_8) : "download";
        // only a plain name in the current directory, whatever the sender called it
        name = Path.of(name.replace('/', '_').replace('\\', '_')).getFileName().toString();
        if (name.isBlank() || name.equals(".") || name.equals("..")) name = "download";
        return new Download(temp, name);
    }

    /**
     * Follows the node's live events until the stream ends or the thread is interrupted, giving
     * each event's name and data to {@code onEvent}; {@code onOpen} runs once the node has the
     * stream, so that nothing that happens after it is missed.
     */
    void events(Runnable onOpen, BiConsumer<String, JsonObject> onEvent) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(ApiServer.BASE + "/events"))
                .header("Authorization", "Bearer " + token.value()).header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new Refused(response.statusCode(), "the node refused the event stream: HTTP " + response.statusCode());
        }
        onOpen.run();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String event = "message";
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("event: ")) event = line.substring("event: ".length());
                else if (line.startsWith("data: ")) onEvent.accept(event, new JsonObject(line.substring("data: ".length())));
                else if (line.isEmpty()) event = "message";
            }
        }
    }
}
