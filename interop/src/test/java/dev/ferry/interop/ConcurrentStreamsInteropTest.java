package dev.ferry.interop;

import static dev.ferry.interop.FerryPeer.resultOf;
import static dev.ferry.interop.JsPeer.EXCHANGE_TIMEOUT;
import static dev.ferry.interop.JsPeer.PERF_TIMEOUT;
import static dev.ferry.interop.JsPeer.START_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.perf.PerfResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 100 perf streams at once on one connection between Ferry and js-libp2p, in both roles. */
@Tag("interop")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConcurrentStreamsInteropTest {
    private static final int STREAMS = 100;
    /** Past the 256 KiB initial yamux window and no multiple of a frame, so every stream needs window updates. */
    private static final long BYTES_PER_STREAM = 300_000;

    @AutoClose
    private final FerryPeer ferry = FerryPeer.startServingPerf();

    @Test
    void jsRuns100ConcurrentPerfStreamsOnOneConnectionToFerry() {
        try (JsPeer js = JsPeer.dial(ferry.listenOnLoopback(), "perf", "--streams", String.valueOf(STREAMS),
                "--upload", String.valueOf(BYTES_PER_STREAM), "--download", String.valueOf(BYTES_PER_STREAM))) {
            JsEvent perf = js.awaitSuccess("perf", PERF_TIMEOUT);

            assertThat(perf.number("streams")).isEqualTo(STREAMS);
            assertThat(perf.number("upload_bytes")).isEqualTo(STREAMS * BYTES_PER_STREAM);
            // js fails the run unless every stream received exactly what it asked for
            assertThat(perf.number("download_bytes")).isEqualTo(STREAMS * BYTES_PER_STREAM);
        }
    }

    @Test
    void ferryRuns100ConcurrentPerfStreamsOnOneConnectionToJs() {
        try (JsPeer js = JsPeer.listen()) {
            Connection connection = ferry.dial(js.awaitEvent("listening", START_TIMEOUT).address("addr"));

            List<CompletableFuture<PerfResult>> runs = IntStream.range(0, STREAMS)
                    .mapToObj(i -> ferry.node().perf().run(connection, BYTES_PER_STREAM, BYTES_PER_STREAM))
                    .toList();
            resultOf(CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)), PERF_TIMEOUT);
            List<JsEvent> served = js.awaitEvents("perf:served", STREAMS, EXCHANGE_TIMEOUT);

            assertThat(runs).allSatisfy(run -> {
                assertThat(run.join().uploadBytes()).isEqualTo(BYTES_PER_STREAM);
                assertThat(run.join().downloadBytes()).isEqualTo(BYTES_PER_STREAM);
            });
            assertThat(served).allSatisfy(s -> {
                assertThat(s.number("upload_bytes")).as("bytes js received").isEqualTo(BYTES_PER_STREAM);
                assertThat(s.number("download_bytes")).as("bytes js sent").isEqualTo(BYTES_PER_STREAM);
            });
            assertThat(ferry.host().connections()).containsExactly(connection);
            assertThat(connection.isOpen()).isTrue();
        }
    }
}
