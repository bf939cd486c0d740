package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.PeerId;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.Stream;
import dev.ferry.store.FerryStore;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.SweepResult;
import io.netty.buffer.ByteBufAllocator;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The holder side of {@code /ferry/mailbox/1.0.0} on a {@link Host}: per-stream framing hands
 * requests to one server thread of its own, which owns the watchers and makes every store call
 * (never a Netty event loop). It sweeps what expired every {@link MailboxConfig#sweepInterval()},
 * one bounded batch per task so that requests interleave with a long sweep.
 *
 * <p>Requests beyond {@link MailboxConfig#maxPendingRequests()} waiting for the server thread, or
 * beyond {@link MailboxLimits#MAX_PENDING_REQUESTS_PER_PEER} of one peer, are answered
 * {@link MailboxStatus#BUSY} at once.
 */
public final class MailboxServer {
    private static final System.Logger LOG = System.getLogger(MailboxServer.class.getName());

    private final Host host;
    private final MailboxConfig config;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService executor;
    private final MailboxMetrics metrics;
    private final MailboxHolder holder;
    private final AtomicInteger pending = new AtomicInteger();
    /** Requests waiting for the server thread, per peer; a peer's entry goes when it has none waiting. */
    private final ConcurrentHashMap<PeerId, Integer> pendingByPeer = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> sweeping;

    // Owned by the executor thread.
    private final Watchers watchers;
    private boolean sweepRunning;

    private MailboxServer(Host host, FerryStore store, Clock clock, ScheduledExecutorService scheduler, Metrics metrics,
            MailboxConfig config, AckListener ackListener) {
        this.host = Objects.requireNonNull(host, "host");
        this.config = Objects.requireNonNull(config, "config");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.metrics = new MailboxMetrics(Objects.requireNonNull(metrics, "metrics"),
                Objects.requireNonNull(store, "store").limits().maxTotalBytes(), () -> store.shards().usage());
        this.watchers = new Watchers(config);
        String name = "mailbox-" + host.peerId().toBase58().substring(0, 8);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
        this.holder = new MailboxHolder(host.peerId(), Objects.requireNonNull(store, "store"),
                Objects.requireNonNull(clock, "clock"), config, this.metrics,
                Objects.requireNonNull(ackListener, "ackListener"), this::notifyWatchers);
        long every = config.sweepInterval().toMillis();
        this.sweeping = scheduler.scheduleWithFixedDelay(this::startSweep, every, every, TimeUnit.MILLISECONDS);
        host.setProtocolHandler(MailboxProtocol.ID, stream -> stream.setReceiver(new InboundMailboxStream(this, this.metrics)));
    }

    /**
     * Serves {@code /ferry/mailbox/1.0.0} on {@code host} from {@code store}. {@code scheduler}
     * (shared, not owned) runs the sweep timer and watch cleanup timers; store calls run on the
     * server's own thread.
     */
    public static MailboxServer start(Host host, FerryStore store, Clock clock, ScheduledExecutorService scheduler,
            Metrics metrics, MailboxConfig config, AckListener ackListener) {
        return new MailboxServer(host, store, clock, scheduler, metrics, config, ackListener);
    }

    /** What this server counted; the same figures as its {@code ferry_mailbox_} metrics. */
    public MailboxMetrics metrics() {
        return metrics;
    }

    public MailboxConfig config() {
        return config;
    }

    /** Runs one sweep batch now (as the timer does), completing with what it deleted. */
    public CompletableFuture<SweepResult> sweepNow() {
        return onServerThread(holder::sweep);
    }

    /** Stops serving: no new streams, watch streams reset, the server thread ends after its queued work. */
    public CompletableFuture<Void> close() {
        host.removeProtocolHandler(MailboxProtocol.ID);
        sweeping.cancel(false);
        CompletableFuture<Void> done = onServerThread(() -> {
            for (Watchers.Watcher watcher : watchers.all()) {
                watchers.remove(watcher);
                watcher.stream.reset();
            }
            metrics.watchers(0);
            return null;
        });
        executor.shutdown();
        return done.exceptionally(e -> null);
    }

    // ---------------------------------------------------------------- called by the stream handlers

    /** The answer to {@code request} from {@code from}, computed on the server thread; never fails. */
    CompletableFuture<MailboxResponse> answer(PeerId from, MailboxRequest request) {
        // One peer flooding from many streams must not fill the queue that every other peer waits in.
        if (!admit(from)) return busy(request, "this peer has too many requests in progress here");
        if (pending.incrementAndGet() > config.maxPendingRequests()) {
            pending.decrementAndGet();
            release(from);
            return busy(request, "this holder has too many requests in progress");
        }
        CompletableFuture<MailboxResponse> answer = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                pending.decrementAndGet();
                release(from);
                answer.complete(answered(request, compute(from, request)));
            });
        } catch (RejectedExecutionException e) {
            pending.decrementAndGet();
            release(from);
            answer.complete(answered(request, MailboxResponse.plain(request.id(),
                    MailboxReply.of(MailboxStatus.SHUTTING_DOWN, "this holder is shutting down"))));
        }
        return answer;
    }

    private CompletableFuture<MailboxResponse> busy(MailboxRequest request, String why) {
        return CompletableFuture.completedFuture(answered(request, MailboxResponse.plain(request.id(),
                MailboxReply.of(MailboxStatus.BUSY, why))));
    }

    /** Counts a request of {@code from} as waiting, unless it has {@link MailboxLimits#MAX_PENDING_REQUESTS_PER_PEER} already. */
    private boolean admit(PeerId from) {
        boolean[] admitted = {false};
        pendingByPeer.compute(from, (peer, waiting) -> {
            int n = waiting == null ? 0 : waiting;
            if (n >= MailboxLimits.MAX_PENDING_REQUESTS_PER_PEER) return waiting;
            admitted[0] = true;
            return n + 1;
        });
        return admitted[0];
    }

    private void release(PeerId from) {
        pendingByPeer.computeIfPresent(from, (peer, waiting) -> waiting <= 1 ? null : waiting - 1);
    }

    private MailboxResponse compute(PeerId from, MailboxRequest request) {
        try {
            if (request instanceof MailboxRequest.Batch batch) {
                // Each request of the batch is answered, and counted, as if it had come alone.
                List<MailboxResponse> answers = holder.answerBatch(from, batch.requests());
                for (int i = 0; i < answers.size(); i++) answered(batch.requests().get(i), answers.get(i));
                return new MailboxResponse.BatchAnswers(batch.id(), MailboxStatus.OK, "", answers);
            }
            return holder.answer(from, request);
        } catch (RuntimeException e) {
            // The store failed (disk, closed during shutdown): the request is not to blame.
            LOG.log(System.Logger.Level.WARNING, "mailbox " + request.type() + " failed in the store", e);
            return MailboxResponse.plain(request.id(), MailboxReply.of(MailboxStatus.INTERNAL_ERROR, "the holder's store failed"));
        }
    }

    private MailboxResponse answered(MailboxRequest request, MailboxResponse response) {
        metrics.answered(request.type(), response.status());
        return response;
    }

    /** Starts a watch on {@code stream} if its authorisation and the watcher bounds allow. */
    void watch(Stream stream, MailboxRequest.Watch request) {
        PeerId peer = stream.remotePeer();
        try {
            executor.execute(() -> startWatch(stream, peer, request));
        } catch (RejectedExecutionException e) {
            endWatch(stream, MailboxResponse.plain(request.id(),
                    MailboxReply.of(MailboxStatus.SHUTTING_DOWN, "this holder is shutting down")));
        }
    }

    private void startWatch(Stream stream, PeerId peer, MailboxRequest.Watch request) {
        MailboxReply allowed;
        try {
            allowed = holder.authoriseWatch(request.authorisation());
        } catch (RuntimeException e) {
            allowed = MailboxReply.of(MailboxStatus.INTERNAL_ERROR, "the holder failed");
        }
        MailboxKey mailbox = request.authorisation().mailbox();
        if (allowed.isOk()) {
            Optional<String> refusal = watchers.refusal(peer, mailbox);
            if (refusal.isPresent()) allowed = MailboxReply.of(MailboxStatus.TOO_MANY_WATCHERS, refusal.get());
        }
        MailboxResponse answer = answered(request, MailboxResponse.plain(request.id(), allowed));
        if (!allowed.isOk()) {
            endWatch(stream, answer);
            return;
        }
        Watchers.Watcher watcher = new Watchers.Watcher(stream, request.id(), peer, mailbox);
        watchers.add(watcher);
        metrics.watchers(watchers.size());
        stream.write(frame(answer));
        // Forget it however the stream ends (the remote closed it, reset it, or the connection went).
        stream.closeFuture().whenComplete((v, e) -> onServerThreadQuietly(() -> forget(watcher)));
    }

    private void forget(Watchers.Watcher watcher) {
        if (watchers.remove(watcher)) metrics.watchers(watchers.size());
    }

    /** Pushes a notice to each watcher of {@code mailbox}; a watcher with a full backlog is dropped instead. */
    private void notifyWatchers(MailboxKey mailbox, byte[] header, int index) {
        for (Watchers.Watcher watcher : watchers.of(mailbox)) {
            if (watcher.unwritten.get() >= config.watchBacklog()) {
                forget(watcher);
                metrics.watcherDropped();
                endWatch(watcher.stream, MailboxResponse.plain(watcher.requestId, MailboxReply.of(
                        MailboxStatus.WATCHER_TOO_SLOW, config.watchBacklog() + " notices were not taken")));
                continue;
            }
            watcher.unwritten.incrementAndGet();
            MailboxResponse notice = new MailboxResponse.Notice(watcher.requestId, MailboxStatus.OK, "", header, index);
            watcher.stream.write(frame(notice)).whenComplete((v, e) -> watcher.unwritten.decrementAndGet());
        }
    }

    /**
     * Writes a watch's last answer and closes our side; a remote that does not take it (a slow
     * watcher) is reset after the request timeout, so nothing waits on it for long.
     */
    private void endWatch(Stream stream, MailboxResponse last) {
        stream.write(frame(last));
        stream.closeWrite();
        try {
            ScheduledFuture<?> reset = scheduler.schedule(stream::reset, config.requestTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            stream.closeFuture().whenComplete((v, e) -> reset.cancel(false));
        } catch (RejectedExecutionException e) {
            stream.reset();
        }
    }

    // ---------------------------------------------------------------- sweep

    private void startSweep() {
        onServerThreadQuietly(() -> {
            if (sweepRunning) return;
            sweepRunning = true;
            sweepBatch();
        });
    }

    private void sweepBatch() {
        boolean more;
        try {
            more = holder.sweep().more();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the mailbox expiry sweep failed", e);
            more = false;
        }
        if (more) {
            // The next batch queues behind the requests that arrived meanwhile.
            onServerThreadQuietly(this::sweepBatch);
        } else {
            sweepRunning = false;
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static io.netty.buffer.ByteBuf frame(MailboxResponse response) {
        return MailboxCodec.frame(ByteBufAllocator.DEFAULT, MailboxCodec.encode(response));
    }

    private <T> CompletableFuture<T> onServerThread(java.util.function.Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the mailbox server is closed"));
        }
    }

    private void onServerThreadQuietly(Runnable work) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            // closed: nothing left to do
        }
    }
}
