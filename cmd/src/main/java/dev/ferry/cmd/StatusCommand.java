package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;

/** {@code ferry status}: what the running node is and how it is doing. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the running node's identity, peers and store use.")
final class StatusCommand extends ApiCommand {
    @Override
    int run(ApiClient api) {
        JsonObject s = api.getObject("/status");
        System.out.println("peer id            " + s.getString("peerId") + (s.getBoolean("relayOnly") ? " (relay only)" : ""));
        for (Object a : s.getJsonArray("addresses")) System.out.println("address            " + a);
        System.out.println("uptime             " + DurationConverter.format(java.time.Duration.ofSeconds(s.getLong("uptimeSeconds"))));
        System.out.println("connections        " + s.getInteger("connections") + " to " + s.getLong("connectedPeers") + " peers");
        System.out.println("routing table      " + s.getInteger("routingTablePeers") + " peers");
        System.out.printf("stored for others  %d shards, %.1f of %.1f MiB%n", s.getLong("storedShards"),
                s.getLong("storedBytes") / 1048576.0, s.getLong("storeMaxBytes") / 1048576.0);
        return 0;
    }
}
