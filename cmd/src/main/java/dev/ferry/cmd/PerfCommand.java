package dev.ferry.cmd;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.overlay.perf.PerfResult;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry perf}: measures /perf/1.0.0 throughput to a peer that serves it. */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Measure upload and download throughput to a peer running with --enable-perf.")
final class PerfCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MULTIADDR", converter = MultiaddrConverter.class,
            description = "Peer address, with or without /p2p/.")
    Multiaddr address;

    @Option(names = "--upload", paramLabel = "BYTES", converter = ByteSizeConverter.class, defaultValue = "0",
            description = "Bytes to send (e.g. 64MiB).")
    long upload;

    @Option(names = "--download", paramLabel = "BYTES", converter = ByteSizeConverter.class, defaultValue = "0",
            description = "Bytes to receive (e.g. 64MiB).")
    long download;

    @Option(names = "--warmup", paramLabel = "BYTES", converter = ByteSizeConverter.class, defaultValue = "0",
            description = "First transfer this many bytes each way, unmeasured, on the same connection, so the "
                    + "measured run shows steady state rather than JIT warm-up.")
    long warmup;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        try (ShortLivedNode client = new ShortLivedNode()) {
            Connection c = client.dial(address, Duration.ofSeconds(Math.min(timeoutSeconds, 30)));
            if (warmup > 0) client.node.perf().run(c, warmup, warmup).get(timeoutSeconds, TimeUnit.SECONDS);
            PerfResult r = client.node.perf().run(c, upload, download).get(timeoutSeconds, TimeUnit.SECONDS);
            System.out.println(String.format(Locale.ROOT, "upload_mib_s %.1f", r.uploadMibPerSecond()));
            System.out.println(String.format(Locale.ROOT, "download_mib_s %.1f", r.downloadMibPerSecond()));
            System.out.println(String.format(Locale.ROOT, "upload_bytes %d", r.uploadBytes()));
            System.out.println(String.format(Locale.ROOT, "download_bytes %d", r.downloadBytes()));
        }
        return 0;
    }
}
