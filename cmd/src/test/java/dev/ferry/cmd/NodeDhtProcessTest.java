package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry node --bootstrap} as a real process, joining DHT servers that run in this JVM. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeDhtProcessTest {
    @TempDir
    Path dataDir;

    private DhtServers network;

    @BeforeEach
    void startNetwork() {
        network = DhtServers.start(2);
    }

    @AfterEach
    void stopNetwork() {
        network.close();
    }

    private FerryProcess startNode(String... dhtArgs) throws Exception {
        String[] base = {"node", "--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0", "--data-dir", dataDir.toString()};
        String[] args = new String[base.length + dhtArgs.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(dhtArgs, 0, args, base.length, dhtArgs.length);
        return FerryProcess.start(args);
    }

    @Test
    void aNodeJoinsAsADhtServerThatOthersFindAndStopsCleanly() throws Exception {
        DhtServers.Server seed = network.get(0);

        try (FerryProcess node = startNode("--bootstrap", seed.address().toString())) {
            Multiaddr address = Multiaddr.parse(node.awaitStdout("listening ").substring("listening ".length()));
            PeerId id = address.peerId().orElseThrow();

            assertThat(node.awaitStdout("dht bootstrapped: ")).matches("dht bootstrapped: [1-9][0-9]* peers? in the routing table");
            await().atMost(DhtServers.WAIT).until(() -> seed.routingTable().contains(id));
            // a client told only of the other server finds the node through the DHT
            CliRun found = CliRun.of("dht", "find-peer", id.toString(), "--bootstrap", network.get(1).address().toString());
            assertThat(found.exitCode()).as(found.toString()).isZero();
            assertThat(found.out()).containsExactly(address.toString());
            assertThat(node.terminate()).as(node.describe()).isZero();
            assertThat(node.stderr).noneMatch(line -> line.startsWith("ferry:"));
        }
    }

    @Test
    void aNodeWithDhtClientJoinsButEntersNoRoutingTable() throws Exception {
        DhtServers.Server seed = network.get(0);
        long probesBefore = seed.dht().metrics().probesSent();

        try (FerryProcess node = startNode("--bootstrap", seed.address().toString(), "--dht-client")) {
            PeerId id = Multiaddr.parse(node.awaitStdout("listening ").substring("listening ".length())).peerId().orElseThrow();

            assertThat(node.awaitStdout("dht bootstrapped: ")).matches("dht bootstrapped: [1-9][0-9]* peers? in the routing table");
            // the seed asks every new requester whether it serves the DHT; wait for that answer
            await().atMost(DhtServers.WAIT).until(() -> seed.dht().metrics().probesSent() > probesBefore
                    && seed.dht().metrics().probesFinished() == seed.dht().metrics().probesSent());
            assertThat(seed.routingTable()).doesNotContain(id);
            assertThat(node.terminate()).as(node.describe()).isZero();
        }
    }

    @Test
    void aNodeWhoseBootstrapPeerIsDownWarnsAndKeepsRunning() throws Exception {
        try (FerryProcess node = startNode("--bootstrap", "/ip4/127.0.0.1/tcp/1")) {
            String address = node.awaitStdout("listening ").substring("listening ".length());

            assertThat(node.awaitStderr("ferry: warning: "))
                    .startsWith("ferry: warning: dht bootstrap failed: cannot reach the --bootstrap peer: ")
                    .contains("/ip4/127.0.0.1/tcp/1")
                    .endsWith("; retrying in 30s");
            CliRun ping = CliRun.of("ping", address, "--count", "1");
            assertThat(ping.exitCode()).as(ping.toString()).isZero();
            assertThat(node.terminate()).as(node.describe()).isZero();
        }
    }
}
