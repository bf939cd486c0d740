package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry pubsub sub} and {@code pub} talking through a {@code ferry node --topic}: the node
 * and the subscriber are real processes (they run until a signal), the publisher runs in this JVM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PubSubCommandTest {
    /** The topic the node joins with --topic. */
    private static final String TOPIC = "ferry-cli-test";

    @TempDir
    static Path dataDir;

    private FerryProcess node;
    private String address;

    @BeforeAll
    void startNode() throws Exception {
        node = FerryProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0", "--data-dir", dataDir.toString(),
                "--topic", TOPIC);
        address = node.awaitStdout("listening ").substring("listening ".length());
        node.awaitStdout("pubsub joined " + TOPIC);
    }

    @AfterAll
    void stopNode() throws Exception {
        try {
            assertThat(node.terminate()).as(node.describe()).isZero();
            // the node is the first of its network, and says so; nothing else is wrong
            assertThat(node.stderr).as(node.describe())
                    .noneMatch(line -> line.startsWith("ferry:") && !line.startsWith("ferry: warning: no --bootstrap given"));
        } finally {
            node.close();
        }
    }

    private CliRun pub(String topic, String text, String... more) {
        String[] args = new String[6 + more.length];
        String[] base = {"pubsub", "pub", topic, text, "--bootstrap", address};
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.of(args);
    }

    @Test
    void aSubscriberGetsWhatAPublisherSendsThroughTheNodeOneEscapedLineEach() throws Exception {
        try (FerryProcess sub = FerryProcess.start("pubsub", "sub", TOPIC, "--bootstrap", address)) {
            // the node is in its mesh: the node forwards to it from now on
            sub.awaitStdout("joined " + TOPIC);

            CliRun hello = pub(TOPIC, "hello, world");
            CliRun twoLines = pub(TOPIC, "two\nlines \\ and a tab\t");
            CliRun binary = pub(TOPIC, "ff0041", "--hex");

            for (CliRun run : new CliRun[] {hello, twoLines, binary}) {
                assertThat(run.exitCode()).as(run.toString()).isZero();
                assertThat(run.out()).as(run.toString()).containsExactly("peers 1");
                assertThat(run.err()).as(run.toString()).isEmpty();
            }
            sub.awaitStdout("msg " + TOPIC + " hello, world");
            sub.awaitStdout("msg " + TOPIC + " two\\nlines \\\\ and a tab\\t");
            sub.awaitStdout("msg " + TOPIC + " \\xff\\u{0}A");
            assertThat(sub.terminate()).as(sub.describe()).isZero();
            assertThat(sub.stdout).as(sub.describe()).containsExactly("joined " + TOPIC,
                    "msg " + TOPIC + " hello, world", "msg " + TOPIC + " two\\nlines \\\\ and a tab\\t",
                    "msg " + TOPIC + " \\xff\\u{0}A");
            assertThat(sub.stderr).as(sub.describe()).isEmpty();
        }
    }

    @Test
    void aNodeWithTopicIsOnItSoAPublishReachesIt() {
        CliRun run = pub(TOPIC, "anyone there?");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).containsExactly("peers 1");
    }

    @Test
    void aPublishOnATopicNobodyIsOnFailsWithOneLineWithinTheTimeout() {
        long start = System.nanoTime();

        CliRun run = pub("nobody-here", "hello?", "--timeout", "2s");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString()
                .isEqualTo("ferry: no --bootstrap peer is on topic nobody-here after --timeout 2s "
                        + "(a ferry node relays a topic only when run with --topic)");
        // 2 s to give up, a few more to close the client node on a slow machine
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
    }

    @Test
    void aPublishThroughAPeerNobodyListensOnFailsWithOneLine() {
        CliRun run = CliRun.of("pubsub", "pub", TOPIC, "hello", "--bootstrap", "/ip4/127.0.0.1/tcp/1");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(run.err()).singleElement().asString()
                .startsWith("ferry: cannot reach the --bootstrap peer: ")
                .contains("/ip4/127.0.0.1/tcp/1");
    }

    @Test
    void badArgumentsAreUsageErrorsNamingWhatIsWrong() {
        CliRun noBootstrap = CliRun.of("pubsub", "pub", TOPIC, "hello");
        CliRun emptyTopic = CliRun.of("pubsub", "sub", "", "--bootstrap", address);
        CliRun notHex = CliRun.of("pubsub", "pub", TOPIC, "xyz", "--hex", "--bootstrap", address);
        CliRun nodeTopic = CliRun.of("node", "--topic", "x".repeat(257), "--data-dir", dataDir.toString());

        assertThat(noBootstrap.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(noBootstrap.err()).singleElement().asString().startsWith("ferry: no --bootstrap given");
        assertThat(emptyTopic.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(emptyTopic.err()).singleElement().asString().startsWith("ferry: TOPIC: a topic must not be empty");
        assertThat(notHex.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(notHex.err()).singleElement().asString().contains("not hex bytes");
        assertThat(nodeTopic.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(nodeTopic.err()).singleElement().asString().startsWith("ferry: --topic: a topic must be at most 256");
    }
}
