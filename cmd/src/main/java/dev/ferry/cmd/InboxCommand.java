package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry inbox}: the messages that arrived, from every conversation, newest last. */
@Command(name = "inbox", mixinStandardHelpOptions = true,
        description = {"Print the messages received, newest last, one per line: RECEIVED-AT FROM: TEXT (FROM in GROUP: TEXT for a "
                + "group). Text is escaped onto one line.", "With --follow it then prints each new message as it arrives, until "
                + "stopped with Ctrl-C."})
final class InboxCommand extends ApiCommand {
    @Option(names = "--from", paramLabel = "CONTACT", description = "Only the 1:1 conversation with CONTACT (a name or PeerId).")
    String from;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N messages, the newest (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--follow", description = "Keep printing messages as they arrive.")
    boolean follow;

    private final Map<String, String> groupNames = new HashMap<>();

    @Override
    int run(ApiClient api) throws Exception {
        if (limit < 1 || limit > 1000) throw new IllegalArgumentException("--limit must be in 1..1000");
        // With --follow the event stream opens first, so a message arriving while the inbox is read is not missed.
        Follower follower = follow ? Follower.start(api) : null;
        List<JsonObject> received = new ArrayList<>();
        if (from != null) {
            received.addAll(tailOf(api, from));
        } else {
            for (Object c : api.getArray("/conversations")) {
                JsonObject conversation = (JsonObject) c;
                received.addAll(tail(api, "/conversations/" + conversation.getString("peerId") + "/messages",
                        conversation.getLong("lastPosition")));
            }
            for (Object g : api.getArray("/groups")) {
                JsonObject group = (JsonObject) g;
                groupNames.put(group.getString("id"), group.getString("name"));
                received.addAll(tail(api, "/groups/" + group.getString("id") + "/messages", group.getLong("lastPosition")));
            }
        }
        received.sort(Comparator.comparing((JsonObject m) -> m.getString("receivedAt")));
        java.util.Set<String> printed = new java.util.HashSet<>();
        for (JsonObject m : received.subList(Math.max(0, received.size() - limit), received.size())) {
            print(api, m);
            printed.add(identity(m));
        }
        System.out.flush();
        if (follower == null) return 0;
        while (true) {
            JsonObject m = follower.next();
            if (m == null) throw new IllegalStateException("the node closed the event stream (did it stop?)");
            if (printed.remove(identity(m))) continue; // already shown by the listing
            if (from != null && (m.containsKey("group") || !matches(api, m.getString("sender")))) continue;
            print(api, m);
            System.out.flush();
        }
    }

    /** What tells one received message from another in both a page and an event. */
    private static String identity(JsonObject m) {
        return m.getString("sender") + " " + m.getString("group", "") + " " + m.getString("sentAt") + " " + m.getString("receivedAt");
    }

    /** The event stream, read on its own thread into a bounded queue. */
    private static final class Follower {
        /** Messages waiting to be printed; beyond that the terminal is not keeping up, and the reader waits. */
        static final int MAX_PENDING = 10_000;
        private static final JsonObject END = new JsonObject();
        private final java.util.concurrent.BlockingQueue<JsonObject> queue = new java.util.concurrent.ArrayBlockingQueue<>(MAX_PENDING);

        static Follower start(ApiClient api) throws InterruptedException {
            Follower f = new Follower();
            java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread.ofPlatform().daemon().name("inbox-events").start(() -> {
                try {
                    api.events(open::countDown, (event, data) -> {
                        if (!event.equals("message")) return;
                        try {
                            f.queue.put(data);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } catch (IOException | RuntimeException e) {
                    failure.set(e instanceof RuntimeException r ? r : new IllegalStateException(Main.oneLine(e)));
                } finally {
                    open.countDown();
                    f.queue.offer(END);
                }
            });
            open.await();
            if (failure.get() != null) throw failure.get();
            return f;
        }

        /** The next message, or null once the stream ended. */
        JsonObject next() throws InterruptedException {
            JsonObject m = queue.take();
            return m == END ? null : m;
        }
    }

    private boolean matches(ApiClient api, String sender) {
        return sender.equals(from) || nameOf(api, sender).equals(from);
    }

    /** The received messages among the last {@code limit} of a conversation that ends at position {@code last}. */
    private List<JsonObject> tail(ApiClient api, String path, long last) {
        JsonObject page = api.getObject(path + "?after=" + Math.max(0, last - limit) + "&limit=" + limit);
        List<JsonObject> found = new ArrayList<>();
        page.getJsonArray("messages").forEach(m -> {
            if (!((JsonObject) m).getBoolean("outgoing")) found.add((JsonObject) m);
        });
        return found;
    }

    /** The received messages among the last {@code limit} of the 1:1 conversation with {@code contact} (a name or PeerId). */
    private List<JsonObject> tailOf(ApiClient api, String contact) {
        String path = "/conversations/" + ApiClient.segment(contact) + "/messages";
        String peerId = api.getObject(path + "?limit=1").getString("peerId");
        for (Object c : api.getArray("/conversations")) {
            JsonObject conversation = (JsonObject) c;
            if (conversation.getString("peerId").equals(peerId)) return tail(api, path, conversation.getLong("lastPosition"));
        }
        return List.of();
    }

    private void print(ApiClient api, JsonObject m) {
        if (m.containsKey("file") && !m.containsKey("position") && !m.containsKey("group")) m = withPosition(api, m);
        String who = nameOf(api, m.getString("sender"));
        String group = m.getString("group");
        String where = group == null ? "" : " in " + printable(groupNames.computeIfAbsent(group, id -> groupName(api, id)));
        System.out.println(m.getString("receivedAt") + "  " + printable(who) + where + ": " + body(m));
    }

    /**
     * A file announced by an event, with its position in the conversation (events carry none), so
     * that the line can say how to save it: found among the conversation's last messages.
     */
    private static JsonObject withPosition(ApiClient api, JsonObject event) {
        String fileId = event.getJsonObject("file").getString("id");
        String path = "/conversations/" + event.getString("sender") + "/messages";
        for (Object c : api.getArray("/conversations")) {
            JsonObject conversation = (JsonObject) c;
            if (!conversation.getString("peerId").equals(event.getString("sender"))) continue;
            long last = conversation.getLong("lastPosition");
            JsonObject page = api.getObject(path + "?after=" + Math.max(0, last - 100) + "&limit=100");
            for (Object o : page.getJsonArray("messages")) {
                JsonObject m = (JsonObject) o;
                if (m.containsKey("file") && m.getJsonObject("file").getString("id").equals(fileId)) return m;
            }
        }
        return event;
    }

    private static String groupName(ApiClient api, String id) {
        try {
            return api.getObject("/groups/" + id).getString("name");
        } catch (ApiClient.Refused e) {
            return id;
        }
    }
}
