package dev.ferry.dht.service;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.lookup.ClosestPeersLookup;
import java.util.List;

/**
 * What a lookup found: the closest peers that answered, closest first, and what it took.
 *
 * @param target the key looked up (SHA-256 of the key bytes)
 * @param closest at most k peers, closest first
 * @param stats the lookup's counters; {@link ClosestPeersLookup.Stats#hops()} is the rounds it took
 * @param outcome how it ended: converged, satisfied early, or cut short by the lookup timeout
 */
public record LookupResult(KadKey target, List<PeerId> closest, ClosestPeersLookup.Stats stats, LookupOutcome outcome) {
    public LookupResult {
        closest = List.copyOf(closest);
    }

    /** Rounds of requests it took to reach the closest peers. */
    public int hops() {
        return stats.hops();
    }
}
