package dev.ferry.messenger.repair;

import dev.ferry.crypto.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
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
 *   <li>This node is no longer among the n closest: hand each shard that none of them holds to a
 *       peer that is and holds nothing of the envelope; a shard one of them already holds is
 *       surplus here and may go.
 *   <li>Shards are missing among the n closest, k or more are present, and this node is the
 *       <i>leader</i> (the closest of the holders): rebuild each missing shard and place it on a
 *       peer among the n closest that holds nothing of the envelope. One leader per envelope keeps
 *       holders from all repairing the same shard at once. When fewer than n peers exist at all
 *       (a tiny network, where senders also wrap around), a missing shard goes to the peer holding
 *       the fewest, this node included.
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

    /** Nothing to do now (another holder leads the repair, or no peer is free to take a shard). */
    public record Keep() implements Action {}

    /** Every shard is held among the n closest and this node is one of them: nothing to do for a while. */
    public record Complete() implements Action {}

    /** Drop the local shards: the envelope was acknowledged. */
    public record DropAcknowledged() implements Action {}

    /** This node is not among the n closest and every shard it holds is held by one that is: drop them. */
    public record DropSurplus() implements Action {}

    /**
     * Hand shard index to peer (each). If {@code thenDropAll}, every other local shard is already
     * held among the n closest, so once every target took its shard the node drops all of its
     * shards of the envelope; otherwise it keeps them for a later round.
     */
    public record HandOver(Map<Integer, PeerId> targets, boolean thenDropAll) implements Action {}

    /**
     * Rebuild these shard indices and store each on its peer (which may be this node in a tiny
     * network). {@code sources} lists every present index with a peer that holds it, this node's
     * own first: k of them rebuild the rest.
     */
    public record Repair(Map<Integer, PeerId> targets, Map<Integer, PeerId> sources) implements Action {}

    /** Shards are missing, but fewer than k remain among the n closest: nothing can rebuild it. */
    public record Unrecoverable(int present, int needed) implements Action {}

    private RepairPlan() {}

    /**
     * @param self this node
     * @param closest the mailbox's closest live peers, closest first, without its owner (may include self)
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

        // Who holds what among the peers that should hold the envelope (and self), and how many each.
        Map<Integer, PeerId> present = new LinkedHashMap<>();
        Map<PeerId, Integer> load = new HashMap<>();
        Map<PeerId, Set<Integer>> held = new HashMap<>();
        for (PeerId peer : targets) {
            Holding holding = peer.equals(self) ? new Holding(false, mine) : answers.get(peer);
            if (holding == null) continue;
            for (int index : new TreeSet<>(holding.indices())) present.putIfAbsent(index, peer);
            load.put(peer, holding.indices().size());
            held.put(peer, holding.indices());
        }

        if (!selfIsHolder) {
            if (mine.isEmpty()) return new Keep();
            Map<Integer, PeerId> handOver = new LinkedHashMap<>();
            List<PeerId> free = freePeers(targets, load, self);
            boolean allPlaced = true;
            for (int index : new TreeSet<>(mine)) {
                if (present.containsKey(index)) continue; // someone that should hold it does: ours is surplus
                if (free.isEmpty()) {
                    allPlaced = false;
                    continue;
                }
                handOver.put(index, free.removeFirst());
            }
            if (handOver.isEmpty()) return allPlaced ? new DropSurplus() : new Keep();
            return new HandOver(handOver, allPlaced);
        }

        Set<Integer> missing = new TreeSet<>();
        for (int i = 0; i < n; i++) if (!present.containsKey(i)) missing.add(i);
        if (missing.isEmpty()) return new Complete();
        if (present.size() < k) return new Unrecoverable(present.size(), k);
        Optional<PeerId> leader = targets.stream().filter(peer -> load.getOrDefault(peer, 0) > 0).findFirst();
        if (leader.isEmpty() || !leader.get().equals(self)) return new Keep();

        Map<Integer, PeerId> repairTargets = new LinkedHashMap<>();
        List<PeerId> free = freePeers(targets, load, self);
        // No peer free but one holding only copies of what closer peers hold (a shard placed twice
        // when a holder was slow to answer): it takes the missing shard, or it would stay missing.
        if (free.size() < missing.size()) free.addAll(redundantPeers(targets, present, held, self));
        boolean tiny = targets.size() < n;
        for (int index : missing) {
            PeerId target;
            if (!free.isEmpty()) target = free.removeFirst();
            else if (tiny) target = leastLoaded(targets, load); // self answers for itself, so never null here
            else break;
            repairTargets.put(index, target);
            load.merge(target, 1, Integer::sum);
        }
        if (repairTargets.isEmpty()) return new Keep();
        Map<Integer, PeerId> sources = new LinkedHashMap<>();
        for (int index : new TreeSet<>(mine)) sources.put(index, self);
        for (Map.Entry<Integer, PeerId> entry : present.entrySet()) sources.putIfAbsent(entry.getKey(), entry.getValue());
        return new Repair(repairTargets, sources);
    }

    /**
     * Peers among the targets that answered and hold nothing of the envelope, closest first, never
     * self. A peer that did not answer is never a target: it may be gone.
     */
    private static List<PeerId> freePeers(List<PeerId> targets, Map<PeerId, Integer> load, PeerId self) {
        List<PeerId> free = new ArrayList<>();
        for (PeerId peer : targets) if (!peer.equals(self) && load.get(peer) instanceof Integer held && held == 0) free.add(peer);
        return free;
    }

    /**
     * Answering targets other than self that hold shards, each of which a closer target holds
     * too: their own copies add nothing, so they are as good as free. Closest first.
     */
    private static List<PeerId> redundantPeers(List<PeerId> targets, Map<Integer, PeerId> present, Map<PeerId, Set<Integer>> held,
            PeerId self) {
        List<PeerId> redundant = new ArrayList<>();
        for (PeerId peer : targets) {
            Set<Integer> indices = held.get(peer);
            if (peer.equals(self) || indices == null || indices.isEmpty()) continue;
            if (indices.stream().noneMatch(index -> peer.equals(present.get(index)))) redundant.add(peer);
        }
        return redundant;
    }

    /** The answering target (self included) holding the fewest shards, the closest of those on a tie. */
    private static PeerId leastLoaded(List<PeerId> targets, Map<PeerId, Integer> load) {
        PeerId best = null;
        for (PeerId peer : targets) {
            Integer held = load.get(peer);
            if (held != null && (best == null || held < load.get(best))) best = peer;
        }
        return best;
    }
}
