package dev.ferry.overlay.yamux;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that all yamux sessions of a host together may hold for streams whose readers are
 * paused or not attached yet. Each session also has its own cap ({@link YamuxConfig#maxBufferedBytes()});
 * this one bounds the sum, so that many connections cannot multiply a per-connection cap into
 * more memory than the node has. A session over budget stops reading its socket and is woken
 * when the budget has drained to three quarters, so reading does not flap on every byte.
 * Thread-safe: sessions on every event loop share it.
 */
public final class InboundBudget {
    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();
    private final Set<YamuxSession> waiting = ConcurrentHashMap.newKeySet();

    /** @param maxBytes the most all sessions together may hold */
    public InboundBudget(long maxBytes) {
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1");
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    boolean isExhausted() {
        return used.get() > maxBytes;
    }

    boolean hasRoom() {
        return used.get() <= resumeAt();
    }

    private long resumeAt() {
        return maxBytes - maxBytes / 4;
    }

    void add(long delta) {
        long before = used.getAndAdd(delta);
        if (delta < 0 && before > resumeAt() && before + delta <= resumeAt()) wakeWaiting();
    }

    /** {@code session} stopped reading; tell it when there is room again. */
    void await(YamuxSession session) {
        waiting.add(session);
        if (hasRoom()) wakeWaiting(); // drained between the check and the registration
    }

    void forget(YamuxSession session) {
        waiting.remove(session);
    }

    private void wakeWaiting() {
        for (YamuxSession s : waiting) {
            if (waiting.remove(s)) s.budgetFreed();
        }
    }
}
