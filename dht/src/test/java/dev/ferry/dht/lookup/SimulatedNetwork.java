package dev.ferry.dht.lookup;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.routing.RandomPeers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Test model of a Kademlia network, no I/O: random peers, each knowing its own closest peers in
 * the global view plus a few random ones from each of its buckets, and answering FIND_NODE with
 * the k closest to the target among those it knows. Some peers fail every request, some never
 * answer.
 *
 * <p>The random contacts are spread over buckets, as in any real routing table: uniformly random
 * contacts leave local minima (a peer sharing 4 bits with the target that knows nobody sharing 5)
 * where a lookup ends among the wrong peers through no fault of its own.
 */
final class SimulatedNetwork {
    enum Behaviour { ANSWERS, FAILS, SILENT }

    private final List<PeerId> peers;
    private final Map<PeerId, KadKey> keys = new HashMap<>();
    private final Map<PeerId, List<PeerId>> knows = new HashMap<>();
    private final Map<PeerId, Behaviour> behaviour = new HashMap<>();

    /**
     * @param neighbours how many of its closest peers each peer knows
     * @param randomPerBucket how many random others each peer knows besides, from each bucket
     * @param failing share of peers that fail every request
     * @param silent share of peers that never answer
     */
    SimulatedNetwork(Random random, int size, int neighbours, int randomPerBucket, double failing, double silent) {
        peers = RandomPeers.peers(random, size);
        for (PeerId peer : peers) keys.put(peer, KadKey.of(peer));
        for (PeerId peer : peers) {
            KadKey key = keys.get(peer);
            Set<PeerId> known = new LinkedHashSet<>(closestTo(key, peers, neighbours + 1));
            known.remove(peer);
            Map<Integer, List<PeerId>> buckets = new HashMap<>();
            for (PeerId other : peers) {
                if (!other.equals(peer)) buckets.computeIfAbsent(key.commonPrefixLength(keys.get(other)), b -> new ArrayList<>()).add(other);
            }
            for (List<PeerId> bucket : buckets.values()) {
                for (int i = 0; i < randomPerBucket; i++) known.add(bucket.get(random.nextInt(bucket.size())));
            }
            knows.put(peer, List.copyOf(known));
            double draw = random.nextDouble();
            behaviour.put(peer, draw < failing ? Behaviour.FAILS : draw < failing + silent ? Behaviour.SILENT : Behaviour.ANSWERS);
        }
    }

    List<PeerId> peers() {
        return peers;
    }

    Behaviour behaviour(PeerId peer) {
        return behaviour.get(peer);
    }

    /** What {@code asked} answers to FIND_NODE(target): the k closest peers it knows. */
    List<PeerId> closerPeers(PeerId asked, KadKey target, int k) {
        return closestTo(target, knows.get(asked), k);
    }

    /** The true k closest peers to {@code target} among those that answer: what a lookup should find. */
    List<PeerId> closestAnswering(KadKey target, int k) {
        return closestTo(target, peers.stream().filter(p -> behaviour.get(p) == Behaviour.ANSWERS).toList(), k);
    }

    /** The {@code k} closest to {@code target} among {@code from}, closest first. */
    List<PeerId> closestTo(KadKey target, Collection<PeerId> from, int k) {
        List<PeerId> sorted = new ArrayList<>(from);
        sorted.sort(Comparator.comparing(this::keyOf, target::compareDistance));
        return List.copyOf(sorted.subList(0, Math.min(k, sorted.size())));
    }

    private KadKey keyOf(PeerId peer) {
        KadKey key = keys.get(peer);
        return key != null ? key : KadKey.of(peer);
    }
}
