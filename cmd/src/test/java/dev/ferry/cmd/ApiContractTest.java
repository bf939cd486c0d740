package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.cmd.ApiTestNodes.Running;
import dev.ferry.cmd.api.OpenApiOperations;
import dev.ferry.cmd.api.OpenApiOperations.Operation;
import dev.ferry.crypto.IdentityKeyPair;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API's contract, over real HTTP between three whole nodes on loopback (Alice, Bob and
 * Carol): every operation docs/api/openapi.yaml lists refuses a request without the token; each
 * endpoint does what the file says on the happy path; bad input of every kind gets a 4xx with a
 * one-line JSON error, never a 500, and the nodes still answer afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApiContractTest {
    /** Longest anything may take to cross loopback: delivery takes well under a second there. */
    static final Duration DELIVERY_WAIT = Duration.ofSeconds(30);
    /** The API's limits, as the file states them; written out here so that a change to them shows. */
    static final int MAX_TEXT_BYTES = 64 * 1024;
    static final int MAX_JSON_BODY = 256 * 1024;
    static final long MAX_FILE_BODY = 64L << 20;
    private static final String BASE = "/api/v1";
    private static final String NO_SUCH_ID = "00".repeat(32);

    /** Static: JUnit fills an instance field only per test, after @BeforeAll has run. */
    @TempDir
    static Path dir;

    private ApiTestNodes nodes;
    private Running alice;
    private Running bob;
    private Running carol;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
            .build();

    /** One answer of the API, with the request it answers for messages. */
    record Answer(String request, int status, java.net.http.HttpHeaders headers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        JsonArray array() {
            return new JsonArray(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    @BeforeAll
    void startNodes() throws Exception {
        nodes = new ApiTestNodes(dir.resolve("nodes"));
        alice = nodes.start();
        bob = nodes.start();
        carol = nodes.start();
        // contacts the tests rely on, set up through the node: the contacts endpoints have their own test
        alice.node().addContact("bob", bob.node().peerId());
        bob.node().addContact("alice", alice.node().peerId());
    }

    @AfterAll
    void everyNodeStillAnswersAndStops() throws Exception {
        if (nodes == null) return;
        try {
            for (Running node : List.of(alice, bob, carol)) {
                assertThat(call(node, "GET", "/status").status()).as("after every test, /status of %s", node.node().peerId()).isEqualTo(200);
            }
        } finally {
            nodes.close();
        }
    }

    // ---------------------------------------------------------------- authorisation

    @Test
    void everyDocumentedOperationRefusesNoTokenAWrongTokenAndAnotherScheme() throws Exception {
        Set<Operation> operations = OpenApiOperations.read(OpenApiOperations.FILE);
        assertThat(operations).hasSizeGreaterThan(20);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("ferry:" + alice.token().value()).getBytes(StandardCharsets.UTF_8));
        String wrong = "Bearer " + "A".repeat(alice.token().value().length());
        for (Operation operation : operations) {
            String path = examplePath(operation.path()).substring(BASE.length());
            for (String authorization : new String[] {null, wrong, basic, "Bearer", "bearer " + alice.token().value() + "x"}) {
                Answer answer = exchange(alice, operation.method(), path, BodyPublishers.ofString("{}"), authorization, Map.of());
                assertError(answer, 401);
                assertThat(answer.header("WWW-Authenticate")).as("%s: WWW-Authenticate", answer.request()).startsWith("Bearer ");
            }
        }
        // the scheme name is case-insensitive, the token is not
        assertThat(exchange(alice, "GET", "/identity", BodyPublishers.noBody(), "bearer " + alice.token().value(), Map.of()).status())
                .isEqualTo(200);
        // an unknown endpoint does not tell a stranger that it is unknown
        assertError(exchange(alice, "GET", "/no-such-thing", BodyPublishers.noBody(), null, Map.of()), 401);
    }

    @Test
    void theWebPageLoadsWithoutAToken() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(uri(alice, "/")).GET().build(), BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<html");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }

    // ---------------------------------------------------------------- the happy paths

    @Test
    void identityStatusAndPeersDescribeTheNode() throws Exception {
        JsonObject identity = ok(call(alice, "GET", "/identity"), 200).json();
        assertThat(identity.getString("peerId")).isEqualTo(alice.node().peerId().toString());
        assertThat(identity.getJsonArray("addresses")).isNotEmpty();
        assertThat(identity.getBoolean("relayOnly")).isFalse();

        JsonObject status = ok(call(alice, "GET", "/status"), 200).json();
        assertThat(status.getString("peerId")).isEqualTo(alice.node().peerId().toString());
        assertThat(status.fieldNames()).contains("uptimeSeconds", "connections", "connectedPeers", "routingTablePeers", "storedShards",
                "storedBytes", "storeMaxBytes", "addresses", "relayOnly");
        assertThat(status.getLong("connectedPeers")).isPositive();

        JsonArray peers = ok(call(bob, "GET", "/peers"), 200).array();
        assertThat(peers.stream().map(p -> ((JsonObject) p).getString("peerId"))).contains(alice.node().peerId().toString());
        JsonObject first = peers.getJsonObject(0);
        assertThat(first.getString("direction")).isIn("inbound", "outbound");
        assertThat(first.fieldNames()).contains("address", "streams");
    }

    @Test
    void aContactIsAddedListedAndRemovedOnce() throws Exception {
        String alicePeer = alice.node().peerId().toString();
        JsonObject added = ok(post(carol, "/contacts", new JsonObject().put("name", "Alice A").put("peerId", alicePeer)), 201).json();
        assertThat(added.getString("name")).isEqualTo("Alice A");
        assertThat(added.getString("peerId")).isEqualTo(alicePeer);
        assertThat(added.getString("addedAt")).isNotBlank();

        JsonArray listed = ok(call(carol, "GET", "/contacts"), 200).array();
        assertThat(listed.stream().map(c -> ((JsonObject) c).getString("name"))).contains("Alice A");

        JsonObject removed = ok(call(carol, "DELETE", "/contacts/" + segment("Alice A")), 200).json();
        assertThat(removed.getString("peerId")).isEqualTo(alicePeer);
        assertError(call(carol, "DELETE", "/contacts/" + segment("Alice A")), 404);
        assertThat(ok(call(carol, "GET", "/contacts"), 200).array().stream().map(c -> ((JsonObject) c).getString("name")))
                .doesNotContain("Alice A");
    }

    @Test
    void aSentMessageIsAcceptedTrackedAndShowsInBothConversations() throws Exception {
        String text = "hello Bob " + System.nanoTime();
        JsonObject accepted = ok(post(alice, "/messages", new JsonObject().put("to", "bob").put("text", text)), 202).json();
        String envelope = accepted.getString("envelope");
        assertThat(envelope).matches("[0-9a-f]{64}");
        assertThat(accepted.getString("recipient")).isEqualTo(bob.node().peerId().toString());
        assertThat(accepted.getString("state")).isIn("queued", "stored", "delivered");
        long position = accepted.getLong("position");

        await("the message is delivered").atMost(DELIVERY_WAIT).until(() ->
                ok(call(alice, "GET", "/messages/" + envelope), 200).json().getString("state").equals("delivered"));
        assertThat(ok(call(alice, "GET", "/messages/" + envelope), 200).json().getString("envelope")).isEqualTo(envelope);

        JsonArray bobsConversations = ok(call(bob, "GET", "/conversations"), 200).array();
        JsonObject withAlice = bobsConversations.stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("peerId").equals(alice.node().peerId().toString())).findFirst().orElseThrow();
        assertThat(withAlice.getString("name")).isEqualTo("alice");
        assertThat(withAlice.getLong("lastPosition")).isPositive();

        JsonObject own = messages(ok(call(alice, "GET", "/conversations/bob/messages?after=" + (position - 1) + "&limit=1"), 200).json())
                .getFirst();
        assertThat(own.getString("text")).isEqualTo(text);
        assertThat(own.getString("envelope")).isEqualTo(envelope);

        JsonObject bobsPage = ok(call(bob, "GET", "/conversations/alice/messages?limit=1000"), 200).json();
        assertThat(bobsPage.getString("peerId")).isEqualTo(alice.node().peerId().toString());
        JsonObject received = messages(bobsPage).stream().filter(m -> text.equals(m.getString("text"))).findFirst().orElseThrow();
        assertThat(received.getBoolean("outgoing")).isFalse();
        assertThat(received.getString("type")).isEqualTo("text");
        assertThat(received.getString("sender")).isEqualTo(alice.node().peerId().toString());

        JsonObject alicesPage = ok(call(alice, "GET", "/conversations/" + bob.node().peerId() + "/messages?limit=1000"), 200).json();
        JsonObject sent = messages(alicesPage).stream().filter(m -> text.equals(m.getString("text"))).findFirst().orElseThrow();
        assertThat(sent.getBoolean("outgoing")).isTrue();
        assertThat(sent.getString("envelope")).isEqualTo(envelope);
        assertThat(sent.getString("state")).isEqualTo("delivered");
    }

    @Test
    void historyPagesFollowTheirNextCursorToTheEnd() throws Exception {
        // Carol writes to Alice: a conversation no other test adds to
        List<String> texts = List.of("one", "two", "three");
        for (String text : texts) {
            ok(post(carol, "/messages", new JsonObject().put("to", alice.node().peerId().toString()).put("text", text)), 202);
        }
        String conversation = "/conversations/" + alice.node().peerId() + "/messages";
        List<String> read = new ArrayList<>();
        long after = 0;
        for (int page = 0; page < 10; page++) {
            JsonObject json = ok(call(carol, "GET", conversation + "?after=" + after + "&limit=1"), 200).json();
            List<JsonObject> messages = messages(json);
            assertThat(messages).hasSizeLessThanOrEqualTo(1);
            if (messages.isEmpty()) break;
            read.add(messages.getFirst().getString("text"));
            assertThat(json.getLong("next")).isGreaterThan(after);
            after = json.getLong("next");
        }
        assertThat(read).containsExactlyElementsOf(texts);
        assertThat(messages(ok(call(carol, "GET", conversation + "?after=" + after), 200).json())).isEmpty();
        assertThat(messages(ok(call(carol, "GET", conversation + "?after=" + Long.MAX_VALUE), 200).json())).isEmpty();
    }

    @Test
    void theOutboxPagesFollowTheirNextCursorUntilItIsNull() throws Exception {
        List<String> envelopes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            envelopes.add(ok(post(carol, "/messages", new JsonObject().put("to", bob.node().peerId().toString()).put("text", "outbox " + i)),
                    202).json().getString("envelope"));
        }
        List<String> listed = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 100; page++) {
            JsonObject json = ok(call(carol, "GET", "/outbox?limit=2" + (after == null ? "" : "&after=" + after)), 200).json();
            json.getJsonArray("messages").forEach(m -> {
                JsonObject sent = (JsonObject) m;
                assertThat(sent.fieldNames()).contains("envelope", "recipient", "position", "state", "sentAt", "updatedAt");
                listed.add(sent.getString("envelope"));
            });
            after = json.getString("next");
            if (after == null) break;
            assertThat(json.getJsonArray("messages")).hasSize(2);
        }
        assertThat(after).as("the last page says there is no next").isNull();
        assertThat(listed).containsAll(envelopes).doesNotHaveDuplicates();
        assertThat(listed).isSortedAccordingTo(String::compareTo);
    }

    @Test
    void aFileUploadedOnOneNodeDownloadsByteForByteOnTheOther() throws Exception {
        byte[] content = new byte[300 * 1024 + 7]; // more than one piece
        new SecureRandom().nextBytes(content);
        String name = "report ü.txt";
        Answer uploaded = exchange(alice, "POST", "/files?to=bob&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8),
                BodyPublishers.ofByteArray(content), bearer(alice), Map.of("Content-Type", "text/plain"));
        JsonObject sent = ok(uploaded, 202).json();
        assertThat(sent.getJsonObject("file").getString("name")).isEqualTo(name);
        assertThat(sent.getJsonObject("file").getString("mediaType")).isEqualTo("text/plain");
        assertThat(sent.getJsonObject("file").getLong("size")).isEqualTo(content.length);
        assertThat(sent.getJsonArray("envelopes")).hasSize(sent.getJsonObject("file").getInteger("pieces"));
        assertThat(sent.getString("lastEnvelope")).isEqualTo(sent.getJsonArray("envelopes").getString(sent.getJsonArray("envelopes").size() - 1));

        String conversation = "/conversations/alice";
        JsonObject fileMessage = await("Bob's node has the file").atMost(DELIVERY_WAIT).until(() ->
                messages(ok(call(bob, "GET", conversation + "/messages?limit=1000"), 200).json()).stream()
                        .filter(m -> m.containsKey("file") && m.getJsonObject("file").getString("name").equals(name)).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        long position = fileMessage.getLong("position");

        HttpResponse<byte[]> download = http.send(request(bob, "GET", conversation + "/files/" + position, BodyPublishers.noBody(),
                bearer(bob), Map.of()).build(), BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
        assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(disposition -> assertThat(disposition)
                .startsWith("attachment; filename=\"report _.txt\"").contains("filename*=UTF-8''report%20%C3%BC.txt"));
        assertThat(download.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

        // positions that hold no file: a text, one before the first, one past the end
        ok(post(alice, "/messages", new JsonObject().put("to", "bob").put("text", "not a file")), 202);
        long textPosition = await("Bob's node has the text").atMost(DELIVERY_WAIT).until(() ->
                messages(ok(call(bob, "GET", conversation + "/messages?limit=1000"), 200).json()).stream()
                        .filter(m -> "not a file".equals(m.getString("text"))).mapToLong(m -> m.getLong("position")).findFirst(),
                java.util.OptionalLong::isPresent).getAsLong();
        for (String noFile : List.of(String.valueOf(textPosition), "0", "-1", String.valueOf(Long.MIN_VALUE), String.valueOf(Long.MAX_VALUE),
                String.valueOf(position - 1))) {
            assertError(call(bob, "GET", conversation + "/files/" + noFile), 404);
        }
        assertError(call(bob, "GET", conversation + "/files/abc"), 400);
        assertError(call(bob, "GET", conversation + "/files/99999999999999999999"), 400);
    }

    @Test
    void aGroupIsCreatedJoinedWrittenToAndLeft() throws Exception {
        JsonObject created = ok(post(alice, "/groups", new JsonObject().put("name", "Crew")), 201).json();
        String group = created.getString("id");
        assertThat(group).matches("[0-9a-f]{64}");
        assertThat(created.getString("name")).isEqualTo("Crew");
        assertThat(created.getString("owner")).isEqualTo(alice.node().peerId().toString());
        assertThat(created.getBoolean("isOwner")).isTrue();
        assertThat(created.getString("status")).isEqualTo("active");
        assertThat(created.getJsonArray("members")).containsExactly(alice.node().peerId().toString());

        JsonObject got = ok(call(alice, "GET", "/groups/" + group), 200).json();
        assertThat(got.getLong("lastPosition")).isZero();
        assertThat(ok(call(alice, "GET", "/groups"), 200).array().stream().map(g -> ((JsonObject) g).getString("id"))).contains(group);

        // by contact name and by PeerId
        ok(post(alice, "/groups/" + group + "/members", new JsonObject().put("peer", "bob")), 200);
        JsonObject withBoth = ok(post(alice, "/groups/" + group + "/members", new JsonObject().put("peer", carol.node().peerId().toString())),
                200).json();
        assertThat(withBoth.getJsonArray("members")).contains(bob.node().peerId().toString(), carol.node().peerId().toString());
        for (Running member : List.of(bob, carol)) {
            await("the invited member's node is in the group").atMost(DELIVERY_WAIT).until(() -> {
                Answer answer = call(member, "GET", "/groups/" + group);
                return answer.status() == 200 && answer.json().getString("status").equals("active");
            });
        }
        assertThat(ok(call(bob, "GET", "/groups/" + group), 200).json().getBoolean("isOwner")).isFalse();

        JsonObject sent = ok(post(alice, "/groups/" + group + "/messages", new JsonObject().put("text", "hello crew")), 202).json();
        assertThat(sent.getString("group")).isEqualTo(group);
        assertThat(sent.getString("state")).isEqualTo("sent");
        await("Bob reads the group message").atMost(DELIVERY_WAIT).until(() ->
                messages(ok(call(bob, "GET", "/groups/" + group + "/messages"), 200).json()).stream()
                        .anyMatch(m -> "hello crew".equals(m.getString("text")) && group.equals(m.getString("group"))));
        JsonObject page = ok(call(alice, "GET", "/groups/" + group + "/messages?after=0&limit=1"), 200).json();
        assertThat(page.getString("group")).isEqualTo(group);
        assertThat(messages(page)).hasSize(1);
        assertThat(page.getLong("next")).isPositive();

        // only the owner removes; a member cannot
        assertError(call(bob, "DELETE", "/groups/" + group + "/members/" + carol.node().peerId()), 409);
        JsonObject withoutCarol = ok(call(alice, "DELETE", "/groups/" + group + "/members/" + carol.node().peerId()), 200).json();
        assertThat(withoutCarol.getJsonArray("members")).doesNotContain(carol.node().peerId().toString());
        assertError(call(alice, "DELETE", "/groups/" + group + "/members/" + carol.node().peerId()), 409);

        JsonObject left = ok(post(bob, "/groups/" + group + "/leave", null), 200).json();
        assertThat(left.getString("status")).isEqualTo("left");
        assertThat(ok(call(bob, "GET", "/groups/" + group), 200).json().getString("status")).isEqualTo("left");
        assertError(post(bob, "/groups/" + group + "/leave", null), 409);
        assertError(post(bob, "/groups/" + group + "/messages", new JsonObject().put("text", "still here?")), 409);
    }

    @Test
    void theEventStreamAnnouncesArrivingMessagesAndDeliveries() throws Exception {
        HttpResponse<Stream<String>> stream = http.send(request(bob, "GET", "/events", BodyPublishers.noBody(), bearer(bob), Map.of()).build(),
                BodyHandlers.ofLines());
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                stream.body().forEach(lines::add);
            } catch (RuntimeException e) {
                // the test closed the stream
            }
        });
        try {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type")).contains("text/event-stream");
            await("the stream opens with its comment").atMost(DELIVERY_WAIT).until(() -> lines.contains(": ferry events"));

            String text = "live " + System.nanoTime();
            ok(post(alice, "/messages", new JsonObject().put("to", "bob").put("text", text)), 202);
            JsonObject message = await("a message event").atMost(DELIVERY_WAIT).until(() -> events(lines, "message").stream()
                    .filter(e -> text.equals(e.getString("text"))).findFirst(), java.util.Optional::isPresent).orElseThrow();
            assertThat(message.getString("sender")).isEqualTo(alice.node().peerId().toString());
            assertThat(message.getString("type")).isEqualTo("text");
            assertThat(message.fieldNames()).contains("sentAt", "receivedAt");

            JsonObject answer = ok(post(bob, "/messages", new JsonObject().put("to", "alice").put("text", "answer")), 202).json();
            String envelope = answer.getString("envelope");
            JsonObject delivered = await("a delivery event").atMost(DELIVERY_WAIT).until(() -> events(lines, "delivery").stream()
                    .filter(e -> envelope.equals(e.getString("envelope")) && "delivered".equals(e.getString("state"))).findFirst(),
                    java.util.Optional::isPresent).orElseThrow();
            assertThat(delivered.getString("recipient")).isEqualTo(alice.node().peerId().toString());
            assertThat(delivered.getString("at")).isNotBlank();
            assertThat(delivered.getLong("position")).isEqualTo(answer.getLong("position"));
        } finally {
            stream.body().close();
            reader.join(Duration.ofSeconds(10));
        }
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void bodiesThatAreNoJsonObjectAre400() throws Exception {
        String group = groupOf(alice);
        for (String path : List.of("/contacts", "/messages", "/groups", "/groups/" + group + "/members", "/groups/" + group + "/messages")) {
            for (String body : List.of("", "{", "{\"to\": ", "not json", "[1, 2]", "[]", "null", "42", "\"text\"", "true", "{} {}")) {
                assertError(exchange(alice, "POST", path, BodyPublishers.ofString(body), bearer(alice),
                        Map.of("Content-Type", "application/json")), 400);
            }
        }
    }

    @Test
    void missingEmptyAndWrongTypedFieldsAre400() throws Exception {
        String group = groupOf(alice);
        String bobPeer = bob.node().peerId().toString();
        Map<String, List<JsonObject>> bodies = Map.of(
                "/contacts", List.of(new JsonObject(), new JsonObject().put("name", "x"), new JsonObject().put("peerId", bobPeer),
                        new JsonObject().put("name", 1).put("peerId", bobPeer), new JsonObject().put("name", "x").put("peerId", 42),
                        new JsonObject().put("name", "").put("peerId", bobPeer), new JsonObject().put("name", "x").putNull("peerId"),
                        new JsonObject().put("name", new JsonArray()).put("peerId", bobPeer)),
                "/messages", List.of(new JsonObject(), new JsonObject().put("to", "bob"), new JsonObject().put("text", "hi"),
                        new JsonObject().put("to", "bob").put("text", ""), new JsonObject().put("to", "bob").put("text", 7),
                        new JsonObject().put("to", 7).put("text", "hi"), new JsonObject().put("to", "bob").put("text", new JsonObject())),
                "/groups", List.of(new JsonObject(), new JsonObject().put("name", ""), new JsonObject().put("name", false)),
                "/groups/" + group + "/members", List.of(new JsonObject(), new JsonObject().put("peer", ""), new JsonObject().put("peer", 3)),
                "/groups/" + group + "/messages", List.of(new JsonObject(), new JsonObject().put("text", ""),
                        new JsonObject().put("text", List.of("a"))));
        for (var entry : bodies.entrySet()) {
            for (JsonObject body : entry.getValue()) {
                assertError(post(alice, entry.getKey(), body), 400);
            }
        }
    }

    @Test
    void contactsTheNodeCannotTakeAre400() throws Exception {
        String bobPeer = bob.node().peerId().toString();
        for (JsonObject body : List.of(
                new JsonObject().put("name", "x").put("peerId", "not-a-peer-id"),
                new JsonObject().put("name", "x").put("peerId", "12D3KooW"),
                new JsonObject().put("name", "x").put("peerId", bobPeer + "x"),
                new JsonObject().put("name", "me").put("peerId", alice.node().peerId().toString()),
                new JsonObject().put("name", " padded ").put("peerId", bobPeer),
                new JsonObject().put("name", "line\nbreak").put("peerId", bobPeer),
                new JsonObject().put("name", carol.node().peerId().toString()).put("peerId", bobPeer),
                new JsonObject().put("name", "x".repeat(10_000)).put("peerId", bobPeer),
                new JsonObject().put("name", "bob").put("peerId", carol.node().peerId().toString()))) {
            assertError(post(alice, "/contacts", body), 400);
        }
    }

    @Test
    void namesThatAreNeitherAContactNorAPeerIdAre404() throws Exception {
        String group = groupOf(alice);
        assertError(post(alice, "/messages", new JsonObject().put("to", "nobody").put("text", "hi")), 404);
        assertError(call(alice, "GET", "/conversations/nobody/messages"), 404);
        assertError(call(alice, "GET", "/conversations/nobody/files/1"), 404);
        assertError(exchange(alice, "POST", "/files?to=nobody&name=a.txt", BodyPublishers.ofString("x"), bearer(alice), Map.of()), 404);
        assertError(post(alice, "/groups/" + group + "/members", new JsonObject().put("peer", "nobody")), 404);
        assertError(call(alice, "DELETE", "/groups/" + group + "/members/nobody"), 404);
        assertError(call(alice, "DELETE", "/contacts/nobody"), 404);
    }

    @Test
    void aPeerIdNobodyHasPublishedIsRefusedWith409() throws Exception {
        String stranger = IdentityKeyPair.generate(new SecureRandom()).peerId().toString();
        assertError(post(alice, "/messages", new JsonObject().put("to", stranger).put("text", "anyone?")), 409);
        assertError(post(alice, "/messages", new JsonObject().put("to", alice.node().peerId().toString()).put("text", "me")), 400);
    }

    @Test
    void malformedAndUnknownGroupIdsAre400And404() throws Exception {
        String bobPeer = bob.node().peerId().toString();
        for (String bad : List.of("xyz", "00", "0".repeat(63), "00".repeat(33), "zz".repeat(32), "%20")) {
            assertError(call(alice, "GET", "/groups/" + bad), 400);
            assertError(call(alice, "GET", "/groups/" + bad + "/messages"), 400);
            assertError(post(alice, "/groups/" + bad + "/messages", new JsonObject().put("text", "hi")), 400);
            assertError(post(alice, "/groups/" + bad + "/members", new JsonObject().put("peer", bobPeer)), 400);
            assertError(call(alice, "DELETE", "/groups/" + bad + "/members/" + bobPeer), 400);
            assertError(post(alice, "/groups/" + bad + "/leave", null), 400);
        }
        assertError(call(alice, "GET", "/groups/" + NO_SUCH_ID), 404);
        assertError(call(alice, "GET", "/groups/" + NO_SUCH_ID + "/messages"), 404);
        assertError(post(alice, "/groups/" + NO_SUCH_ID + "/messages", new JsonObject().put("text", "hi")), 404);
        assertError(post(alice, "/groups/" + NO_SUCH_ID + "/members", new JsonObject().put("peer", bobPeer)), 404);
        assertError(call(alice, "DELETE", "/groups/" + NO_SUCH_ID + "/members/" + bobPeer), 404);
        assertError(post(alice, "/groups/" + NO_SUCH_ID + "/leave", null), 404);
    }

    @Test
    void malformedAndUnknownEnvelopeIdsAre400And404() throws Exception {
        for (String bad : List.of("xyz", "00", "0".repeat(63), "00".repeat(33), "zz".repeat(32))) {
            assertError(call(alice, "GET", "/messages/" + bad), 400);
            assertError(call(alice, "GET", "/outbox?after=" + bad), 400);
        }
        assertError(call(alice, "GET", "/messages/" + NO_SUCH_ID), 404);
        assertThat(ok(call(alice, "GET", "/outbox?after=" + "ff".repeat(32)), 200).json().getJsonArray("messages")).isEmpty();
    }

    @Test
    void pagingParametersOutOfRangeOrNotNumbersAre400() throws Exception {
        String group = groupOf(alice);
        List<String> badQueries = List.of("after=-1", "after=abc", "after=", "after=1.5", "after=99999999999999999999", "limit=0", "limit=1001",
                "limit=-5", "limit=x", "limit=", "limit=2.0", "limit=99999999999999999999");
        for (String path : List.of("/conversations/bob/messages", "/groups/" + group + "/messages")) {
            for (String query : badQueries) {
                assertError(call(alice, "GET", path + "?" + query), 400);
            }
            ok(call(alice, "GET", path + "?after=0&limit=1"), 200);
            ok(call(alice, "GET", path + "?limit=1000"), 200);
        }
        for (String query : List.of("limit=0", "limit=1001", "limit=x", "after=")) {
            assertError(call(alice, "GET", "/outbox?" + query), 400);
        }
    }

    @Test
    void aTextOver64KiBIs413() throws Exception {
        String group = groupOf(alice);
        String tooLong = "é".repeat(MAX_TEXT_BYTES / 2 + 1); // two bytes each in UTF-8: just over 64 KiB
        assertError(post(alice, "/messages", new JsonObject().put("to", "bob").put("text", tooLong)), 413);
        assertError(post(alice, "/groups/" + group + "/messages", new JsonObject().put("text", tooLong)), 413);
    }

    @Test
    void aJsonBodyOver256KiBIs413() throws Exception {
        String padding = "x".repeat(MAX_JSON_BODY);
        for (String path : List.of("/messages", "/contacts", "/groups")) {
            Answer answer = post(alice, path, new JsonObject().put("to", "bob").put("text", "hi").put("name", "n").put("padding", padding));
            assertError(answer, 413);
            assertThat(answer.json().getString("error")).contains("256 KiB");
        }
        // without a Content-Length, streamed in chunks, the limit holds as well
        Answer chunked = exchange(alice, "POST", "/messages", BodyPublishers.ofInputStream(() -> new ZeroBytes(MAX_JSON_BODY + 1)),
                bearer(alice), Map.of("Content-Type", "application/json"));
        assertError(chunked, 413);
    }

    @Test
    void aFileOver64MiBIs413AndAFileUploadNeedsItsQueryParameters() throws Exception {
        long tooLarge = MAX_FILE_BODY + 1;
        // streamed from a counter, not held: with its length, and in chunks without one
        for (BodyPublisher body : List.of(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> new ZeroBytes(tooLarge)), tooLarge),
                BodyPublishers.ofInputStream(() -> new ZeroBytes(tooLarge)))) {
            Answer answer = exchange(alice, "POST", "/files?to=bob&name=big.bin", body, bearer(alice), Map.of());
            assertError(answer, 413);
            assertThat(answer.json().getString("error")).contains("64 MiB");
        }
        assertError(exchange(alice, "POST", "/files?name=a.txt", BodyPublishers.ofString("x"), bearer(alice), Map.of()), 400);
        assertError(exchange(alice, "POST", "/files?to=bob", BodyPublishers.ofString("x"), bearer(alice), Map.of()), 400);
        assertError(exchange(alice, "POST", "/files?to=&name=", BodyPublishers.ofString("x"), bearer(alice), Map.of()), 400);
        assertError(exchange(alice, "POST", "/files?to=bob&name=a.txt", BodyPublishers.ofString("x"), bearer(alice),
                Map.of("Content-Type", "bad type with spaces")), 400);
    }

    @Test
    void twoFileTransfersRunAtOnceAThirdIs503AndEveryEndedOneGivesItsSlotBack() throws Exception {
        // Two uploads over plain sockets send half their body and wait: they hold both slots.
        // (A java.net.http body that blocks may hold back the request's start too, so sockets it is.)
        List<java.net.Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) held.add(startUpload(alice, "held-" + i + ".bin", 2000, 1000));
            // an upload to nobody answers 404 at once while a slot is free, and sends nothing
            await("both held uploads have their slot").atMost(DELIVERY_WAIT).until(() ->
                    exchange(alice, "POST", "/files?to=nobody&name=third.bin", BodyPublishers.ofString("x"), bearer(alice), Map.of()).status()
                            == 503);
            assertError(exchange(alice, "POST", "/files?to=bob&name=third.bin", BodyPublishers.ofString("x"), bearer(alice), Map.of()), 503);
            assertError(call(bob, "GET", "/conversations/alice/files/1"), 404); // another node's slots are its own
            for (java.net.Socket upload : held) {
                upload.getOutputStream().write(new byte[1000]);
                String response = new String(upload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 202");
            }
        } finally {
            for (java.net.Socket upload : held) upload.close();
        }

        // uploads the client breaks off half-way give their slot back too
        for (int i = 0; i < 3; i++) {
            try (java.net.Socket broken = startUpload(alice, "broken.bin", 100_000, 1000)) {
                broken.shutdownOutput();
            }
        }
        await("the slots come back").atMost(DELIVERY_WAIT).until(() ->
                exchange(alice, "POST", "/files?to=bob&name=after.bin", BodyPublishers.ofString("after"), bearer(alice), Map.of()).status()
                        == 202);
    }

    /** An upload to Bob over a plain socket that declares {@code length} bytes and sends only {@code sent} of them. */
    private static java.net.Socket startUpload(Running node, String name, int length, int sent) throws IOException {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", node.api().port());
        socket.setSoTimeout(60_000);
        String head = "POST " + BASE + "/files?to=bob&name=" + name + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + bearer(node)
                + "\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(new byte[sent]);
        socket.getOutputStream().flush();
        return socket;
    }

    @Test
    void badlyEscapedPathsAndQueriesAre400() throws Exception {
        // java.net.URI refuses to build these, so they go over a plain socket
        for (String target : List.of("/contacts/%ZZ", "/conversations/%ZZ/messages", "/conversations/bob/messages?limit=%ZZ",
                "/conversations/bob/messages?after=%", "/outbox?after=%ZZ", "/messages/%ZZ", "/groups/%ZZ", "/conversations/bob/files/%ZZ")) {
            String method = target.startsWith("/contacts/") ? "DELETE" : "GET";
            Answer answer = raw(alice, method, BASE + target);
            assertError(answer, 400);
        }
        Answer upload = raw(alice, "POST", BASE + "/files?to=%ZZ&name=a.txt");
        assertError(upload, 400);
    }

    @Test
    void unknownEndpointsAndWrongMethodsAre404() throws Exception {
        assertError(call(alice, "GET", "/no-such-thing"), 404);
        assertError(call(alice, "GET", ""), 404);
        assertError(call(alice, "GET", "/contacts/extra/segments"), 404);
        assertError(call(alice, "PUT", "/contacts"), 404);
        assertError(call(alice, "PATCH", "/messages"), 404);
        assertError(call(alice, "DELETE", "/identity"), 404);
        assertError(call(alice, "POST", "/status"), 404);
        assertError(call(alice, "GET", "/files"), 404);
        assertError(call(alice, "GET", "/messages"), 404);
        assertError(call(alice, "GET", "/groups/" + NO_SUCH_ID + "/leave"), 404);
    }

    // ---------------------------------------------------------------- helpers

    /** A group of {@code owner}'s for the bad-input tests, created once. */
    private String groupOf(Running owner) throws Exception {
        synchronized (this) {
            if (sharedGroup == null) sharedGroup = ok(post(owner, "/groups", new JsonObject().put("name", "Bad input")), 201).json().getString("id");
            return sharedGroup;
        }
    }

    private String sharedGroup;

    /** A concrete path for an operation of the file: each path parameter gets a value of its kind. */
    private String examplePath(String template) {
        Map<String, String> examples = Map.of("contact", "bob", "peer", bob.node().peerId().toString(), "envelope", NO_SUCH_ID,
                "group", NO_SUCH_ID, "position", "1");
        String path = template;
        for (var example : examples.entrySet()) path = path.replace("{" + example.getKey() + "}", example.getValue());
        assertThat(path).as("every parameter of %s has an example", template).doesNotContain("{");
        return path;
    }

    private static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static List<JsonObject> messages(JsonObject page) {
        assertThat(page.fieldNames()).contains("messages", "next");
        return page.getJsonArray("messages").stream().map(JsonObject.class::cast).toList();
    }

    /** The data of every event named {@code name} in the lines read so far. */
    private static List<JsonObject> events(List<String> lines, String name) {
        List<JsonObject> found = new ArrayList<>();
        List<String> copy = List.copyOf(lines);
        for (int i = 0; i + 1 < copy.size(); i++) {
            if (copy.get(i).equals("event: " + name) && copy.get(i + 1).startsWith("data: ")) {
                found.add(new JsonObject(copy.get(i + 1).substring("data: ".length())));
            }
        }
        return found;
    }

    private static String bearer(Running node) {
        return "Bearer " + node.token().value();
    }

    private static URI uri(Running node, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + node.api().port() + pathAndQuery);
    }

    private Answer call(Running node, String method, String path) throws Exception {
        return exchange(node, method, path, BodyPublishers.noBody(), bearer(node), Map.of());
    }

    private Answer post(Running node, String path, JsonObject body) throws Exception {
        return exchange(node, "POST", path, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body.encode()), bearer(node),
                Map.of("Content-Type", "application/json"));
    }

    private static HttpRequest.Builder request(Running node, String method, String path, BodyPublisher body, String authorization,
            Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(node, BASE + path)).method(method, body).timeout(Duration.ofSeconds(60));
        if (authorization != null) request.header("Authorization", authorization);
        headers.forEach(request::header);
        return request;
    }

    private Answer exchange(Running node, String method, String path, BodyPublisher body, String authorization, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(node, method, path, body, authorization, headers).build(), BodyHandlers.ofString());
        return new Answer(method + " " + BASE + path, response.statusCode(), response.headers(), response.body());
    }

    /** The answer, checked to have {@code status} and a JSON body. */
    private static Answer ok(Answer answer, int status) {
        assertThat(answer.status()).as("%s answered %s", answer.request(), answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as("%s: Content-Type", answer.request()).startsWith("application/json");
        return answer;
    }

    /** A refusal: {@code status}, and a body that is exactly {@code {"error": "one line"}}. */
    private static void assertError(Answer answer, int status) {
        assertThat(answer.status()).as("%s answered %s", answer.request(), answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as("%s: Content-Type", answer.request()).startsWith("application/json");
        JsonObject json = answer.json();
        assertThat(json.fieldNames()).as("%s: fields of %s", answer.request(), answer.body()).containsExactly("error");
        assertThat(json.getValue("error")).as("%s: error", answer.request()).isInstanceOf(String.class);
        assertThat(json.getString("error")).as("%s: error", answer.request()).isNotBlank().doesNotContain("\n").doesNotContain("\r")
                .doesNotStartWith("internal error");
    }

    /** A request written by hand, for targets java.net.URI will not build; the answer is read to the end of the connection. */
    private static Answer raw(Running node, String method, String target) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.api().port())) {
            socket.setSoTimeout(30_000);
            String request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + bearer(node)
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headerEnd = response.indexOf("\r\n\r\n");
            String[] head = response.substring(0, headerEnd).split("\r\n");
            Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.computeIfAbsent(head[i].substring(0, colon).strip(), k -> new ArrayList<>()).add(head[i].substring(colon + 1).strip());
            }
            return new Answer(method + " " + target, Integer.parseInt(head[0].split(" ")[1]), java.net.http.HttpHeaders.of(headers, (a, b) -> true),
                    response.substring(headerEnd + 4));
        }
    }

    /** {@code length} zero bytes, counted rather than held. */
    static final class ZeroBytes extends InputStream {
        private long left;

        ZeroBytes(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left <= 0) return -1;
            left--;
            return 0;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (left <= 0) return -1;
            int n = (int) Math.min(length, left);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
