package dev.ferry.overlay.host;

import dev.ferry.crypto.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Counts protocol violations per peer and bans a peer that commits {@code strikesBeforeBan} of
 * them within {@code window}. Bounded: at most {@link #MAX_TRACKED} peers are remembered; the
 * oldest entries go first. Thread-safe (violations come from every event loop).
 */
final class BanList {
    /** Peers tracked at once; a flood of new PeerIds must not grow this without bound. */
    static final int MAX_TRACKED = 10_000;

    private final int strikesBeforeBan;
    private final Duration window;
    private final Clock clock;
    private final Map<PeerId, ArrayDeque<Instant>> strikes = new HashMap<>();
    private final Map<PeerId, Instant> bannedUntil = new HashMap<>();

    BanList(int strikesBeforeBan, Duration window, Clock clock) {
        this.strikesBeforeBan = strikesBeforeBan;
        this.window = window;
        this.clock = clock;
    }

    /** Records a violation; returns true if the peer is now banned. */
    synchronized boolean strike(PeerId peer) {
        Instant now = clock.instant();
        ArrayDeque<Instant> times = strikes.computeIfAbsent(peer, p -> new ArrayDeque<>());
        times.add(now);
        while (!times.isEmpty() && times.peek().isBefore(now.minus(window))) times.poll();
        if (times.size() >= strikesBeforeBan) {
            strikes.remove(peer);
            bannedUntil.put(peer, now.plus(window));
            trim(now);
            return true;
        }
        trim(now);
        return false;
    }

    /** When the peer's ban ends, if it is banned now. */
    synchronized Optional<Instant> bannedUntil(PeerId peer) {
        Instant until = bannedUntil.get(peer);
        if (until == null) return Optional.empty();
        if (!until.isAfter(clock.instant())) {
            bannedUntil.remove(peer);
            return Optional.empty();
        }
        return Optional.of(until);
    }

    private void trim(Instant now) {
        bannedUntil.values().removeIf(until -> !until.isAfter(now));
        for (Iterator<ArrayDeque<Instant>> it = strikes.values().iterator(); it.hasNext() && strikes.size() > MAX_TRACKED; ) {
            it.next();
            it.remove();
        }
    }
}
