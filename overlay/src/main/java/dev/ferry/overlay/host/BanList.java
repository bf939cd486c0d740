package dev.ferry.overlay.host;

import dev.ferry.crypto.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts protocol violations per peer and bans a peer that commits {@code strikesBeforeBan} of
 * them within {@code window}, for {@code window}. Bounded: at most {@code maxTracked} peers with
 * strikes and {@code maxTracked} banned peers are remembered; past that the oldest entries go
 * first (a flood of fresh identities can shorten older bans, but never grow memory). Thread-safe
 * (violations come from every event loop).
 */
final class BanList {
    /** Peers tracked at once, in each map; a flood of new PeerIds must not grow this without bound. */
    static final int MAX_TRACKED = 10_000;

    private final int strikesBeforeBan;
    private final Duration window;
    private final Clock clock;
    private final int maxTracked;
    /** Insertion-ordered: the peer struck longest ago comes first. */
    private final Map<PeerId, ArrayDeque<Instant>> strikes = new LinkedHashMap<>();
    /** Insertion-ordered; every ban lasts {@code window}, so this is also the order of expiry. */
    private final Map<PeerId, Instant> bannedUntil = new LinkedHashMap<>();

    BanList(int strikesBeforeBan, Duration window, Clock clock) {
        this(strikesBeforeBan, window, clock, MAX_TRACKED);
    }

    BanList(int strikesBeforeBan, Duration window, Clock clock, int maxTracked) {
        if (strikesBeforeBan < 1) throw new IllegalArgumentException("strikesBeforeBan must be at least 1");
        if (maxTracked < 1) throw new IllegalArgumentException("maxTracked must be at least 1");
        this.strikesBeforeBan = strikesBeforeBan;
        this.window = window;
        this.clock = clock;
        this.maxTracked = maxTracked;
    }

    /** Records a violation; returns true if the peer is now banned. */
    synchronized boolean strike(PeerId peer) {
        Instant now = clock.instant();
        ArrayDeque<Instant> times = strikes.remove(peer); // put back last: most recently struck
        if (times == null) times = new ArrayDeque<>();
        times.add(now);
        while (!times.isEmpty() && times.peek().isBefore(now.minus(window))) times.poll();
        boolean banned = times.size() >= strikesBeforeBan;
        if (banned) {
            bannedUntil.remove(peer);
            bannedUntil.put(peer, now.plus(window));
        } else {
            strikes.put(peer, times);
        }
        trim(now);
        return banned;
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
        // Expired bans sit at the front (unless the clock went back; those go when looked up).
        for (Iterator<Instant> it = bannedUntil.values().iterator(); it.hasNext(); ) {
            if (it.next().isAfter(now)) break;
            it.remove();
        }
        dropOldest(bannedUntil);
        dropOldest(strikes);
    }

    private void dropOldest(Map<PeerId, ?> map) {
        for (Iterator<?> it = map.values().iterator(); it.hasNext() && map.size() > maxTracked; ) {
            it.next();
            it.remove();
        }
    }
}
