package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.ferry.cmd.ApiTestNodes.Running;
import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.ChatMessage;
import dev.ferry.messenger.Contact;
import io.vertx.core.json.Json;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in a real browser: Debian's Chromium, headless, driven over the DevTools protocol,
 * between two nodes on loopback. Alice adds Bob through her page and sends him a message; it
 * shows in her conversation, reaches Bob's node and Bob's open page, and its badge turns
 * "delivered" in place; a file sent the same way shows as a card on both pages, and Bob's
 * Download button saves exactly its bytes. Screenshots go to {@code target/browser-test/}.
 *
 * <p>Without Chromium the test is skipped, except in CI ({@code CI=true}), which installs it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WebPageBrowserTest {
    /** Where the screenshots go: under the module's target/, so never committed. */
    static final Path ARTIFACTS = Path.of("target", "browser-test");
    /** Longest the page may take to show anything the nodes did: delivery on loopback takes well under a second. */
    static final Duration UI_WAIT = Duration.ofSeconds(30);
    /** A file of three pieces (a piece carries up to 256 KiB): the page must show it once, with the last piece's state. */
    static final int FILE_BYTES = 600 * 1024;
    /** Markup in a file name must show as text; no slash, which would make the node keep only what follows it. */
    static final String FILE_NAME = "report <img src=x> & \"notes\".bin";

    @TempDir
    Path dir;

    private ApiTestNodes nodes;
    private HeadlessChromium chromium;

    @AfterEach
    void stopBrowserAndNodes() {
        if (chromium != null) chromium.close();
        if (nodes != null) nodes.close();
    }

    @Test
    void aMessageSentFromThePageArrivesAndItsBadgeTurnsDeliveredWithoutAReload() throws Exception {
        Path executable = chromiumOrSkip();
        nodes = new ApiTestNodes(dir.resolve("nodes"));
        Running alice = nodes.start();
        Running bob = nodes.start();
        PeerId alicePeer = alice.node().peerId();
        PeerId bobPeer = bob.node().peerId();
        bob.node().addContact("Alice", alicePeer);
        chromium = HeadlessChromium.launch(executable, dir.resolve("chromium-profile"));

        // Bob's page is open on his conversation with Alice before anything is sent
        HeadlessChromium.Tab bobPage = chromium.open(bob.pageLink());
        awaitSignedIn(bobPage, bobPeer);
        bobPage.click(chatItem(alicePeer));
        bobPage.awaitValue("Bob's page opens the conversation with Alice", "document.getElementById('conversation-title').textContent",
                "Alice", UI_WAIT);
        markDocument(bobPage);

        HeadlessChromium.Tab alicePage = chromium.open(alice.pageLink());
        awaitSignedIn(alicePage, alicePeer);
        assertThat(alicePage.evaluate("location.hash")).as("the token leaves the address bar").isEqualTo("");

        // Alice adds Bob through her page's form
        alicePage.click("#add-contact summary");
        alicePage.type("#contact-name", "Bob");
        alicePage.type("#contact-peer-id", bobPeer.toString());
        alicePage.click("#add-contact-button");
        alicePage.awaitValue("adding Bob opens his conversation", "document.getElementById('conversation-title').textContent",
                "Bob", UI_WAIT);
        assertThat(alice.node().contact("Bob")).map(Contact::peer).contains(bobPeer);
        markDocument(alicePage);
        recordBadgeStates(alicePage);

        // markup in the text must show as text, on both pages
        String text = "Hello Bob <b>not bold</b> & \"quotes\" " + UUID.randomUUID();
        alicePage.type("#composer-text", text);
        alicePage.click("#send-button");

        alicePage.awaitTrue("Alice's page shows her message", "(" + findMessage("outgoing", text) + ") !== undefined", UI_WAIT);
        alicePage.awaitValue("the message's badge turns delivered", "(() => { const m = " + findMessage("outgoing", text) + ";"
                + " return m && m.querySelector('.badge').textContent + '/' + m.querySelector('.badge').dataset.state; })()",
                "delivered/delivered", UI_WAIT);
        assertThat(alicePage.evaluate("window.sameDocument === true")).as("Alice's page was not reloaded").isEqualTo(true);
        System.out.println("badge states seen on Alice's page: " + alicePage.evaluate("JSON.stringify(window.badgeStates)"));

        await("Bob's node has Alice's message").atMost(UI_WAIT).until(() -> bob.node().history(alicePeer, 0, 100).stream()
                .anyMatch(m -> !m.outgoing() && text.equals(textOf(m))));
        bobPage.awaitTrue("Bob's open page shows Alice's message", "(" + findMessage("incoming", text) + ") !== undefined", UI_WAIT);
        assertThat(bobPage.evaluate("window.sameDocument === true")).as("Bob's page was not reloaded").isEqualTo(true);
        for (HeadlessChromium.Tab page : new HeadlessChromium.Tab[] {alicePage, bobPage}) {
            assertThat(page.evaluate("document.querySelectorAll('#messages b').length")).as("markup stays text").isEqualTo(0);
        }

        // Bob answers from his node: only the event stream can tell Alice's page
        bob.node().send(alicePeer, "Hi Alice, got it").get(UI_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        alicePage.awaitTrue("Bob's answer shows on Alice's page", "(" + findMessage("incoming", "Hi Alice, got it") + ") !== undefined",
                UI_WAIT);

        alicePage.screenshot(ARTIFACTS.resolve("web-page.png"));
        bobPage.screenshot(ARTIFACTS.resolve("web-page-recipient.png"));
    }

    @Test
    void aFileSentFromThePageShowsAsACardTurnsDeliveredAndBobsDownloadHasItsExactBytes() throws Exception {
        Path executable = chromiumOrSkip();
        nodes = new ApiTestNodes(dir.resolve("nodes"));
        Running alice = nodes.start();
        Running bob = nodes.start();
        PeerId alicePeer = alice.node().peerId();
        PeerId bobPeer = bob.node().peerId();
        alice.node().addContact("Bob", bobPeer);
        bob.node().addContact("Alice", alicePeer);
        chromium = HeadlessChromium.launch(executable, dir.resolve("chromium-profile"));
        Path downloads = dir.resolve("downloads");
        chromium.allowDownloads(downloads);

        HeadlessChromium.Tab bobPage = chromium.open(bob.pageLink());
        awaitSignedIn(bobPage, bobPeer);
        bobPage.click(chatItem(alicePeer));
        bobPage.awaitValue("Bob's page opens the conversation with Alice", "document.getElementById('conversation-title').textContent",
                "Alice", UI_WAIT);
        HeadlessChromium.Tab alicePage = chromium.open(alice.pageLink());
        awaitSignedIn(alicePage, alicePeer);
        alicePage.click(chatItem(bobPeer));
        alicePage.awaitValue("Alice's page opens the conversation with Bob", "document.getElementById('conversation-title').textContent",
                "Bob", UI_WAIT);
        markDocument(alicePage);
        recordBadgeStates(alicePage);

        // a file over 64 MiB is refused by the page itself (sparse: it takes no room on disk)
        Path tooLarge = dir.resolve("too-large.bin");
        try (RandomAccessFile file = new RandomAccessFile(tooLarge.toFile(), "rw")) {
            file.setLength((64L << 20) + 1);
        }
        alicePage.chooseFiles("#file-input", tooLarge);
        alicePage.awaitTrue("the page refuses a file over 64 MiB", "document.getElementById('conversation-error').textContent"
                + ".includes('too-large.bin is 67,108,865 bytes; a file can be at most 64 MiB')", UI_WAIT);
        assertThat(alicePage.evaluate("document.getElementById('transfer').hidden")).as("nothing is uploaded").isEqualTo(true);

        byte[] content = new byte[FILE_BYTES];
        new Random(7).nextBytes(content);
        Path upload = Files.createDirectories(dir.resolve("upload")).resolve(FILE_NAME);
        Files.write(upload, content);
        alicePage.chooseFiles("#file-input", upload);

        alicePage.awaitTrue("Alice's page shows her file", "(" + findFile("outgoing") + ") !== undefined", UI_WAIT);
        assertThat(alicePage.evaluate("document.getElementById('conversation-error').textContent"))
                .as("choosing a file clears the old refusal").isEqualTo("");
        alicePage.awaitValue("the file's badge turns delivered", "(() => { const m = " + findFile("outgoing") + ";"
                + " return m.querySelector('.badge').textContent + '/' + m.querySelector('.badge').dataset.state; })()",
                "delivered/delivered", UI_WAIT);
        assertThat(alicePage.evaluate("(" + findFile("outgoing") + ").querySelector('.file-details').textContent"))
                .isEqualTo("600 KiB · application/octet-stream");
        assertThat(alicePage.evaluate("(" + findFile("outgoing") + ").querySelector('.file-action').textContent"))
                .as("a sent file cannot be downloaded: the node keeps no copy").isEqualTo("sent");
        assertThat(alicePage.evaluate("document.querySelectorAll('#messages li.file-message').length"))
                .as("three pieces, one card").isEqualTo(1);
        assertThat(alicePage.evaluate("window.sameDocument === true")).as("Alice's page was not reloaded").isEqualTo(true);
        System.out.println("badge states seen on Alice's page: " + alicePage.evaluate("JSON.stringify(window.badgeStates)"));

        bobPage.awaitTrue("Bob's open page shows the file", "(" + findFile("incoming") + ") !== undefined", UI_WAIT);
        assertThat(bobPage.evaluate("(" + findFile("incoming") + ").querySelector('.file-details').textContent"))
                .isEqualTo("600 KiB · application/octet-stream");
        for (HeadlessChromium.Tab page : new HeadlessChromium.Tab[] {alicePage, bobPage}) {
            assertThat(page.evaluate("document.querySelectorAll('#messages img').length")).as("a file name's markup stays text").isEqualTo(0);
        }

        bobPage.click("#messages li.message.incoming.file-message button.file-action");
        Path saved = await("Bob's download is saved").atMost(UI_WAIT).until(() -> savedFile(downloads), f -> f != null);
        assertThat(sha256(Files.readAllBytes(saved))).as("the downloaded file has the sent bytes").isEqualTo(sha256(content));

        // a file dropped on the conversation goes the same way
        alicePage.evaluate("""
                (() => {
                  const files = new DataTransfer();
                  files.items.add(new File(['dropped text'], 'dropped.txt', { type: 'text/plain' }));
                  const target = document.getElementById('messages');
                  for (const type of ['dragenter', 'dragover', 'drop']) {
                    target.dispatchEvent(new DragEvent(type, { dataTransfer: files, bubbles: true, cancelable: true }));
                  }
                  return true;
                })()""");
        String dropped = "[...document.querySelectorAll('#messages li.file-message')].find((m) => m.querySelector('.file-name').textContent"
                + " === 'dropped.txt')";
        alicePage.awaitValue("the dropped file shows on Alice's page", "(() => { const m = " + dropped + ";"
                + " return m && m.querySelector('.file-details').textContent; })()", "12 B · text/plain", UI_WAIT);
        bobPage.awaitTrue("and on Bob's", "(" + dropped + ") !== undefined", UI_WAIT);
        assertThat(alicePage.evaluate("document.getElementById('drop-hint').hidden")).as("the drop hint goes away").isEqualTo(true);

        alicePage.screenshot(ARTIFACTS.resolve("web-page-file.png"));
        bobPage.screenshot(ARTIFACTS.resolve("web-page-file-recipient.png"));
    }

    @Test
    void withoutATokenThePageAsksForItRefusesAWrongOneAndOpensWithTheRightOne() throws Exception {
        Path executable = chromiumOrSkip();
        nodes = new ApiTestNodes(dir.resolve("nodes"));
        Running alice = nodes.start();
        chromium = HeadlessChromium.launch(executable, dir.resolve("chromium-profile"));
        String page = "http://127.0.0.1:" + alice.api().port() + "/";

        HeadlessChromium.Tab tab = chromium.open(page);
        tab.awaitTrue("the page asks for the token", "!document.getElementById('token-gate').hidden", UI_WAIT);
        assertThat(tab.evaluate("document.getElementById('app').hidden")).isEqualTo(true);
        assertThat(tab.evaluate("document.getElementById('token-gate').textContent")).asString().contains("api-token", "ferry web");

        tab.type("#token-input", "not-the-token");
        tab.click("#token-form button[type=submit]");
        tab.awaitTrue("a wrong token is refused", "document.getElementById('token-reason').textContent.includes('refused')", UI_WAIT);
        assertThat(tab.evaluate("sessionStorage.length")).as("a refused token is forgotten").isEqualTo(0);

        tab.type("#token-input", alice.token().value());
        tab.click("#token-form button[type=submit]");
        awaitSignedIn(tab, alice.node().peerId());
        assertThat(tab.evaluate("document.getElementById('token-gate').hidden")).isEqualTo(true);
    }

    @Test
    void aGroupCreatedOnThePageGetsTheInvitedContactAndTheirMessages() throws Exception {
        Path executable = chromiumOrSkip();
        nodes = new ApiTestNodes(dir.resolve("nodes"));
        Running alice = nodes.start();
        Running bob = nodes.start();
        PeerId bobPeer = bob.node().peerId();
        alice.node().addContact("Bob", bobPeer);
        chromium = HeadlessChromium.launch(executable, dir.resolve("chromium-profile"));

        HeadlessChromium.Tab alicePage = chromium.open(alice.pageLink());
        awaitSignedIn(alicePage, alice.node().peerId());
        alicePage.click("#new-group summary");
        alicePage.type("#group-name", "Crew");
        alicePage.click("#new-group-button");
        alicePage.awaitValue("creating the group opens it", "document.getElementById('conversation-title').textContent", "Crew", UI_WAIT);
        alicePage.awaitTrue("the group is listed", "[...document.querySelectorAll('#group-list .chat-title')]"
                + ".some((t) => t.textContent === 'Crew')", UI_WAIT);

        alicePage.awaitValue("Bob is offered for an invite", "document.getElementById('invite-select').value", bobPeer.toString(), UI_WAIT);
        alicePage.click("#invite-button");
        alicePage.awaitTrue("the header lists Bob as a member", "document.getElementById('conversation-subtitle').textContent"
                + ".split(', ').includes('Bob')", UI_WAIT);
        await("Bob's node is in the group").atMost(UI_WAIT).until(() -> bob.node().groups().get().stream()
                .anyMatch(g -> g.name().equals("Crew")));

        alicePage.type("#composer-text", "Welcome to the crew");
        alicePage.click("#send-button");
        alicePage.awaitTrue("Alice's page shows her group message", "(" + findMessage("outgoing", "Welcome to the crew") + ") !== undefined",
                UI_WAIT);
        byte[] group = bob.node().groups().get().stream().filter(g -> g.name().equals("Crew")).findFirst().orElseThrow().groupId();
        await("Bob's node gets the group message").atMost(UI_WAIT).until(() -> bob.node().groupHistory(group, 0, 100).stream()
                .anyMatch(m -> "Welcome to the crew".equals(textOf(m))));

        alicePage.screenshot(ARTIFACTS.resolve("web-page-group.png"));
    }

    /** Chromium's path; skips the test where it is missing, unless this is CI, where missing is a failure. */
    private static Path chromiumOrSkip() {
        var found = HeadlessChromium.find();
        if (found.isEmpty()) {
            String why = "Chromium is not installed (no 'chromium' on the PATH, no /usr/bin/chromium); apt-get install chromium to run this test";
            if ("true".equals(System.getenv("CI"))) fail(why + ". CI must install it (.ci/run does).");
            Assumptions.assumeTrue(false, why);
        }
        return found.get();
    }

    /** Waits until the page took the token, shows the node's PeerId and reads the event stream. */
    private static void awaitSignedIn(HeadlessChromium.Tab page, PeerId peer) {
        page.awaitValue("the page shows its node's PeerId", "document.getElementById('me-peer-id').textContent", peer.toString(), UI_WAIT);
        page.awaitValue("the page reads the live event stream", "document.getElementById('connection').dataset.live", "true", UI_WAIT);
    }

    private static String chatItem(PeerId peer) {
        return ".chat-item[data-kind=\"peer\"][data-id=\"" + peer + "\"]";
    }

    /** A JavaScript expression: the message element of this direction whose bubble holds exactly {@code text}, or undefined. */
    private static String findMessage(String direction, String text) {
        return "[...document.querySelectorAll('#messages li.message." + direction + "')]"
                + ".find((m) => m.querySelector('.bubble').textContent === " + Json.encode(text) + ")";
    }

    /** A JavaScript expression: the file card of this direction named {@link #FILE_NAME}, or undefined. */
    private static String findFile(String direction) {
        return "[...document.querySelectorAll('#messages li.message.file-message." + direction + "')]"
                + ".find((m) => m.querySelector('.file-name').textContent === " + Json.encode(FILE_NAME) + ")";
    }

    /** The one file Chromium finished saving into {@code downloads}, or null while there is none (it writes *.crdownload first). */
    private static Path savedFile(Path downloads) throws Exception {
        if (!Files.isDirectory(downloads)) return null;
        try (var files = Files.list(downloads)) {
            List<Path> done = files.filter(f -> !f.getFileName().toString().endsWith(".crdownload")).toList();
            if (done.size() > 1) fail("more than one download: " + done);
            return done.isEmpty() ? null : done.getFirst();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A flag on the current document: it is gone if the page reloads. */
    private static void markDocument(HeadlessChromium.Tab page) {
        page.evaluate("window.sameDocument = true");
    }

    /** Records each state the outgoing messages' badges show, for the test's output. */
    private static void recordBadgeStates(HeadlessChromium.Tab page) {
        page.evaluate("""
                window.badgeStates = [];
                new MutationObserver(() => {
                  for (const badge of document.querySelectorAll('#messages li.message.outgoing .badge')) {
                    if (window.badgeStates[window.badgeStates.length - 1] !== badge.dataset.state) window.badgeStates.push(badge.dataset.state);
                  }
                }).observe(document.getElementById('messages'), { subtree: true, childList: true, characterData: true, attributes: true });
                true""");
    }

    private static String textOf(ChatMessage m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }
}
