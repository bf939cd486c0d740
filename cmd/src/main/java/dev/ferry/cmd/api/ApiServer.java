package dev.ferry.cmd.api;

import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.Contact;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.SentMessage;
import dev.ferry.messenger.delivery.OutboxFullException;
import dev.ferry.messenger.group.GroupState;
import dev.ferry.overlay.Connection;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.Inbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's HTTP API (docs/api/openapi.yaml): JSON under {@code /api/v1}, live events as
 * server-sent events, every request authorised by the {@link ApiToken}. It runs on its own small
 * Vert.x instance; store reads run on its worker threads, never on its event loop, and the
 * node's futures answer back on the request's context.
 */
public final class ApiServer implements AutoCloseable {
    /** Prefix of every API route. */
    public static final String BASE = "/api/v1";
    /** Largest JSON request body: a text message is small; files have their own route and limit. */
    static final int MAX_JSON_BODY = 256 * 1024;
    /** Longest text message, in bytes: well inside the largest envelope with every framing added. */
    static final int MAX_TEXT_BYTES = 64 * 1024;
    /** Largest file body: the largest file, 64 MiB. */
    static final int MAX_FILE_BODY = 64 << 20;
    /** File uploads and downloads at once: each holds up to 64 MiB in memory. */
    static final int MAX_FILE_TRANSFERS = 2;
    /** Most messages one page returns, and the default. */
    static final int MAX_PAGE = Inbox.MAX_READ;
    static final int DEFAULT_PAGE = 100;
    /** The web page may load and ask only this node, and no other site may frame it. */
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
    /** Where the web page's files are, on the class path. */
    static final String WEB_ROOT = "web";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    private final FerryNode node;
    private final ApiToken token;
    private final Vertx vertx;
    private final EventStream events;
    private final java.util.concurrent.Semaphore fileTransfers = new java.util.concurrent.Semaphore(MAX_FILE_TRANSFERS);
    private HttpServer server;

    /** Package-private so that OpenApiRoutesTest can build the {@link #router()} with no node behind it. */
    ApiServer(FerryNode node, ApiToken token, Vertx vertx) {
        this.node = node;
        this.token = token;
        this.vertx = vertx;
        this.events = new EventStream(vertx, node);
    }

    /**
     * Serves the API of {@code node} on {@code host:port} (port 0 picks a free one), guarded by {@code token}.
     *
     * @throws IllegalStateException if the address cannot be bound, with a one-line reason
     */
    public static ApiServer start(FerryNode node, ApiToken token, String host, int port) {
        // One event loop is plenty for one user's requests; the workers carry store reads.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(4).setInternalBlockingPoolSize(2));
        ApiServer api = new ApiServer(node, token, vertx);
        try {
            api.server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setCompressionSupported(true))
                    .requestHandler(api.router());
            api.server.listen().toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            vertx.close();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot serve the API on " + host + ":" + port + ": " + cause.getMessage(), cause);
        }
        node.onMessage(api.events::message);
        node.onDelivery(api.events::delivery);
        return api;
    }

    /** The port it listens on (the one picked, if 0 was asked for). */
    public int port() {
        return server.actualPort();
    }

    /** Every route the API serves; package-private so that OpenApiRoutesTest can hold docs/api/openapi.yaml against it. */
    Router router() {
        Router router = Router.router(vertx);
        router.route(BASE + "/*").handler(this::authorise);
        // A file's body is large and read into memory: few at once, and only after the token is checked.
        router.post(BASE + "/files").handler(this::takeUploadSlot);
        router.post(BASE + "/files").handler(BodyHandler.create(false).setBodyLimit(MAX_FILE_BODY));
        router.routeWithRegex("^" + BASE + "/(?!files$).*").handler(BodyHandler.create(false).setBodyLimit(MAX_JSON_BODY));

        router.get(BASE + "/identity").handler(ctx -> blocking(ctx, 200, this::identity));
        router.get(BASE + "/status").handler(ctx -> async(ctx, 200, this::status));
        router.get(BASE + "/peers").handler(ctx -> blocking(ctx, 200, this::peers));

        router.get(BASE + "/contacts").handler(ctx -> blocking(ctx, 200, () -> contacts()));
        router.post(BASE + "/contacts").handler(ctx -> blocking(ctx, 201, () -> addContact(body(ctx))));
        router.delete(BASE + "/contacts/:contact").handler(ctx -> blocking(ctx, 200, () -> removeContact(ctx.pathParam("contact"))));

        router.get(BASE + "/conversations").handler(ctx -> blocking(ctx, 200, this::conversations));
        router.get(BASE + "/conversations/:peer/messages").handler(ctx -> blocking(ctx, 200, () -> history(ctx)));
        router.post(BASE + "/messages").handler(ctx -> async(ctx, 202, () -> send(body(ctx))));
        router.get(BASE + "/messages/:envelope").handler(ctx -> async(ctx, 200, () -> sentState(ctx.pathParam("envelope"))));
        router.get(BASE + "/outbox").handler(ctx -> async(ctx, 200, () -> outbox(ctx)));
        router.post(BASE + "/files").handler(ctx -> async(ctx, 202, () -> sendFile(ctx)));
        router.get(BASE + "/conversations/:peer/files/:position").handler(this::downloadFile);

        router.get(BASE + "/groups").handler(ctx -> async(ctx, 200, this::groups));
        router.post(BASE + "/groups").handler(ctx -> async(ctx, 201, () -> createGroup(body(ctx))));
        router.get(BASE + "/groups/:group").handler(ctx -> async(ctx, 200, () -> group(ctx.pathParam("group"))
                .thenApply(g -> ApiJson.group(g).put("lastPosition", node.groupLastPosition(g.groupId())))));
        router.post(BASE + "/groups/:group/members").handler(ctx -> async(ctx, 200, () -> invite(ctx.pathParam("group"), body(ctx))));
        router.delete(BASE + "/groups/:group/members/:peer").handler(ctx -> async(ctx, 200,
                () -> removeMember(ctx.pathParam("group"), ctx.pathParam("peer"))));
        router.post(BASE + "/groups/:group/leave").handler(ctx -> async(ctx, 200, () -> leave(ctx.pathParam("group"))));
        router.post(BASE + "/groups/:group/messages").handler(ctx -> async(ctx, 202, () -> sendToGroup(ctx.pathParam("group"), body(ctx))));
        router.get(BASE + "/groups/:group/messages").handler(ctx -> async(ctx, 200, () -> groupHistory(ctx)));

        router.get(BASE + "/events").handler(ctx -> events.open(ctx.response()));
        router.route(BASE + "/*").handler(ctx -> fail(ctx, new ApiException(404, "no such endpoint: " + ctx.request().method() + " "
                + ctx.request().path())));
        // The web page: static files, no token needed to load them; the page asks the API with the token.
        // The headers say what the page's own meta tags say, for browsers and for files that are not HTML.
        router.route("/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", PAGE_POLICY).putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("X-Frame-Options", "DENY").putHeader("Referrer-Policy", "no-referrer");
            ctx.next();
        });
        router.route("/*").handler(StaticHandler.create(WEB_ROOT).setCachingEnabled(false).setIndexPage("index.html"));
        router.route().failureHandler(this::failed);
        // A path or query that cannot be decoded (a bad %-escape) fails while routes are matched,
        // so no failure handler above sees it, nor its status: answer it in JSON too, not Vert.x's plain text.
        router.errorHandler(400, ctx -> fail(ctx, new ApiException(400, ctx.failure() != null && ctx.failure().getMessage() != null
                ? ctx.failure().getMessage() : "the path or query cannot be decoded (a bad %-escape?)")));
        return router;
    }

    // ---------------------------------------------------------------- plumbing

    private void authorise(RoutingContext ctx) {
        if (token.authorizes(ctx.request().getHeader("Authorization"))) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"ferry\"");
        fail(ctx, new ApiException(401, "missing or wrong bearer token (see the api-token file in the node's data directory)"));
    }

    /** Runs {@code work} (store reads) on a worker thread and answers with its JSON. */
    private void blocking(RoutingContext ctx, int status, Callable<Object> work) {
        vertx.executeBlocking(work, false).onComplete(result -> {
            if (result.succeeded()) reply(ctx, status, result.result());
            else fail(ctx, result.cause());
        });
    }

    /** Runs {@code work} on a worker thread (it may read the store before it starts the node's work) and answers when its future does. */
    private void async(RoutingContext ctx, int status, Callable<CompletableFuture<?>> work) {
        vertx.executeBlocking(work, false)
                .compose(future -> Future.fromCompletionStage(future, ctx.vertx().getOrCreateContext()))
                .onComplete(result -> {
                    if (result.succeeded()) reply(ctx, status, result.result());
                    else fail(ctx, result.cause());
                });
    }

    private static void reply(RoutingContext ctx, int status, Object json) {
        if (ctx.response().ended()) return;
        String text = json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode() : String.valueOf(json);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
    }

    private void failed(RoutingContext ctx) {
        if (ctx.statusCode() == 413) {
            // the body handler only says 413: name the limit of the route it guarded
            boolean file = ctx.request().path().equals(BASE + "/files");
            fail(ctx, new ApiException(413, file ? "a file has at most " + (MAX_FILE_BODY >> 20) + " MiB"
                    : "request body over " + MAX_JSON_BODY / 1024 + " KiB"));
        } else {
            fail(ctx, ctx.failure() != null ? ctx.failure() : new ApiException(ctx.statusCode(), "request failed"));
        }
    }

    /** Every refusal is a status and {@code {"error": "one line"}}; only a bug is a 500, logged. */
    private static void fail(RoutingContext ctx, Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        // the client went away mid-request (an upload broken off): nobody to answer, and no bug to log
        if (t instanceof io.vertx.core.http.HttpClosedException || ctx.response().closed()) return;
        int status;
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().replace('\n', ' ');
        if (t instanceof ApiException api) status = api.status;
        else if (t instanceof IllegalArgumentException || t instanceof DecodeException) status = 400;
        else if (t instanceof HttpException http && http.getStatusCode() >= 400 && http.getStatusCode() < 500) {
            // Vert.x's own refusal, e.g. of a query with a bad %-escape read by ctx.queryParams()
            status = http.getStatusCode();
            if (http.getCause() != null && http.getCause().getMessage() != null) message += ": " + http.getCause().getMessage().replace('\n', ' ');
        }
        else if (t instanceof OutboxFullException) status = 503;
        else if (t instanceof IllegalStateException) status = 409;
        else {
            status = 500;
            LOG.log(Level.WARNING, "API request " + ctx.request().method() + " " + ctx.request().path() + " failed", t);
            message = "internal error: " + message;
        }
        if (ctx.response().ended()) return;
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }

    private static JsonObject body(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().length() == 0) throw ApiException.badRequest("a JSON object body is needed");
        try {
            JsonObject json = ctx.body().asJsonObject();
            if (json == null) throw ApiException.badRequest("a JSON object body is needed");
            return json;
        } catch (DecodeException | ClassCastException e) {
            throw ApiException.badRequest("the body is not a JSON object");
        }
    }

    private static String text(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (!(value instanceof String s) || s.isEmpty()) throw ApiException.badRequest("'" + field + "' must be a non-empty string");
        return s;
    }

    /** The body's {@code text}, refused with 413 past {@link #MAX_TEXT_BYTES}; {@code advice} ends the refusal. */
    private static String messageText(JsonObject body, String advice) {
        String text = text(body, "text");
        if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            throw new ApiException(413, "a text message has at most " + MAX_TEXT_BYTES / 1024 + " KiB" + advice);
        }
        return text;
    }

    private static long longParam(RoutingContext ctx, String name, long fallback, long least, long most) {
        String v = ctx.queryParams().get(name);
        if (v == null) return fallback;
        try {
            long n = Long.parseLong(v);
            if (n < least || n > most) throw ApiException.badRequest("'" + name + "' must be in " + least + ".." + most);
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'" + name + "' must be a number");
        }
    }

    /** A PeerId, or the name of a contact. */
    private PeerId peer(String nameOrPeer) {
        Optional<Contact> contact = node.contact(nameOrPeer);
        if (contact.isPresent()) return contact.get().peer();
        try {
            return PeerId.parse(nameOrPeer);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no contact named '" + nameOrPeer + "', and it is not a PeerId");
        }
    }

    private static byte[] groupId(String hex) {
        try {
            byte[] id = HexFormat.of().parseHex(hex);
            if (id.length != 32) throw new IllegalArgumentException();
            return id;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + hex + "' is not a group id (64 hex digits)");
        }
    }

    private CompletableFuture<GroupState> group(String hex) {
        byte[] id = groupId(hex);
        return node.groups().thenApply(all -> all.stream().filter(g -> java.util.Arrays.equals(g.groupId(), id)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no group " + hex)));
    }

    /** Lets a file transfer go on if fewer than {@link #MAX_FILE_TRANSFERS} run; it gives its slot back when its response ends. */
    private void takeUploadSlot(RoutingContext ctx) {
        if (!fileTransfers.tryAcquire()) {
            fail(ctx, new ApiException(503, "too many file transfers at once (" + MAX_FILE_TRANSFERS + "); try again shortly"));
            return;
        }
        ctx.addEndHandler(v -> fileTransfers.release());
        ctx.next();
    }

    // ---------------------------------------------------------------- endpoints

    private JsonObject identity() {
        JsonArray addresses = new JsonArray();
        node.addresses().forEach(a -> addresses.add(a.toString()));
        return new JsonObject().put("peerId", node.peerId().toString()).put("addresses", addresses).put("relayOnly", node.relayOnly());
    }

    private CompletableFuture<?> status() {
        return node.dht().routingTablePeers().thenApply(table -> {
            var usage = node.store().shards().usage();
            var connections = node.host().connections();
            return identity()
                    .put("uptimeSeconds", Duration.between(node.startedAt(), java.time.Instant.now()).toSeconds())
                    .put("connections", connections.size())
                    .put("connectedPeers", connections.stream().map(Connection::remotePeer).distinct().count())
                    .put("routingTablePeers", table.size())
                    .put("storedShards", usage.shards())
                    .put("storedBytes", usage.bytes())
                    .put("storeMaxBytes", node.store().limits().maxTotalBytes());
        });
    }

    private JsonArray peers() {
        JsonArray peers = new JsonArray();
        for (Connection c : node.host().connections()) {
            peers.add(new JsonObject().put("peerId", c.remotePeer().toString()).put("address", c.remoteAddress().toString())
                    .put("direction", c.direction().name().toLowerCase(java.util.Locale.ROOT)).put("streams", c.streamCount()));
        }
        return peers;
    }

    private JsonArray contacts() {
        JsonArray all = new JsonArray();
        node.contacts().forEach(c -> all.add(ApiJson.contact(c)));
        return all;
    }

    private JsonObject addContact(JsonObject body) {
        String name = text(body, "name");
        PeerId peer;
        try {
            peer = PeerId.parse(text(body, "peerId"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'peerId' is not a PeerId: " + e.getMessage());
        }
        return ApiJson.contact(node.addContact(name, peer));
    }

    private JsonObject removeContact(String nameOrPeer) {
        return ApiJson.contact(node.removeContact(nameOrPeer).orElseThrow(() -> ApiException.notFound("no contact '" + nameOrPeer + "'")));
    }

    private JsonArray conversations() {
        Map<PeerId, String> names = new java.util.HashMap<>();
        node.contacts().forEach(c -> names.put(c.peer(), c.name()));
        JsonArray all = new JsonArray();
        node.conversations().forEach((peer, last) -> {
            JsonObject c = new JsonObject().put("peerId", peer.toString()).put("lastPosition", last);
            if (names.containsKey(peer)) c.put("name", names.get(peer));
            all.add(c);
        });
        return all;
    }

    private JsonObject history(RoutingContext ctx) {
        PeerId peer = peer(ctx.pathParam("peer"));
        long after = longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
        int limit = (int) longParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        return page(node.historyPage(peer, after, limit)).put("peerId", peer.toString());
    }

    private CompletableFuture<?> groupHistory(RoutingContext ctx) {
        long after = longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
        int limit = (int) longParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        return group(ctx.pathParam("group")).thenApply(g -> page(node.groupHistoryPage(g.groupId(), after, limit))
                .put("group", ApiJson.hex(g.groupId())));
    }

    /** A page of messages, with the cursor to ask for the next one from. */
    private static JsonObject page(dev.ferry.messenger.ConversationPage page) {
        JsonArray messages = new JsonArray();
        page.messages().forEach(m -> messages.add(ApiJson.message(m)));
        return new JsonObject().put("messages", messages).put("next", page.next());
    }

    private CompletableFuture<?> send(JsonObject body) {
        PeerId to = peer(text(body, "to"));
        String text = messageText(body, "; send a file instead");
        return node.send(to, text).thenApply(envelope -> keptState(envelope,
                new JsonObject().put("envelope", ApiJson.hex(envelope)).put("recipient", to.toString())));
    }

    private static EnvelopeId envelopeId(String hex) {
        try {
            return EnvelopeId.of(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + hex + "' is not an envelope id (64 hex digits)");
        }
    }

    private CompletableFuture<?> sentState(String hex) {
        EnvelopeId envelope = envelopeId(hex);
        var state = node.sentState(envelope).orElseThrow(() -> ApiException.notFound("no message this node sent has envelope " + hex));
        return node.lastRefusal(envelope).thenApply(refusal -> {
            JsonObject json = new JsonObject().put("envelope", hex).put("state", ApiJson.state(state));
            refusal.ifPresent(r -> json.put("refusal", r.label()));
            return json;
        });
    }

    private CompletableFuture<?> outbox(RoutingContext ctx) {
        String afterHex = ctx.queryParams().get("after");
        Optional<EnvelopeId> after = afterHex == null ? Optional.empty() : Optional.of(envelopeId(afterHex));
        int limit = (int) longParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        List<SentMessage> sent = node.sentMessages(after, limit);
        List<CompletableFuture<JsonObject>> rows = sent.stream().map(s -> s.state().isFinal()
                ? CompletableFuture.completedFuture(ApiJson.sent(s, Optional.empty()))
                : node.lastRefusal(s.envelope()).thenApply(r -> ApiJson.sent(s, r))).toList();
        return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).thenApply(v -> {
            JsonObject page = new JsonObject().put("messages", new JsonArray(rows.stream().map(CompletableFuture::join).toList()));
            page.put("next", sent.size() == limit ? ApiJson.hex(sent.getLast().envelope()) : null);
            return page;
        });
    }

    private CompletableFuture<?> sendFile(RoutingContext ctx) {
        String to = ctx.queryParams().get("to");
        String name = ctx.queryParams().get("name");
        if (to == null || to.isEmpty()) throw ApiException.badRequest("'to' (a contact or PeerId) is needed as a query parameter");
        if (name == null || name.isEmpty()) throw ApiException.badRequest("'name' (the file's name) is needed as a query parameter");
        PeerId recipient = peer(to);
        byte[] content = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        String mediaType = ctx.request().getHeader("Content-Type");
        return node.sendFile(recipient, name, mediaType, content).thenApply(sent -> {
            JsonArray envelopes = new JsonArray();
            sent.envelopes().forEach(e -> envelopes.add(ApiJson.hex(e)));
            return keptState(sent.lastEnvelope(), new JsonObject().put("file", ApiJson.file(sent.file()))
                    .put("recipient", recipient.toString()).put("envelopes", envelopes).put("lastEnvelope", ApiJson.hex(sent.lastEnvelope())));
        });
    }

    /** {@code answer} with the state and conversation position kept for a message just sent (read once). */
    private JsonObject keptState(EnvelopeId envelope, JsonObject answer) {
        Optional<SentMessage> kept = node.sentMessage(envelope);
        answer.put("state", kept.map(m -> ApiJson.state(m.state())).orElse("queued"));
        kept.ifPresent(m -> answer.put("position", m.position()));
        return answer;
    }

    private void downloadFile(RoutingContext ctx) {
        if (!fileTransfers.tryAcquire()) {
            fail(ctx, new ApiException(503, "too many file transfers at once (" + MAX_FILE_TRANSFERS + "); try again shortly"));
            return;
        }
        vertx.executeBlocking(() -> {
            PeerId peer = peer(ctx.pathParam("peer"));
            long position;
            try {
                position = Long.parseLong(ctx.pathParam("position"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("'" + ctx.pathParam("position") + "' is not a position");
            }
            var info = node.historyPage(peer, Math.max(0, position - 1), 1).messages().stream()
                    .filter(m -> m.position() == position).findFirst().flatMap(dev.ferry.messenger.ChatMessage::file)
                    .orElseThrow(() -> ApiException.notFound("no file ends at position " + position + " of this conversation"));
            byte[] content;
            try {
                content = node.readFile(peer, position);
            } catch (IllegalArgumentException e) {
                throw ApiException.notFound(e.getMessage());
            }
            return new Object[] {info, content};
        }, false).onComplete(result -> {
            fileTransfers.release();
            if (result.failed()) {
                fail(ctx, result.cause());
                return;
            }
            var info = (dev.ferry.messenger.FileInfo) result.result()[0];
            byte[] content = (byte[]) result.result()[1];
            // The name is the sender's: offered as a suggestion, quoted, never trusted as a path.
            String ascii = info.name().replaceAll("[^A-Za-z0-9._ -]", "_");
            ctx.response().setStatusCode(200)
                    .putHeader("Content-Type", "application/octet-stream")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
                            + java.net.URLEncoder.encode(info.name(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"))
                    .end(io.vertx.core.buffer.Buffer.buffer(content));
        });
    }

    private CompletableFuture<?> groups() {
        return node.groups().thenApply(all -> {
            JsonArray groups = new JsonArray();
            all.forEach(g -> groups.add(ApiJson.group(g).put("lastPosition", node.groupLastPosition(g.groupId()))));
            return groups;
        });
    }

    private CompletableFuture<?> createGroup(JsonObject body) {
        return node.createGroup(text(body, "name")).thenApply(ApiJson::group);
    }

    private CompletableFuture<?> invite(String group, JsonObject body) {
        PeerId member = peer(text(body, "peer"));
        return group(group).thenCompose(g -> node.inviteToGroup(g.groupId(), member)).thenApply(ApiJson::group);
    }

    private CompletableFuture<?> removeMember(String group, String member) {
        PeerId peer = peer(member);
        return group(group).thenCompose(g -> node.removeFromGroup(g.groupId(), peer)).thenApply(ApiJson::group);
    }

    private CompletableFuture<?> leave(String group) {
        return group(group).thenCompose(g -> node.leaveGroup(g.groupId())).thenApply(ApiJson::group);
    }

    private CompletableFuture<?> sendToGroup(String group, JsonObject body) {
        String text = messageText(body, "");
        return group(group).thenCompose(g -> node.sendToGroup(g.groupId(), text)
                .thenApply(v -> new JsonObject().put("group", ApiJson.hex(g.groupId())).put("state", "sent")));
    }

    /** Stops serving: open event streams end, then the Vert.x instance stops. */
    @Override
    public void close() {
        events.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // stopping anyway
        }
    }
}
