package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A failing command prints one line, {@code ferry: <why>}, on stderr and exits non-zero. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandErrorsTest {
    @Test
    void pingOfAnAddressThatIsNoIpAddressIsAUsageError() {
        CliRun run = CliRun.of("ping", "/ip4/999.0.0.1/tcp/1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString()
                .startsWith("ferry: ")
                .contains("999.0.0.1")
                .contains("ferry ping --help");
    }

    @Test
    void perfWithoutAnAddressIsAUsageError() {
        CliRun run = CliRun.of("perf");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString()
                .startsWith("ferry: ")
                .contains("MULTIADDR")
                .contains("ferry perf --help");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        CliRun run = CliRun.of("frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).singleElement().asString().startsWith("ferry: ").contains("frobnicate");
    }

    @Test
    void pingOfAPortNobodyListensOnFailsWithinItsTimeout() {
        long start = System.nanoTime();

        CliRun run = CliRun.of("ping", "/ip4/127.0.0.1/tcp/1", "--timeout", "2");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString()
                .startsWith("ferry: ")
                .contains("/ip4/127.0.0.1/tcp/1");
        // 2 s to give up, a few more to close the client node on a slow machine
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
    }

    @Test
    void pingWithAZeroCountFailsWithOneLineNamingTheOption() {
        CliRun run = CliRun.of("ping", "/ip4/127.0.0.1/tcp/1", "--count", "0");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).singleElement().asString().startsWith("ferry: ").contains("--count");
    }
}
