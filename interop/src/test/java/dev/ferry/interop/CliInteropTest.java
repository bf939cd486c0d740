package dev.ferry.interop;

import static dev.ferry.interop.JsPeer.EXCHANGE_TIMEOUT;
import static dev.ferry.interop.JsPeer.START_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cmd.CliRun;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code ferry} command line (run in-process) against a js-libp2p node. */
@Tag("interop")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CliInteropTest {
    @AutoClose
    private final JsPeer js = JsPeer.listen();

    @Test
    void ferryPingPrintsOneRoundTripPerPingToJs() {
        String jsAddress = js.awaitEvent("listening", START_TIMEOUT).string("addr");

        CliRun run = CliRun.of("ping", jsAddress, "--count", "2");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).hasSize(2).allMatch(line -> line.matches("rtt_ms \\d+\\.\\d{3}"), "rtt_ms <ms>");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void ferryPerfPrintsExactByteCountsAgainstJs() {
        String jsAddress = js.awaitEvent("listening", START_TIMEOUT).string("addr");

        CliRun run = CliRun.of("perf", jsAddress, "--upload", "1MiB", "--download", "2MiB");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("upload_bytes 1048576", "download_bytes 2097152");
        assertThat(run.out()).anyMatch(line -> line.matches("upload_mib_s \\d+\\.\\d"));
        assertThat(run.out()).anyMatch(line -> line.matches("download_mib_s \\d+\\.\\d"));
        assertThat(js.awaitEvent("perf:served", EXCHANGE_TIMEOUT).number("upload_bytes")).isEqualTo(1024 * 1024);
    }
}
