package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry node} as a real process: it prints where it listens, answers, and stops cleanly on SIGTERM. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NodeProcessTest {
    /** A JVM start plus a Netty bind, on a busy 2-core machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Lines of stdout and stderr kept for assertions and failure messages. */
    private static final int MAX_LINES = 1000;

    @TempDir
    Path dataDir;

    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private Process node;

    @AfterEach
    void killTheNode() throws InterruptedException {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
            node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void nodeListensWithItsDataDirIdentityAnswersPingsAndExitsZeroOnSigterm() throws Exception {
        PeerId expected = PeerId.parse(CliRun.of("id", "--data-dir", dataDir.toString()).out().getFirst());

        node = start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--data-dir", dataDir.toString());
        Multiaddr address = Multiaddr.parse(awaitLine("listening ").substring("listening ".length()));

        assertThat(address.peerId()).contains(expected);
        assertThat(address.tcpTarget().host()).isEqualTo("127.0.0.1");
        CliRun ping = CliRun.of("ping", address.toString(), "--count", "2");
        assertThat(ping.exitCode()).as(ping.toString()).isZero();
        assertThat(ping.out()).hasSize(2).allMatch(line -> line.startsWith("rtt_ms "));

        node.destroy(); // SIGTERM
        assertThat(node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("exited after SIGTERM").isTrue();
        assertThat(node.exitValue()).as(describe()).isZero();
    }

    /** Runs {@code dev.ferry.cmd.Main} in a new JVM with this test's class path, as ./ferry does. */
    private Process start(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        drain(p.getInputStream(), stdout, "ferry-node-stdout");
        drain(p.getErrorStream(), stderr, "ferry-node-stderr");
        return p;
    }

    private static void drain(InputStream in, List<String> lines, String threadName) {
        Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (lines.size() < MAX_LINES) lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone: its output ends here
            }
        });
    }

    private String awaitLine(String prefix) {
        return await().alias("a '" + prefix + "' line from ferry node; " + describe())
                .atMost(START_TIMEOUT)
                .until(() -> stdout.stream().filter(l -> l.startsWith(prefix)).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    private String describe() {
        return "stdout: " + stdout + ", stderr: " + stderr;
    }
}
