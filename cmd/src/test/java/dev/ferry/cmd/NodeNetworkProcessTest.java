package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code ferry node} processes on loopback, used the way a person uses them: every command
 * ({@code contacts}, {@code send}, {@code inbox}, {@code group ...}, {@code outbox}) is a
 * separate {@code ferry} process that finds its node through the data directory.
 */
class NodeNetworkProcessTest {
    /** Delivery between processes on a busy 2-core machine: direct, or through the DHT's holders. */
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<FerryProcess> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        for (FerryProcess node : nodes) node.close();
    }

    private FerryProcess startNode(String name, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("node", "--data-dir", dir.resolve(name).toString(), "--listen", "/ip4/127.0.0.1/tcp/0",
                "--api", "127.0.0.1:0"));
        args.addAll(List.of(more));
        FerryProcess node = FerryProcess.start(args.toArray(String[]::new));
        nodes.add(node);
        node.awaitStdout("api http://127.0.0.1:");
        return node;
    }

    private CliRun ferry(String name, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", dir.resolve(name).toString()));
        return FerryProcess.run(all.toArray(String[]::new));
    }

    private CliRun ok(String name, String... args) throws Exception {
        CliRun run = ferry(name, args);
        assertThat(run.exitCode()).as("ferry " + String.join(" ", args) + ": " + run).isZero();
        return run;
    }

    private String peerId(String name) throws Exception {
        return ok(name, "id").out().getFirst();
    }

    private void awaitLine(String name, String what, String... command) {
        await().alias(what).atMost(DELIVERY).pollInterval(Duration.ofMillis(500))
                .until(() -> ferry(name, command).out().stream().anyMatch(line -> line.contains(what)));
    }

    @Test
    void messagesAndAGroupFlowBetweenThreeNodeProcessesThroughTheCommandLine() throws Exception {
        FerryProcess alice = startNode("alice");
        String seed = alice.awaitStdout("listening ").substring("listening ".length());
        FerryProcess bob = startNode("bob", "--bootstrap", seed);
        FerryProcess carol = startNode("carol", "--bootstrap", seed);
        bob.awaitStdout("dht bootstrapped: ");
        carol.awaitStdout("dht bootstrapped: ");
        String bobId = peerId("bob");
        String carolId = peerId("carol");
        String aliceId = peerId("alice");
        ok("alice", "contacts", "add", "bob", bobId);
        ok("alice", "contacts", "add", "carol", carolId);
        ok("bob", "contacts", "add", "alice", aliceId);
        assertThat(ok("alice", "contacts", "list").out()).containsExactlyInAnyOrder("bob " + bobId, "carol " + carolId);

        // 1:1: sent by name on one node, shown by name in the inbox of another, delivered
        FerryProcess follow = FerryProcess.start("inbox", "--follow", "--data-dir", dir.resolve("bob").toString());
        nodes.add(follow);
        CliRun sent = ok("alice", "send", "bob", "hello bob, tab\there", "--wait", "60s");
        assertThat(sent.out().getFirst()).matches("queued [0-9a-f]{64}");
        assertThat(sent.out().getLast()).isEqualTo("delivered " + sent.out().getFirst().substring("queued ".length()));
        assertThat(follow.awaitStdout("20")).endsWith("  alice: hello bob, tab\\there");
        assertThat(ok("bob", "inbox").out()).singleElement().asString().endsWith("  alice: hello bob, tab\\there");
        assertThat(ok("alice", "outbox").out()).singleElement().asString().contains("  bob  delivered  ");


        // a file: three pieces, joined back intact on the other side
        byte[] content = new byte[700 * 1024 + 3];
        new java.security.SecureRandom().nextBytes(content);
        Path photo = dir.resolve("photo of us.bin");
        java.nio.file.Files.write(photo, content);
        CliRun sentFile = ok("alice", "send-file", "bob", photo.toString(), "--wait", "60s");
        assertThat(sentFile.out().getFirst()).matches("queued [0-9a-f]{32} photo of us\\.bin \\(700\\.0 KiB in 3 envelopes\\)");
        assertThat(sentFile.out().getLast()).startsWith("delivered ");
        String fileLine = follow.awaitStdout("20", line -> line.contains("[file "));
        java.util.regex.Matcher save = java.util.regex.Pattern.compile("alice: \\[file photo of us\\.bin, 700\\.0 KiB; save with: "
                + "ferry save-file (\\S+) (\\d+)]$").matcher(fileLine);
        assertThat(save.find()).as(fileLine).isTrue();
        Path saved = dir.resolve("saved.bin");
        ok("bob", "save-file", save.group(1), save.group(2), "--output", saved.toString());
        assertThat(saved).hasBinaryContent(content);
        CliRun again = ferry("bob", "save-file", save.group(1), save.group(2), "--output", saved.toString());
        assertThat(again.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(again.err()).containsExactly("ferry: " + saved + " exists; choose another with --output");

        assertThat(ok("bob", "inbox", "--from", "alice").out()).hasSize(2).first().asString().endsWith("  alice: hello bob, tab\\there");

        // a group across all three
        assertThat(ok("alice", "group", "create", "trio").out().getFirst()).matches("[0-9a-f]{64} trio \\(1 members, owner, active\\)");
        ok("alice", "group", "invite", "trio", "bob");
        ok("alice", "group", "invite", "trio", "carol");
        awaitLine("carol", "trio (3 members, member, active)", "group", "list");
        awaitLine("bob", "trio (3 members, member, active)", "group", "list");
        ok("alice", "group", "send", "trio", "welcome, both");
        awaitLine("carol", aliceId + " in trio: welcome, both", "inbox");
        awaitLine("bob", "alice in trio: welcome, both", "inbox");
        ok("carol", "group", "send", "trio", "thanks");
        awaitLine("alice", "carol in trio: thanks", "inbox");
        awaitLine("bob", " in trio: thanks", "inbox");
        assertThat(ok("carol", "group", "history", "trio").out()).hasSize(2).last().asString().endsWith("  me: thanks");

        // errors are one line and a non-zero exit
        CliRun unknown = ferry("alice", "send", "dave", "hi");
        assertThat(unknown.exitCode()).isEqualTo(Main.EXIT_NOT_FOUND);
        assertThat(unknown.err()).containsExactly("ferry: no contact named 'dave', and it is not a PeerId");

        for (FerryProcess node : List.of(alice, bob, carol)) assertThat(node.terminate()).as(node.describe()).isZero();
        CliRun stopped = ferry("alice", "status");
        assertThat(stopped.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(stopped.err()).singleElement().asString().startsWith("ferry: no node is running with data directory ");
    }
}
