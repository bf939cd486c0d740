package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry node} as a real process: it prints where it listens, answers, serves its metrics, and stops cleanly on SIGTERM. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeProcessTest {
    @TempDir
    Path dataDir;

    @Test
    void nodeListensWithItsDataDirIdentityAnswersPingsAndExitsZeroOnSigterm() throws Exception {
        PeerId expected = PeerId.parse(CliRun.of("id", "--data-dir", dataDir.toString()).out().getFirst());

        try (FerryProcess node = FerryProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0",
                "--data-dir", dataDir.toString())) {
            Multiaddr address = Multiaddr.parse(node.awaitStdout("listening ").substring("listening ".length()));

            assertThat(address.peerId()).contains(expected);
            assertThat(address.tcpTarget().host()).isEqualTo("127.0.0.1");
            CliRun ping = CliRun.of("ping", address.toString(), "--count", "2");
            assertThat(ping.exitCode()).as(ping.toString()).isZero();
            assertThat(ping.out()).hasSize(2).allMatch(line -> line.startsWith("rtt_ms "));

            assertThat(node.terminate()).as(node.describe()).isZero();
        }
    }

    @Test
    void nodeServesItsMetricsAndTheJvmsInThePrometheusTextFormat() throws Exception {
        try (FerryProcess node = FerryProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0",
                "--metrics", "127.0.0.1:0", "--data-dir", dataDir.toString())) {
            String url = node.awaitStdout("metrics http://127.0.0.1:").substring("metrics ".length());
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("# TYPE ferry_overlay_connections gauge", "# TYPE ferry_dht_routing_table_peers gauge",
                    "# TYPE ferry_pubsub_peers gauge", "# TYPE ferry_mailbox_max_stored_bytes gauge", "jvm_memory_used_bytes",
                    "process_open_fds");
            assertThat(node.terminate()).as(node.describe()).isZero();
        }
    }

    @Test
    void aSecondNodeOnTheSameApiAddressStopsWithOneLineNamingIt(@TempDir Path second) throws Exception {
        try (FerryProcess first = FerryProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0",
                "--data-dir", dataDir.toString())) {
            String api = first.awaitStdout("api http://").split(" ")[1].substring("http://".length());
            CliRun clash = FerryProcess.run("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--api", api, "--data-dir", second.toString());

            assertThat(clash.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(clash.err()).last().asString().startsWith("ferry: cannot serve the API on " + api + ": ");
            assertThat(first.terminate()).isZero();
        }
    }
}
