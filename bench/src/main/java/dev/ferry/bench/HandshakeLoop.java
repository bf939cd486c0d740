package dev.ferry.bench;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Ferry's side of the handshake benchmark, the same loop as {@code peer.mjs dial MA handshakes}:
 * one client identity dials the server again and again, each time a fresh TCP connection taken
 * through multistream-select, Noise XX and yamux until it is usable, then closes it and waits for
 * the close before the next dial. The client is a bare {@link NettyHost}, without identify or
 * ping, as the js dialer is a node without them; both servers run identify on every connection.
 */
final class HandshakeLoop implements AutoCloseable {
    /** One dial or close that takes longer than this means the server is stuck, not slow. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);
    /** Failed dials tolerated in a run; a few can happen when the server lags behind closes. */
    static final int MAX_FAILURES = 10;

    /** One run: completed handshakes, failed dials, and the time taken. */
    record Result(int count, int failures, Duration elapsed, Duration dialTotal, Duration closeTotal) {
        double perSecond() {
            return count / (elapsed.toNanos() / 1e9);
        }

        double avgDialMs() {
            return count == 0 ? 0 : dialTotal.toNanos() / 1e6 / count;
        }

        double avgCloseMs() {
            return count == 0 ? 0 : closeTotal.toNanos() / 1e6 / count;
        }
    }

    private final NettyHost host;
    private final Multiaddr server;

    HandshakeLoop(Multiaddr server) {
        this.server = server;
        this.host = new NettyHost(HostConfig.builder(IdentityKeyPair.generate(new SecureRandom())).build());
    }

    /** Dials, waits until usable, closes, for {@code duration}. */
    Result run(Duration duration) throws Exception {
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        int count = 0;
        int failures = 0;
        long dialNanos = 0;
        long closeNanos = 0;
        String lastError = null;
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            Connection c;
            try {
                c = host.dial(server).get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                lastError = e.getCause() == null ? e.toString() : e.getCause().getMessage();
                if (++failures > MAX_FAILURES) {
                    throw new BenchmarkException("Ferry handshakes: " + failures + " dials failed, last: " + lastError);
                }
                continue;
            }
            long t1 = System.nanoTime();
            count++;
            c.close().get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            dialNanos += t1 - t0;
            closeNanos += System.nanoTime() - t1;
        }
        return new Result(count, failures, Duration.ofNanos(System.nanoTime() - start),
                Duration.ofNanos(dialNanos), Duration.ofNanos(closeNanos));
    }

    @Override
    public void close() throws Exception {
        host.close().get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
