package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        List<JsonObject> received = new ArrayList<>();
        if (from != null) {
            received.addAll(tail(api, "/conversations/" + ApiClient.segment(from) + "/messages", -1));
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
        for (JsonObject m : received.subList(Math.max(0, received.size() - limit), received.size())) print(api, m);
        System.out.flush();
        if (!follow) return 0;
        api.events((event, data) -> {
            if (!event.equals("message")) return;
            if (from != null && (data.containsKey("group") || !matches(api, data.getString("sender")))) return;
            print(api, data);
            System.out.flush();
        });
        throw new IllegalStateException("the node closed the event stream (did it stop?)");
    }

    private boolean matches(ApiClient api, String sender) {
        return sender.equals(from) || nameOf(api, sender).equals(from);
    }

    /** The received messages among the last {@code limit} of a conversation ({@code last} &lt; 0: ask for its end first). */
    private List<JsonObject> tail(ApiClient api, String path, long last) {
        long end = last;
        if (end < 0) {
            // the conversation's end is not known: walk it (a page holds up to 1000)
            List<JsonObject> all = new ArrayList<>();
            long after = 0;
            while (true) {
                JsonObject page = api.getObject(path + "?after=" + after + "&limit=1000");
                page.getJsonArray("messages").forEach(m -> all.add((JsonObject) m));
                if (page.getJsonArray("messages").size() < 1000) break;
                after = page.getLong("next");
            }
            return all.stream().filter(m -> !m.getBoolean("outgoing")).toList();
        }
        JsonObject page = api.getObject(path + "?after=" + Math.max(0, end - limit) + "&limit=" + limit);
        List<JsonObject> found = new ArrayList<>();
        page.getJsonArray("messages").forEach(m -> {
            if (!((JsonObject) m).getBoolean("outgoing")) found.add((JsonObject) m);
        });
        return found;
    }

    private void print(ApiClient api, JsonObject m) {
        String who = nameOf(api, m.getString("sender"));
        String group = m.getString("group");
        String where = group == null ? "" : " in " + printable(groupNames.computeIfAbsent(group, id -> groupName(api, id)));
        String body = m.containsKey("text") ? printable(m.getString("text")) : "(" + m.getString("type") + ")";
        System.out.println(m.getString("receivedAt") + "  " + printable(who) + where + ": " + body);
    }

    private static String groupName(ApiClient api, String id) {
        try {
            return api.getObject("/groups/" + id).getString("name");
        } catch (ApiClient.Refused e) {
            return id;
        }
    }
}
