package dev.ferry.overlay.host;

import static dev.ferry.overlay.host.TestNetwork.eventually;
import static dev.ferry.overlay.host.TestNetwork.failureOf;
import static dev.ferry.overlay.host.TestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.InOrderAnswers;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.PipelinedRequests;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelinedRequests} against a real server built on {@link InOrderAnswers}, over real
 * connections: answers match their requests, streams and read-ahead stay within their bounds,
 * and timeouts, idle streams and broken streams end the way the class says.
 */
class PipelinedRequestsTest {
    private static final String PROTOCOL = "/ferry/test/upper/1.0.0";
    private static final int DEPTH = 4;

    private final TestNetwork network = new TestNetwork();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final OverlayNode client = network.node();
    private final OverlayNode server = network.node();
    private final AtomicInteger streamsOpened = new AtomicInteger();
    private final AtomicInteger mostQueued = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();
    /** Requests the server holds back instead of answering: their text starts with "hold". */
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    /** Cleared by {@link #releaseHeld}: from then on, "hold…" is answered like anything else. */
    private boolean holding = true;
    private PipelinedRequests requests;

    PipelinedRequestsTest() {
        server.host().setProtocolHandler(PROTOCOL, stream -> {
            streamsOpened.incrementAndGet();
            stream.setReceiver(new UpperCase());
        });
        TestNetwork.connect(client, server);
    }

    @AfterEach
    void tearDown() {
        if (requests != null) requests.close();
        releaseHeld();
        scheduler.shutdownNow();
        network.close();
    }

    private PipelinedRequests requests(int streamsPerPeer, int maxWaiting, Duration idle) {
        requests = new PipelinedRequests(client.host(), PROTOCOL,
                new PipelinedRequests.Settings(1024, DEPTH, streamsPerPeer, maxWaiting, idle), scheduler);
        return requests;
    }

    private CompletableFuture<String> ask(String text, Duration timeout) {
        return requests.request(server.host().peerId(), text.getBytes(StandardCharsets.UTF_8), timeout)
                .thenApply(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    @Test
    void shouldAnswerEveryRequestWithItsOwnAnswerOverAFewStreams() {
        requests(2, 10_000, Duration.ofSeconds(30));
        List<CompletableFuture<String>> answers = new ArrayList<>();

        for (int i = 0; i < 2000; i++) answers.add(ask("request " + i, Duration.ofSeconds(20)));

        for (int i = 0; i < answers.size(); i++) assertThat(join(answers.get(i))).isEqualTo("REQUEST " + i);
        assertThat(streamsOpened.get()).isEqualTo(2);
        assertThat(mostQueued.get()).as("requests the server had read ahead").isLessThanOrEqualTo(DEPTH);
        assertThat(refusals.get()).isZero();
    }

    @Test
    void shouldRefuseAtOnceWhenTooManyRequestsWaitForRoom() {
        requests(1, 3, Duration.ofSeconds(30));
        List<CompletableFuture<String>> stuck = new ArrayList<>();
        for (int i = 0; i < DEPTH; i++) stuck.add(ask("hold " + i, Duration.ofSeconds(20)));
        for (int i = 0; i < 3; i++) stuck.add(ask("wait " + i, Duration.ofSeconds(20)));

        Throwable refused = failureOf(ask("one too many", Duration.ofSeconds(20)));

        assertThat(refused).isInstanceOf(OverlayException.class).hasMessageContaining("already waiting");
        releaseHeld();
        for (int i = 0; i < stuck.size(); i++) {
            assertThat(join(stuck.get(i))).isEqualTo(i < DEPTH ? "HOLD " + i : "WAIT " + (i - DEPTH));
        }
    }

    @Test
    void shouldResetAStreamWhoseRequestTimedOutAndCarryOnOnANewOne() {
        requests(1, 100, Duration.ofSeconds(30));
        CompletableFuture<String> stuck = ask("hold me", Duration.ofMillis(300));
        CompletableFuture<String> behind = ask("behind", Duration.ofSeconds(20));

        assertThat(failureOf(stuck)).isInstanceOf(TimeoutException.class);
        assertThat(failureOf(behind)).isInstanceOf(OverlayException.class).hasMessageContaining("timed out");
        assertThat(join(ask("after", Duration.ofSeconds(20)))).isEqualTo("AFTER");
        assertThat(streamsOpened.get()).isEqualTo(2);
    }

    @Test
    void shouldCloseAStreamThatStayedIdle() {
        requests(2, 100, Duration.ofMillis(200));

        assertThat(join(ask("once", Duration.ofSeconds(20)))).isEqualTo("ONCE");

        eventually().until(() -> requests.streams(server.host().peerId()) == 0);
        assertThat(join(ask("twice", Duration.ofSeconds(20)))).isEqualTo("TWICE");
        assertThat(streamsOpened.get()).isEqualTo(2);
    }

    @Test
    void shouldFailWhatIsOnItsWayWhenTheServerResetsTheStream() {
        requests(1, 100, Duration.ofSeconds(30));
        CompletableFuture<String> reset = ask("reset", Duration.ofSeconds(20));
        CompletableFuture<String> behind = ask("hold behind", Duration.ofSeconds(20));

        assertThat(failureOf(reset)).isInstanceOf(OverlayException.class);
        assertThat(failureOf(behind)).isInstanceOf(OverlayException.class);
        assertThat(join(ask("again", Duration.ofSeconds(20)))).isEqualTo("AGAIN");
    }

    @Test
    void shouldFailEverythingOnClose() {
        requests(1, 100, Duration.ofSeconds(30));
        CompletableFuture<String> sent = ask("hold", Duration.ofSeconds(20));
        List<CompletableFuture<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) waiting.add(ask("hold " + i, Duration.ofSeconds(20)));

        requests.close();

        assertThat(failureOf(sent)).isInstanceOf(OverlayException.class);
        waiting.forEach(w -> assertThat(failureOf(w)).isInstanceOf(OverlayException.class));
        assertThat(failureOf(ask("later", Duration.ofSeconds(20)))).hasMessageContaining("closed");
    }

    @Test
    void shouldFailEveryRequestToAPeerThatIsGoneAtOnceWhateverThreadsAsk() throws Exception {
        requests(2, 10_000, Duration.ofSeconds(30));
        join(server.host().close());
        // Streams to it now fail as soon as they are asked for. A request placed on a stream in the
        // moment between its failure and its removal used to be lost: it waited out its timeout.
        List<CompletableFuture<String>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        var askers = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> asking = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                asking.add(askers.submit(() -> {
                    for (int i = 0; i < 500; i++) answers.add(ask("anyone " + i, Duration.ofSeconds(30)));
                }));
            }
            for (var a : asking) a.get();
        } finally {
            askers.shutdown();
        }

        CompletableFuture.allOf(answers.stream().map(a -> a.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        answers.forEach(a -> assertThat(failureOf(a)).isInstanceOf(OverlayException.class));
        eventually().until(() -> requests.streams(server.host().peerId()) == 0);
    }

    @Test
    void shouldResetAStreamThatSendsMoreRequestsThanItsServerReadsAhead() {
        Stream stream = join(client.host().newStream(server.host().peerId(), PROTOCOL));
        stream.setReceiver((s, data) -> {});
        ByteBuf burst = ByteBufAllocator.DEFAULT.buffer();
        for (int i = 0; i < DEPTH + 2; i++) {
            burst.writeBytes(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, ("hold " + i).getBytes(StandardCharsets.UTF_8)));
        }

        join(stream.write(burst));

        join(stream.closeFuture().handle((v, e) -> null));
        assertThat(refusals.get()).isEqualTo(1);
    }

    private void releaseHeld() {
        synchronized (held) {
            holding = false;
            held.forEach(h -> h.complete(null));
        }
    }

    /** Answers a request with its text in upper case; holds "hold…" until released, resets on "reset". */
    private final class UpperCase extends InOrderAnswers<String> {
        private final AtomicInteger queued = new AtomicInteger();

        UpperCase() {
            super(1024, DEPTH);
        }

        @Override
        protected Optional<String> decode(Stream stream, ByteBuf message) {
            mostQueued.accumulateAndGet(queued.incrementAndGet(), Math::max);
            return Optional.of(message.toString(StandardCharsets.UTF_8));
        }

        @Override
        protected CompletableFuture<Optional<ByteBuf>> answer(Stream stream, String request) {
            if (request.equals("reset")) return CompletableFuture.failedFuture(new IllegalStateException("asked to"));
            CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
            synchronized (held) {
                if (holding && request.startsWith("hold")) {
                    gate = new CompletableFuture<>();
                    held.add(gate);
                }
            }
            return gate.thenApply(v -> {
                queued.decrementAndGet();
                byte[] upper = request.toUpperCase().getBytes(StandardCharsets.UTF_8);
                return Optional.of(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, upper));
            });
        }

        @Override
        protected void onRefused(Stream stream, String reason) {
            refusals.incrementAndGet();
        }
    }
}
