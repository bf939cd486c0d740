package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry outbox}: the messages the user sent and how far each got. */
@Command(name = "outbox", mixinStandardHelpOptions = true,
        description = {"List sent 1:1 messages, newest last: SENT-AT RECIPIENT STATE ENVELOPE, and the holders' refusal while one waits.",
            "States: queued (not yet delivered or stored), stored (on enough mailbox holders), delivered, expired."})
final class OutboxCommand extends ApiCommand {
    @Option(names = "--pending", description = "Only messages not delivered yet (queued or stored).")
    boolean pending;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N messages, the newest (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run(ApiClient api) {
        if (limit < 1) throw new IllegalArgumentException("--limit must be at least 1");
        List<JsonObject> all = new ArrayList<>();
        String after = null;
        do {
            JsonObject page = api.getObject("/outbox?limit=1000" + (after == null ? "" : "&after=" + after));
            for (Object m : page.getJsonArray("messages")) all.add((JsonObject) m);
            after = page.getString("next");
        } while (after != null);
        all.sort(Comparator.comparing((JsonObject m) -> m.getString("sentAt")));
        List<JsonObject> shown = all.stream()
                .filter(m -> !pending || m.getString("state").equals("queued") || m.getString("state").equals("stored")).toList();
        for (JsonObject m : shown.subList(Math.max(0, shown.size() - limit), shown.size())) {
            String refusal = m.getString("refusal");
            System.out.println(m.getString("sentAt") + "  " + nameOf(api, m.getString("recipient")) + "  " + m.getString("state")
                    + "  " + m.getString("envelope") + (refusal == null ? "" : "  (holder refused: " + refusal + ")"));
        }
        return 0;
    }
}
