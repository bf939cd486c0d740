package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry node} as a real process: it prints where it listens, answers, and stops cleanly on SIGTERM. */
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
}
