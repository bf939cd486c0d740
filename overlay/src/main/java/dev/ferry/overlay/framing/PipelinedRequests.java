package dev.ferry.overlay.framing;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Requests of one length-prefixed protocol whose server answers each request with one message,
 * in order: sent over a few long-lived streams per peer, at most {@link Settings#depth()}
 * unanswered on each. A stream per request would cost a multistream round trip and a yamux
 * stream each, and at a few thousand requests per second it runs into the remote's stream
 * limits; here a busy peer gets {@link Settings#streamsPerPeer()} streams, kept until they have
 * been idle for {@link Settings#idleTimeout()}.
 *
 * <p>A request completes with the answer's bytes, or fails with a {@link TimeoutException} after
 * its timeout or an {@link OverlayException} when its stream could not be opened or broke. A
 * stream whose request timed out is reset (the server is stuck; what follows on it would wait as
 * well), which fails the requests behind it on that stream. Requests wait in a queue per peer,
 * at most {@link Settings#maxWaiting()}, while every stream is full; past that they fail at once.
 *
 * <p>Thread-safe: requests come from any thread, stream events from event loops; each peer's
 * state is guarded by its own lock. Writes happen under it, so requests enter a stream in the
 * order their answers are expected.
 */
public final class PipelinedRequests implements AutoCloseable {
    /**
     * @param maxAnswerBytes the largest answer accepted; a longer one resets the stream
     * @param depth          unanswered requests per stream (the server's read-ahead)
     * @param streamsPerPeer streams opened to one peer at most
     * @param maxWaiting     requests queued per peer while its streams are full
     * @param idleTimeout    a stream with nothing unanswered for this long is closed
     */
    public record Settings(int maxAnswerBytes, int depth, int streamsPerPeer, int maxWaiting, Duration idleTimeout) {
        public Settings {
            if (maxAnswerBytes < 1 || depth < 1 || streamsPerPeer < 1 || maxWaiting < 0) {
                throw new IllegalArgumentException("limits must be positive: " + maxAnswerBytes + ", " + depth + ", "
                        + streamsPerPeer + ", " + maxWaiting);
            }
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idleTimeout must be positive");
        }
    }

    private final Host host;
    private final String protocol;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Map<PeerId, Peer> peers = new HashMap<>();
    private boolean closed;

    /**
     * Requests of {@code protocol} from {@code host}; {@code scheduler} (shared, not owned) runs
     * the timeouts.
     */
    public PipelinedRequests(Host host, String protocol, Settings settings, ScheduledExecutorService scheduler) {
        this.host = Objects.requireNonNull(host, "host");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Sends {@code request} (one message, without its length prefix) to {@code peer}; completes
     * with the bytes of the answer, or fails after {@code timeout}.
     */
    public CompletableFuture<byte[]> request(PeerId peer, byte[] request, Duration timeout) {
        Objects.requireNonNull(peer, "peer");
        Pending pending = new Pending(request);
        try {
            ScheduledFuture<?> timer = scheduler.schedule(() -> timedOut(peer, pending, timeout),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
            pending.result.whenComplete((v, e) -> timer.cancel(false));
        } catch (RejectedExecutionException e) {
            pending.result.completeExceptionally(new OverlayException("the scheduler is shut down"));
            return pending.result;
        }
        // A peer found idle and forgotten between the look-up and the submission is looked up again.
        while (!peer(peer).submit(pending)) {
            Thread.onSpinWait();
        }
        return pending.result;
    }

    /** Streams open (or opening) to {@code peer} now; for tests and metrics. */
    public int streams(PeerId peer) {
        Peer state;
        synchronized (this) {
            state = peers.get(peer);
        }
        if (state == null) return 0;
        synchronized (state) {
            return state.lanes.size();
        }
    }

    /** Resets every stream; every request not answered yet fails, later ones fail at once. */
    @Override
    public void close() {
        List<Peer> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(peers.values());
            peers.clear();
        }
        for (Peer peer : all) peer.shutDown();
    }

    private synchronized Peer peer(PeerId id) {
        if (closed) return new Peer(id, true);
        return peers.computeIfAbsent(id, p -> new Peer(p, false));
    }

    private void timedOut(PeerId peerId, Pending pending, Duration timeout) {
        if (pending.result.isDone()) return;
        TimeoutException failure = new TimeoutException("no answer from " + peerId + " within " + timeout.toMillis() + " ms");
        Peer peer;
        synchronized (this) {
            peer = peers.get(peerId);
        }
        if (peer == null) pending.result.completeExceptionally(failure);
        else peer.timedOut(pending, failure);
    }

    /** Drops {@code peer}'s state once it has no stream and no request; locks this, then the peer. */
    private void forgetIfIdle(Peer peer) {
        synchronized (this) {
            synchronized (peer) {
                if (!peer.lanes.isEmpty() || !peer.waiting.isEmpty()) return;
                peer.forgotten = true;
                if (peers.get(peer.id) == peer) peers.remove(peer.id);
            }
        }
    }

    /** One request: its bytes until written, then the stream it went on. */
    private static final class Pending {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        byte[] request;
        Lane lane;

        Pending(byte[] request) {
            this.request = Objects.requireNonNull(request, "request");
        }
    }

    /** The streams to one peer and the requests waiting for room on them; guarded by its own lock. */
    private final class Peer {
        final PeerId id;
        final List<Lane> lanes = new ArrayList<>();
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        boolean shutDown;
        boolean forgotten;
        boolean draining;

        Peer(PeerId id, boolean shutDown) {
            this.id = id;
            this.shutDown = shutDown;
        }

        /** False if this peer's state was forgotten and the request must go to a fresh one. */
        boolean submit(Pending pending) {
            OverlayException refusal = null;
            synchronized (this) {
                if (forgotten) return false;
                if (shutDown) {
                    refusal = new OverlayException("requests to " + id + " are closed");
                } else if (!place(pending)) {
                    if (waiting.size() >= settings.maxWaiting()) {
                        refusal = new OverlayException(waiting.size() + " requests to " + id + " are already waiting");
                    } else {
                        waiting.add(pending);
                    }
                }
            }
            if (refusal != null) pending.result.completeExceptionally(refusal);
            return true;
        }

        /** Puts {@code pending} on the least busy stream with room, opening one if allowed; false if all are full. */
        private boolean place(Pending pending) {
            Lane best = null;
            for (Lane lane : lanes) {
                if (lane.unanswered() < settings.depth() && (best == null || lane.unanswered() < best.unanswered())) best = lane;
            }
            if (best == null || (best.unanswered() > 0 && lanes.size() < settings.streamsPerPeer())) {
                if (lanes.size() < settings.streamsPerPeer()) best = open();
            }
            if (best == null) return false;
            best.enqueue(pending);
            return true;
        }

        private Lane open() {
            Lane lane = new Lane(this);
            lanes.add(lane);
            // On the scheduler, so that a stream refused at once does not re-enter this lock mid-placement.
            host.newStream(id, protocol).whenCompleteAsync((stream, failure) -> {
                if (failure != null) lane.broken(new OverlayException("no stream to " + id + ": " + rootMessage(failure), failure));
                else lane.opened(stream);
            }, scheduler).exceptionally(rejected -> {
                lane.broken(new OverlayException("the scheduler is shut down"));
                return null;
            });
            return lane;
        }

        /**
         * Moves waiting requests onto streams with room; under the lock. A stream that fails while
         * a request is placed on it comes back here through {@link #removed}: that nested call
         * returns at once and this loop carries on.
         */
        void drain() {
            if (draining) return;
            draining = true;
            try {
                while (!shutDown) {
                    Pending next = waiting.poll();
                    if (next == null) return;
                    if (next.result.isDone()) continue;
                    if (!place(next)) {
                        waiting.addFirst(next);
                        return;
                    }
                }
            } finally {
                draining = false;
            }
        }

        void removed(Lane lane) {
            boolean empty;
            synchronized (this) {
                lanes.remove(lane);
                drain();
                empty = lanes.isEmpty() && waiting.isEmpty();
            }
            // Not from inside this peer's lock (a nested failure): that would lock the peer before the map.
            if (empty && !Thread.holdsLock(this)) forgetIfIdle(this);
        }

        void timedOut(Pending pending, TimeoutException failure) {
            Lane lane;
            synchronized (this) {
                waiting.remove(pending);
                lane = pending.lane;
            }
            pending.result.completeExceptionally(failure);
            if (lane != null) lane.broken(new OverlayException("the stream was reset: a request before this one timed out", failure));
        }

        void shutDown() {
            List<Lane> all;
            List<Pending> queued;
            synchronized (this) {
                shutDown = true;
                all = new ArrayList<>(lanes);
                queued = new ArrayList<>(waiting);
                waiting.clear();
            }
            OverlayException failure = new OverlayException("requests to " + id + " are closed");
            queued.forEach(p -> p.result.completeExceptionally(failure));
            all.forEach(lane -> lane.broken(failure));
        }
    }

    /**
     * One stream: requests written (or to be written once it is open) and their answers, which
     * come back in the same order. Its state is guarded by its peer's lock.
     */
    private final class Lane extends MessageReceiver {
        final Peer peer;
        /** Requests sent and not answered, oldest first; before the stream opens, those to send. */
        final ArrayDeque<Pending> unanswered = new ArrayDeque<>();
        Stream stream;
        boolean over;
        ScheduledFuture<?> idleTimer;

        Lane(Peer peer) {
            super(settings.maxAnswerBytes());
            this.peer = peer;
        }

        int unanswered() {
            return unanswered.size();
        }

        /** Under the peer's lock. */
        void enqueue(Pending pending) {
            pending.lane = this;
            unanswered.add(pending);
            if (idleTimer != null) {
                idleTimer.cancel(false);
                idleTimer = null;
            }
            if (stream != null) write(pending);
        }

        void opened(Stream opened) {
            boolean keep;
            synchronized (peer) {
                keep = !over;
                if (keep) {
                    stream = opened;
                    stream.setReceiver(this);
                    for (Pending pending : List.copyOf(unanswered)) {
                        if (!over) write(pending);
                    }
                }
            }
            if (!keep) opened.reset();
        }

        /** Writes one request; under the peer's lock, so that streams see requests in answer order. */
        private void write(Pending pending) {
            byte[] bytes = pending.request;
            pending.request = null;
            ByteBuf frame = LengthPrefixed.encode(ByteBufAllocator.DEFAULT, bytes);
            stream.write(frame).whenComplete((v, e) -> {
                if (e == null) return;
                // Not inline: a write failing at once must not re-enter the lock held here. (The
                // stream's onClosed follows a failed write as well; this is the safety net.)
                OverlayException failure = new OverlayException("write to " + peer.id + " failed: " + rootMessage(e), e);
                try {
                    scheduler.execute(() -> broken(failure));
                } catch (RejectedExecutionException shutDown) {
                    // shutting down: the stream's close ends this lane
                }
            });
        }

        @Override
        protected void onMessage(Stream s, ByteBuf message) {
            Pending answered;
            synchronized (peer) {
                answered = over ? null : unanswered.poll();
                if (answered != null) {
                    peer.drain();
                    if (unanswered.isEmpty() && !over) idleTimer = scheduleIdleClose();
                }
            }
            if (answered == null) {
                if (!over) broken(new OverlayException(peer.id + " answered a request that was not asked"));
                return;
            }
            answered.result.complete(ByteBufUtil.getBytes(message));
        }

        private ScheduledFuture<?> scheduleIdleClose() {
            try {
                return scheduler.schedule(this::closeIfIdle, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return null;
            }
        }

        private void closeIfIdle() {
            Stream toClose;
            synchronized (peer) {
                if (over || !unanswered.isEmpty()) return;
                over = true;
                peer.lanes.remove(this);
                toClose = stream;
            }
            if (toClose != null) toClose.closeWrite();
            peer.removed(this);
        }

        @Override
        protected void onMalformed(Stream s, String reason) {
            broken(new OverlayException(peer.id + " sent a malformed answer: " + reason));
        }

        @Override
        public void onRemoteClosed(Stream s) {
            broken(new OverlayException(peer.id + " closed the stream"));
        }

        @Override
        public void onClosed(Stream s, Throwable cause) {
            super.onClosed(s, cause);
            broken(new OverlayException("the stream to " + peer.id + " closed"
                    + (cause == null ? "" : ": " + rootMessage(cause)), cause));
        }

        /** Ends this stream: resets it if it is open and fails whatever it still owed. Idempotent. */
        void broken(OverlayException failure) {
            List<Pending> owed;
            Stream toReset;
            synchronized (peer) {
                if (over) return;
                over = true;
                // Out of the peer's lanes in the same step: a request placed here from now on would never be answered.
                peer.lanes.remove(this);
                owed = new ArrayList<>(unanswered);
                unanswered.clear();
                toReset = stream;
                if (idleTimer != null) idleTimer.cancel(false);
            }
            if (toReset != null) toReset.reset();
            for (Pending pending : owed) pending.result.completeExceptionally(failure);
            peer.removed(this);
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
