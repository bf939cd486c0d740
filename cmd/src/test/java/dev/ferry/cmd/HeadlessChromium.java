package dev.ferry.cmd;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A headless Chromium process driven over the Chrome DevTools Protocol, with nothing but the JDK's
 * WebSocket client: one connection to the browser, and a flattened session per tab. Tests open
 * pages, wait for conditions in their DOM, click and type as a user does (real mouse and text
 * input events), and take screenshots.
 */
final class HeadlessChromium implements AutoCloseable {
    /** Longest the browser may take to start, and any one DevTools command to answer. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Chromium's stderr lines kept for a failure message: the last ones tell why it failed. */
    private static final int STDERR_LINES_KEPT = 50;
    /** Console lines kept per tab. */
    private static final int CONSOLE_LINES_KEPT = 200;
    private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Deque<String> stderr = new ArrayDeque<>();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final Map<String, Tab> tabs = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private WebSocket socket;

    private HeadlessChromium(Process process) {
        this.process = process;
    }

    /** Debian's Chromium: {@code chromium} on the PATH, else {@code /usr/bin/chromium}. */
    static Optional<Path> find() {
        String path = System.getenv("PATH");
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) candidates.add(Path.of(dir, "chromium"));
            }
        }
        candidates.add(Path.of("/usr/bin/chromium"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Starts {@code executable} headless with a fresh profile in {@code profileDir} and connects to it. */
    static HeadlessChromium launch(Path executable, Path profileDir) throws Exception {
        Files.createDirectories(profileDir);
        ProcessBuilder builder = new ProcessBuilder(executable.toString(),
                "--headless=new",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profileDir,
                // tests may run as root, where Chromium's sandbox refuses to start
                "--no-sandbox",
                "--disable-gpu",
                // containers have a small /dev/shm
                "--disable-dev-shm-usage",
                // nothing but the pages under test: no update checks, sync or other calls home
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--mute-audio",
                "--window-size=1280,800",
                "about:blank");
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        HeadlessChromium chromium = new HeadlessChromium(builder.start());
        try {
            chromium.connect(chromium.awaitDevToolsUrl());
            return chromium;
        } catch (Exception | Error e) {
            chromium.close();
            throw e;
        }
    }

    /** Reads stderr until Chromium says where DevTools listens, then keeps draining it so that Chromium never blocks on it. */
    private URI awaitDevToolsUrl() throws Exception {
        CompletableFuture<URI> url = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().name("chromium-stderr").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    synchronized (stderr) {
                        stderr.addLast(line);
                        if (stderr.size() > STDERR_LINES_KEPT) stderr.removeFirst();
                    }
                    Matcher m = DEVTOOLS_URL.matcher(line);
                    if (m.find()) url.complete(URI.create(m.group(1)));
                }
            } catch (IOException e) {
                // the process ended
            }
            url.completeExceptionally(new IllegalStateException("Chromium exited before DevTools listened: " + stderrTail()));
        });
        try {
            return url.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            reader.interrupt();
            throw new IllegalStateException("Chromium did not print its DevTools address within " + COMMAND_TIMEOUT + ": " + stderrTail(), e);
        }
    }

    private void connect(URI devTools) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(COMMAND_TIMEOUT)
                .buildAsync(devTools, new Listener())
                .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Chromium's last stderr lines, for a failure message. */
    String stderrTail() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    /** Lets pages download files, saving them into {@code dir} (headless Chromium refuses downloads otherwise). */
    void allowDownloads(Path dir) throws IOException {
        Files.createDirectories(dir);
        call(null, "Browser.setDownloadBehavior", new JsonObject().put("behavior", "allow").put("downloadPath", dir.toAbsolutePath().toString()));
    }

    /** Opens {@code url} in a new window of its own (so every tab renders and can be screenshot) and attaches to it. */
    Tab open(String url) {
        String targetId = call(null, "Target.createTarget", new JsonObject().put("url", "about:blank").put("newWindow", true))
                .getString("targetId");
        String sessionId = call(null, "Target.attachToTarget", new JsonObject().put("targetId", targetId).put("flatten", true))
                .getString("sessionId");
        Tab tab = new Tab(sessionId);
        tabs.put(sessionId, tab);
        tab.call("Runtime.enable", new JsonObject());
        tab.call("Page.enable", new JsonObject());
        JsonObject navigated = tab.call("Page.navigate", new JsonObject().put("url", url));
        if (navigated.containsKey("errorText")) throw new AssertionError("cannot open " + url + ": " + navigated.getString("errorText"));
        return tab;
    }

    /** Sends one DevTools command (to the browser if {@code sessionId} is null) and waits for its result. */
    private JsonObject call(String sessionId, String method, JsonObject params) {
        int id = nextId.incrementAndGet();
        JsonObject command = new JsonObject().put("id", id).put("method", method).put("params", params);
        if (sessionId != null) command.put("sessionId", sessionId);
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            // the JDK's WebSocket allows one outstanding send: wait for each
            synchronized (this) {
                socket.sendText(command.encode(), true).get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            JsonObject reply = answer.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (reply.containsKey("error")) throw new DevToolsException(method + " failed: " + reply.getJsonObject("error").encode());
            return reply.getJsonObject("result", new JsonObject());
        } catch (DevToolsException e) {
            throw e;
        } catch (Exception e) {
            throw new DevToolsException(method + " got no answer: " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    private void received(JsonObject message) {
        Integer id = message.getInteger("id");
        if (id != null) {
            CompletableFuture<JsonObject> answer = pending.get(id);
            if (answer != null) answer.complete(message);
            return;
        }
        Tab tab = message.getString("sessionId") == null ? null : tabs.get(message.getString("sessionId"));
        if (tab != null) tab.event(message.getString("method"), message.getJsonObject("params", new JsonObject()));
    }

    /** Kills Chromium and every process it started (renderers, GPU and network services). */
    @Override
    public void close() {
        if (socket != null) socket.abort();
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // destroyForcibly is SIGKILL; a process that outlives it is the kernel's business
            }
        }
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("Chromium was closed")));
    }

    /** A DevTools command failed or found nothing it could work on. */
    static final class DevToolsException extends RuntimeException {
        DevToolsException(String message) {
            super(message);
        }

        DevToolsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Joins the WebSocket's text fragments into DevTools messages. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                received(new JsonObject(message));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("DevTools closed: " + reason)));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }

    /** One page, attached through its own DevTools session. */
    final class Tab {
        private final String sessionId;
        private final Deque<String> console = new ArrayDeque<>();

        private Tab(String sessionId) {
            this.sessionId = sessionId;
        }

        JsonObject call(String method, JsonObject params) {
            return HeadlessChromium.this.call(sessionId, method, params);
        }

        private void event(String method, JsonObject params) {
            String line = switch (method) {
                case "Runtime.consoleAPICalled" -> "console." + params.getString("type") + ": "
                        + params.getJsonArray("args", new JsonArray()).stream()
                                .map(a -> String.valueOf(((JsonObject) a).getValue("value", ((JsonObject) a).getString("description"))))
                                .toList();
                case "Runtime.exceptionThrown" -> "uncaught: " + params.getJsonObject("exceptionDetails").encode();
                default -> null;
            };
            if (line == null) return;
            synchronized (console) {
                console.addLast(line);
                if (console.size() > CONSOLE_LINES_KEPT) console.removeFirst();
            }
        }

        /** What the page logged and threw, for a failure message. */
        String consoleLog() {
            synchronized (console) {
                return String.join("\n", console);
            }
        }

        /**
         * The value of {@code expression}, evaluated in the page (a promise is awaited).
         *
         * @throws DevToolsException if it throws, or the page is between documents
         */
        Object evaluate(String expression) {
            JsonObject result = call("Runtime.evaluate", new JsonObject().put("expression", expression)
                    .put("returnByValue", true).put("awaitPromise", true));
            if (result.containsKey("exceptionDetails")) {
                throw new DevToolsException("'" + expression + "' threw: " + result.getJsonObject("exceptionDetails").encode());
            }
            return result.getJsonObject("result").getValue("value");
        }

        /** Waits until {@code expression} is {@code true} in the page. */
        void awaitTrue(String what, String expression, Duration timeout) {
            awaitValue(what, expression, true, timeout);
        }

        /** Waits until {@code expression} evaluates to {@code expected}; fails with what the page shows and logged. */
        void awaitValue(String what, String expression, Object expected, Duration timeout) {
            Object[] last = {null};
            try {
                Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                        .ignoreException(DevToolsException.class)
                        .until(() -> {
                            last[0] = evaluate(expression);
                            return expected.equals(last[0]);
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("not within " + timeout + ": " + what + " (expected " + expected + ", last " + last[0] + ")\n"
                        + "page text:\n" + pageText() + "\nconsole:\n" + consoleLog(), e);
            }
        }

        /** The page's visible text, or why it cannot be read. */
        String pageText() {
            try {
                return String.valueOf(evaluate("document.body ? document.body.innerText : ''"));
            } catch (RuntimeException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }

        /** Clicks the middle of the element {@code selector} finds, with the mouse, as a user would. */
        void click(String selector) {
            call("Page.bringToFront", new JsonObject());
            Object point = evaluate("(() => { const e = document.querySelector(" + Json.encode(selector) + ");"
                    + " if (!e) return 'missing';"
                    + " e.scrollIntoView({ block: 'center' });"
                    + " const r = e.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;"
                    + " const hit = document.elementFromPoint(x, y);"
                    + " if (!hit || !(hit === e || e.contains(hit))) return 'covered or hidden';"
                    + " return { x, y }; })()");
            if (!(point instanceof JsonObject at)) throw new AssertionError("cannot click " + selector + ": " + point + "\n" + pageText());
            JsonObject mouse = new JsonObject().put("x", at.getDouble("x")).put("y", at.getDouble("y"));
            call("Input.dispatchMouseEvent", mouse.copy().put("type", "mouseMoved"));
            call("Input.dispatchMouseEvent", mouse.copy().put("type", "mousePressed").put("button", "left").put("clickCount", 1));
            call("Input.dispatchMouseEvent", mouse.copy().put("type", "mouseReleased").put("button", "left").put("clickCount", 1));
        }

        /** Focuses the field {@code selector} finds and types {@code text} into it (real input events). */
        void type(String selector, String text) {
            call("Page.bringToFront", new JsonObject());
            Object focused = evaluate("(() => { const e = document.querySelector(" + Json.encode(selector) + ");"
                    + " if (!e) return false; e.focus(); return document.activeElement === e; })()");
            if (!Boolean.TRUE.equals(focused)) throw new AssertionError("cannot focus " + selector + "\n" + pageText());
            call("Input.insertText", new JsonObject().put("text", text));
        }

        /** Chooses {@code files} in the file input {@code selector} finds, as the file picker would (its change event fires). */
        void chooseFiles(String selector, Path... files) {
            JsonObject found = call("Runtime.evaluate", new JsonObject().put("expression", "document.querySelector(" + Json.encode(selector) + ")"))
                    .getJsonObject("result");
            String objectId = found.getString("objectId");
            if (objectId == null) throw new AssertionError("no file input " + selector + "\n" + pageText());
            JsonArray paths = new JsonArray();
            for (Path file : files) paths.add(file.toAbsolutePath().toString());
            call("DOM.setFileInputFiles", new JsonObject().put("files", paths).put("objectId", objectId));
        }

        /** Saves a PNG of what the tab shows to {@code file}. */
        void screenshot(Path file) throws IOException {
            String png = call("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(png));
        }
    }
}
