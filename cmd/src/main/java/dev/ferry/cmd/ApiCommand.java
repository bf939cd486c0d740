package dev.ferry.cmd;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A command that talks to a running node through its API ({@code ferry status}, {@code send},
 * {@code inbox}, ...): it finds the node through {@code --data-dir}, and prints names for the
 * PeerIds of the user's contacts.
 */
abstract class ApiCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    private Map<String, String> names;

    @Override
    public final Integer call() throws Exception {
        return run(ApiClient.of(dataDir));
    }

    abstract int run(ApiClient api) throws Exception;

    /** The contact name of {@code peerId}, else the PeerId itself. */
    String nameOf(ApiClient api, String peerId) {
        if (names == null) {
            names = new HashMap<>();
            for (Object c : api.getArray("/contacts")) names.put(((JsonObject) c).getString("peerId"), ((JsonObject) c).getString("name"));
        }
        return names.getOrDefault(peerId, peerId);
    }

    /** A group given by name (unique among the user's groups) or id: its id. */
    static String groupId(ApiClient api, String nameOrId) {
        JsonArray groups = api.getArray("/groups");
        String found = null;
        for (Object g : groups) {
            JsonObject group = (JsonObject) g;
            if (group.getString("id").equalsIgnoreCase(nameOrId)) return group.getString("id");
            if (group.getString("name").equals(nameOrId)) {
                if (found != null) throw new IllegalArgumentException("two groups are named '" + nameOrId + "': give its id (ferry group list)");
                found = group.getString("id");
            }
        }
        if (found == null) throw new NotFoundException("no group named '" + nameOrId + "' (ferry group list shows yours)");
        return found;
    }

    /** Text that arrived from someone else, on one line: control characters escaped, never interpreted by the terminal. */
    static String printable(String text) {
        return EscapedText.of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A message's text, or what file it is and how to save it. */
    static String body(JsonObject m) {
        if (m.containsKey("text")) return printable(m.getString("text"));
        JsonObject file = m.getJsonObject("file");
        if (file == null) return "(" + m.getString("type") + ")";
        String save = m.getBoolean("outgoing", false) || m.containsKey("group") || !m.containsKey("position") ? ""
                : "; save with: ferry save-file " + m.getString("sender") + " " + m.getLong("position");
        return "[file " + printable(file.getString("name")) + ", " + ByteSizeConverter.format(file.getLong("size")) + save + "]";
    }

    /** One message of a conversation: {@code TIME  FROM: TEXT}, with the delivery state of the user's own. */
    String line(ApiClient api, JsonObject m) {
        String who = m.getBoolean("outgoing", false) ? "me" : nameOf(api, m.getString("sender"));
        String body = body(m);
        String state = m.containsKey("state") ? "  [" + m.getString("state") + "]" : "";
        return m.getString("receivedAt") + "  " + who + ": " + body + state;
    }
}
