package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.host.HostConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LimitOptionsTest {
    private static final IdentityKeyPair KEY = IdentityKeyPair.generate(new SecureRandom());

    private static HostConfig configOf(String... args) {
        LimitOptions options = new LimitOptions();
        new CommandLine(options).parseArgs(args);
        return options.applyTo(HostConfig.builder(KEY)).build();
    }

    @Test
    void shouldKeepEveryDefaultWhenNoLimitIsGiven() {
        HostConfig defaults = HostConfig.builder(KEY).build();
        HostConfig config = configOf();

        assertThat(config.maxConnections()).isEqualTo(defaults.maxConnections());
        assertThat(config.yamux()).isEqualTo(defaults.yamux());
        assertThat(config.deniedPeers()).isEmpty();
    }

    @Test
    void shouldApplyEachLimitGiven() {
        IdentityKeyPair stranger = IdentityKeyPair.generate(new SecureRandom());
        HostConfig config = configOf("--max-connections", "64", "--max-connections-per-peer", "2", "--max-streams", "32",
                "--inbound-streams-per-second", "10", "--handshake-timeout", "1500ms", "--max-message-size", "64KiB",
                "--max-buffered", "1GiB", "--deny", stranger.peerId().toString());

        assertThat(config.maxConnections()).isEqualTo(64);
        assertThat(config.maxConnectionsPerPeer()).isEqualTo(2);
        assertThat(config.yamux().maxStreams()).isEqualTo(32);
        assertThat(config.inboundStreamsPerSecond()).isEqualTo(10);
        assertThat(config.inboundStreamBurst()).isEqualTo(30);
        assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.maxMessageSize()).isEqualTo(64 * 1024);
        assertThat(config.maxBufferedBytesTotal()).isEqualTo(1L << 30);
        assertThat(config.deniedPeers()).containsExactly(stranger.peerId());
    }

    @Test
    void shouldRefuseANonsenseLimitNamingTheOption(@TempDir Path dir) {
        CliRun run = CliRun.of("node", "--data-dir", dir.toString(), "--listen", "/ip4/127.0.0.1/tcp/0", "--max-connections", "0");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).singleElement().asString().isEqualTo("ferry: --max-connections must be at least 1");
    }

    @Test
    void shouldRefuseADurationWithoutAUnit(@TempDir Path dir) {
        CliRun run = CliRun.of("node", "--data-dir", dir.toString(), "--handshake-timeout", "10");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).singleElement().asString().startsWith("ferry: ").contains("'10' is not a duration");
    }
}
