package dev.ferry.messenger.delivery;

import dev.ferry.crypto.PeerId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which peer holds which shard of one envelope. Shard i goes to the i-th peer closest to the
 * mailbox; a shard whose holder refuses it or cannot be reached moves to the next closest peer not
 * yet tried for any shard. When there are fewer candidates than shards, the list wraps around and
 * a peer holds more than one shard: with few peers, redundancy beats spreading.
 *
 * <p>Pure and mutable, owned by one thread (the sender's).
 */
public final class ShardPlacement {
    private final int totalShards;
    private final List<PeerId> candidates;
    private final Map<Integer, PeerId> assigned = new TreeMap<>();
    private final Set<Integer> confirmed = new HashSet<>();
    private final Set<PeerId> failedPeers = new HashSet<>();
    private int nextCandidate;

    /**
     * @param totalShards n = k + m
     * @param closestFirst the peers closest to the mailbox, closest first, without this node
     */
    public ShardPlacement(int totalShards, List<PeerId> closestFirst) {
        if (totalShards < 1) throw new IllegalArgumentException("need at least one shard");
        this.totalShards = totalShards;
        this.candidates = List.copyOf(closestFirst);
        if (candidates.isEmpty()) return;
        for (int i = 0; i < totalShards; i++) {
            assigned.put(i, candidates.get(i % candidates.size()));
        }
        nextCandidate = Math.min(totalShards, candidates.size());
    }

    /** Shard index to the peer it should go to; unassigned shards (no candidate left) are absent. */
    public Map<Integer, PeerId> assignments() {
        return Collections.unmodifiableMap(assigned);
    }

    /** Shards assigned and not yet confirmed, to push now. */
    public Map<Integer, PeerId> unconfirmed() {
        Map<Integer, PeerId> open = new TreeMap<>(assigned);
        open.keySet().removeAll(confirmed);
        return open;
    }

    /** The holder stored the shard. */
    public void confirmed(int index) {
        checkIndex(index);
        if (assigned.containsKey(index)) confirmed.add(index);
    }

    /**
     * The holder refused the shard or could not be reached: the shard moves to the next closest
     * peer that has not failed.
     *
     * @return the new holder, or empty if no candidate is left (the shard waits for a retry with a
     *     fresh list of closest peers)
     */
    public Optional<PeerId> failed(int index) {
        checkIndex(index);
        PeerId holder = assigned.remove(index);
        if (holder != null) failedPeers.add(holder);
        while (nextCandidate < candidates.size()) {
            PeerId next = candidates.get(nextCandidate++);
            if (!failedPeers.contains(next)) {
                assigned.put(index, next);
                return Optional.of(next);
            }
        }
        // Past the end of the list: share a peer that has not failed, if any.
        List<PeerId> healthy = new ArrayList<>(candidates);
        healthy.removeAll(failedPeers);
        if (healthy.isEmpty()) return Optional.empty();
        PeerId shared = healthy.get(index % healthy.size());
        assigned.put(index, shared);
        return Optional.of(shared);
    }

    /** How many shards holders have confirmed. */
    public int confirmedCount() {
        return confirmed.size();
    }

    /** Whether every shard is confirmed. */
    public boolean complete() {
        return confirmed.size() == totalShards;
    }

    /** The peers holding a confirmed shard, for asking about acknowledgements later. */
    public Set<PeerId> confirmedHolders() {
        Set<PeerId> holders = new HashSet<>();
        for (int index : confirmed) holders.add(assigned.get(index));
        return holders;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= totalShards) {
            throw new IllegalArgumentException("shard index " + index + " outside 0.." + (totalShards - 1));
        }
    }
}
