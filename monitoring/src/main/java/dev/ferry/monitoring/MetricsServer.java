package dev.ferry.monitoring;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Serves one node's {@link Metrics} at {@code /metrics} in the Prometheus text format (and
 * {@code /-/healthy}), for Prometheus to scrape. It has no authentication: bind it to loopback or
 * to an address only the monitoring network reaches.
 */
public final class MetricsServer implements AutoCloseable {
    /** Scrapes answered at once; a scrape takes milliseconds, and Prometheus asks every few seconds. */
    private static final int THREADS = 2;
    /** Scrapes waiting beyond those: more means someone other than Prometheus is hammering the port. */
    private static final int QUEUE = 16;

    private final HTTPServer server;
    private final ExecutorService executor;
    private final InetSocketAddress address;

    private MetricsServer(HTTPServer server, ExecutorService executor, InetSocketAddress address) {
        this.server = server;
        this.executor = executor;
        this.address = address;
    }

    /**
     * Starts serving {@code metrics} on {@code host:port} (port 0 picks a free one).
     *
     * @throws UncheckedIOException if the address cannot be bound, with a message naming it
     */
    public static MetricsServer start(Metrics metrics, String host, int port) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        try {
            HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(metrics.registry())
                    .executorService(executor).buildAndStart();
            return new MetricsServer(server, executor, new InetSocketAddress(host, server.getPort()));
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Where it listens (with the port picked, if 0 was asked for). */
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
    }
}
