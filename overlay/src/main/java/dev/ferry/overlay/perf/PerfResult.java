package dev.ferry.overlay.perf;

import java.time.Duration;

/**
 * One perf run as the client saw it. The upload phase lasts from the start until the first byte
 * of the answer (the server answers only after it has read every uploaded byte), the download
 * phase from then until the server's end of stream.
 */
public record PerfResult(long uploadBytes, long downloadBytes, Duration upload, Duration download) {
    private static final double MIB = 1024.0 * 1024.0;

    public double uploadMibPerSecond() {
        return rate(uploadBytes, upload);
    }

    public double downloadMibPerSecond() {
        return rate(downloadBytes, download);
    }

    private static double rate(long bytes, Duration d) {
        double seconds = d.toNanos() / 1e9;
        return seconds <= 0 ? 0 : bytes / MIB / seconds;
    }
}
