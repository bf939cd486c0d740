package dev.ferry.messenger.repair;

import dev.ferry.crypto.PeerId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one holder should do about one envelope it holds shards of, decided from the mailbox's
 * current closest peers and what each of them says it has (HAS). Pure: the upkeep service asks,
 * plans, then acts.
 *
 * <ul>
 *   <li>Someone says the envelope was acknowledged: drop the shards (the ACK did not reach us).
 *   <li>This node is no longer among the n closest: hand each shard to a peer that is and holds
 *       nothing of the envelope, then drop it.
 *   <li>Shards are missing among the n closest, k or more are present, and this node is the
 *       <i>leader</i> (the closest of the holders): rebuild each missing shard and place it on a
 *       peer among the n closest that holds nothing of the envelope. One leader per envelope keeps
 *       holders from all repairing the same shard at once.
 * </ul>
 */
public final class RepairPlan {
    /** What a peer said about the envelope. */
    public record Holding(boolean acknowledged, Set<Integer> indices) {
        public Holding {
            indices = Set.copyOf(indices);
        }
    }

    /** The decision. */
    public sealed interface Action {}

    /** Nothing to do. */
    public record Keep() implements Action {}

    /** Drop the local shards: the envelope was acknowledged. */
    public record DropAcknowledged() implements Action {}

    /** Hand shard index to peer (each), then drop the local shards that were taken. */
    public record HandOver(Map<Integer, PeerId> targets) implements Action {}

    /** Rebuild these shard indices from k present ones and store each on its peer. */
    public record Repair(Map<Integer, PeerId> targets, Map<Integer, PeerId> sources) implements Action {}

    /** Shards are missing, but fewer than k remain anywhere: nothing can rebuild it. */
    public record Unrecoverable(int present, int needed) implements Action {}

    private RepairPlan() {}

    /**
     * @param self this node
     * @param closest the mailbox's closest peers, closest first, without its owner (may include self)
     * @param n shards per envelope (k + m)
     * @param k shards needed to rebuild
     * @param mine the shard indices this node holds
     * @param answers what other peers among {@code closest} said; a peer that did not answer is absent
     */
    public static Action decide(PeerId self, List<PeerId> closest, int n, int k, Set<Integer> mine, Map<PeerId, Holding> answers) {
        for (Holding holding : answers.values()) {
            if (holding.acknowledged()) return new DropAcknowledged();
        }
        List<PeerId> targets = closest.subList(0, Math.min(n, closest.size()));
        boolean selfIsHolder = targets.contains(self);

        // Who holds what among the peers that should hold the envelope (and self).
        Map<Integer, PeerId> present = new LinkedHashMap<>();
        Set<PeerId> holdingSomething = new HashSet<>();
        for (PeerId peer : targets) {
            Holding holding = peer.equals(self) ? new Holding(false, mine) : answers.get(peer);
            if (holding == null) continue;
            for (int index : holding.indices()) present.putIfAbsent(index, peer);
            if (!holding.indices().isEmpty()) holdingSomething.add(peer);
        }

        if (!selfIsHolder) {
            if (mine.isEmpty()) return new Keep();
            Map<Integer, PeerId> handOver = new LinkedHashMap<>();
            List<PeerId> free = freePeers(targets, holdingSomething, self);
            for (int index : new TreeSet<>(mine)) {
                if (present.containsKey(index)) continue; // someone that should hold it does: nothing to hand over
                if (free.isEmpty()) break;
                handOver.put(index, free.removeFirst());
            }
            return handOver.isEmpty() ? new Keep() : new HandOver(handOver);
        }

        Set<Integer> missing = new TreeSet<>();
        for (int i = 0; i < n; i++) if (!present.containsKey(i)) missing.add(i);
        if (missing.isEmpty()) return new Keep();
        if (present.size() < k) return new Unrecoverable(present.size(), k);
        Optional<PeerId> leader = targets.stream().filter(holdingSomething::contains).findFirst();
        if (leader.isEmpty() || !leader.get().equals(self)) return new Keep();

        Map<Integer, PeerId> repairTargets = new LinkedHashMap<>();
        List<PeerId> free = freePeers(targets, holdingSomething, self);
        for (int index : missing) {
            if (free.isEmpty()) break;
            repairTargets.put(index, free.removeFirst());
        }
        if (repairTargets.isEmpty()) return new Keep();
        Map<Integer, PeerId> sources = new LinkedHashMap<>();
        for (Map.Entry<Integer, PeerId> entry : present.entrySet()) {
            if (sources.size() == k) break;
            sources.put(entry.getKey(), entry.getValue());
        }
        return new Repair(repairTargets, sources);
    }

    /** Peers among the targets that hold nothing of the envelope, closest first, never self. */
    private static List<PeerId> freePeers(List<PeerId> targets, Set<PeerId> holdingSomething, PeerId self) {
        List<PeerId> free = new ArrayList<>();
        for (PeerId peer : targets) if (!peer.equals(self) && !holdingSomething.contains(peer)) free.add(peer);
        return free;
    }
}
