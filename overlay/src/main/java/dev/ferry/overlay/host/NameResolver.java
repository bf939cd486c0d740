package dev.ferry.overlay.host;

import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.multiaddr.MultiaddrProtocol;
import dev.ferry.overlay.multiaddr.TcpTarget;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resolves the names of {@code /dns4} and {@code /dns6} addresses on threads of its own (the JDK's
 * lookup blocks, and an event loop must not), keeping only the address family the multiaddr asks
 * for. IP literals pass straight through.
 */
final class NameResolver implements AutoCloseable {
    /** Lookups running at once; each blocks a thread for as long as the system resolver takes. */
    static final int THREADS = 2;
    /** Lookups waiting for a thread; past it a dial fails at once rather than queueing without end. */
    static final int QUEUE = 256;

    private final ThreadPoolExecutor executor;

    NameResolver() {
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "ferry-dns-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    /** The socket address to connect to, resolved within {@code timeout}. */
    CompletableFuture<InetSocketAddress> resolve(TcpTarget target, Duration timeout) {
        if (!target.needsResolving()) return CompletableFuture.completedFuture(target.toSocketAddress());
        Class<? extends InetAddress> family =
                target.hostProtocol() == MultiaddrProtocol.DNS6 ? Inet6Address.class : Inet4Address.class;
        CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    for (InetAddress a : InetAddress.getAllByName(target.host())) {
                        if (family.isInstance(a)) {
                            result.complete(new InetSocketAddress(a, target.port()));
                            return;
                        }
                    }
                    result.completeExceptionally(new OverlayException("name " + target.host() + " has no "
                            + (family == Inet4Address.class ? "IPv4" : "IPv6") + " address"));
                } catch (UnknownHostException e) {
                    result.completeExceptionally(new OverlayException("cannot resolve name " + target.host()));
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new OverlayException("too many name lookups under way; try again"));
        }
        return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(e instanceof TimeoutException
                        ? new OverlayException("resolving " + target.host() + " took longer than " + timeout.toMillis() + " ms")
                        : e));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
