package dev.ferry.interop;

import static dev.ferry.interop.FerryPeer.resultOf;
import static dev.ferry.interop.JsPeer.EXCHANGE_TIMEOUT;
import static dev.ferry.interop.JsPeer.PERF_TIMEOUT;
import static dev.ferry.interop.JsPeer.START_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.perf.PerfResult;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /perf/1.0.0} between Ferry and js-libp2p, 64 MiB each way, in both roles. */
@Tag("interop")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PerfInteropTest {
    private static final long SIZE = 64L * 1024 * 1024;

    @AutoClose
    private final FerryPeer ferry = FerryPeer.startServingPerf();

    @Test
    void jsPerfClientMoves64MiBEachWayThroughFerrysPerfServer() {
        try (JsPeer js = JsPeer.dial(ferry.listenOnLoopback(), "perf", "--upload", "64MiB", "--download", "64MiB")) {
            JsEvent perf = js.awaitSuccess("perf", PERF_TIMEOUT);

            assertThat(perf.number("streams")).isEqualTo(1);
            assertThat(perf.number("upload_bytes")).isEqualTo(SIZE);
            // js fails the run unless it received exactly the bytes it asked for
            assertThat(perf.number("download_bytes")).isEqualTo(SIZE);
            assertThat(perf.decimal("upload_mib_s")).isPositive();
            assertThat(perf.decimal("download_mib_s")).isPositive();
        }
    }

    @Test
    void ferryPerfClientMoves64MiBEachWayThroughJsPerfServer() {
        try (JsPeer js = JsPeer.listen()) {
            Connection connection = ferry.dial(js.awaitEvent("listening", START_TIMEOUT).address("addr"));

            // Ferry's client fails the run unless it received exactly the bytes it asked for
            PerfResult result = resultOf(ferry.node().perf().run(connection, SIZE, SIZE), PERF_TIMEOUT);
            JsEvent served = js.awaitEvent("perf:served", EXCHANGE_TIMEOUT);

            assertThat(result.uploadBytes()).isEqualTo(SIZE);
            assertThat(result.downloadBytes()).isEqualTo(SIZE);
            assertThat(result.uploadMibPerSecond()).isPositive();
            assertThat(result.downloadMibPerSecond()).isPositive();
            assertThat(served.peer("peer")).isEqualTo(ferry.peerId());
            assertThat(served.number("upload_bytes")).as("bytes js received").isEqualTo(SIZE);
            assertThat(served.number("download_bytes")).as("bytes js sent").isEqualTo(SIZE);
        }
    }

    @Test
    void perfOfZeroBytesCompletesBothWays() {
        try (JsPeer jsClient = JsPeer.dial(ferry.listenOnLoopback(), "perf", "--upload", "0", "--download", "0");
             JsPeer jsServer = JsPeer.listen()) {
            Connection connection = ferry.dial(jsServer.awaitEvent("listening", START_TIMEOUT).address("addr"));

            PerfResult result = resultOf(ferry.node().perf().run(connection, 0, 0), EXCHANGE_TIMEOUT);
            JsEvent served = jsServer.awaitEvent("perf:served", EXCHANGE_TIMEOUT);
            JsEvent perf = jsClient.awaitSuccess("perf", EXCHANGE_TIMEOUT);

            assertThat(result.uploadBytes()).isZero();
            assertThat(result.downloadBytes()).isZero();
            assertThat(served.number("upload_bytes")).isZero();
            assertThat(served.number("download_bytes")).isZero();
            assertThat(perf.number("upload_bytes")).isZero();
            assertThat(perf.number("download_bytes")).isZero();
        }
    }
}
