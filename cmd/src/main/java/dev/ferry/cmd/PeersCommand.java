package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;

/** {@code ferry peers}: the running node's connections. */
@Command(name = "peers", mixinStandardHelpOptions = true,
        description = "List the running node's connections: PEERID ADDRESS DIRECTION, one per line.")
final class PeersCommand extends ApiCommand {
    @Override
    int run(ApiClient api) {
        for (Object p : api.getArray("/peers")) {
            JsonObject peer = (JsonObject) p;
            System.out.println(peer.getString("peerId") + " " + peer.getString("address") + " " + peer.getString("direction"));
        }
        return 0;
    }
}
