package dev.ferry.pubsub.mesh;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.cache.MessageCache;
import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.score.PeerScoreThresholds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The router state of GossipSub v1.1 as a pure state machine: for each topic we joined, the mesh;
 * for each topic we publish to without joining, the fanout; which topics each peer is subscribed
 * to and whether we dialled it; the (peer, topic) backoffs; the per-heartbeat IHAVE and IWANT
 * counters; and the IWANT promises. Each operation updates the state and returns what the router
 * must send (GRAFTs, PRUNEs, IWANTs, IHAVEs, messages); it does no I/O, reads no clock (every
 * time-dependent call takes {@code now}) and draws randomness only from the {@link Random} it is
 * given, so a seeded one replays a run exactly.
 *
 * <p>Mesh maintenance follows gossipsub-v1.0 "Heartbeat" with the v1.1 changes: peers with a
 * negative score are pruned; a mesh below D_lo is filled to D with peers not backed off and not
 * negative; a mesh above D_hi is trimmed to D keeping the D_score best-scoring peers, the rest at
 * random, and at least D_out outbound peers; a mesh of at least D_lo with fewer than D_out
 * outbound peers grafts outbound ones; every {@code opportunisticGraftTicks} heartbeats, a mesh
 * whose median score is below the opportunistic graft threshold grafts a few better peers.
 * Gossip goes to D_lazy peers or the gossip factor of the eligible ones, whichever is more.
 *
 * <p>Scores are read through the {@code ToDoubleFunction<PeerId>} given at construction (the
 * scoring component's current view; a NaN counts as the worst score), once per peer per
 * heartbeat. With no scoring, pass {@code p -> 0} and {@link PeerScoreThresholds#NO_SCORING}.
 *
 * <p>The state changes every operation makes are already done when it returns: a returned
 * {@link Graft} peer is in the mesh, a returned {@link Prune} peer is out of it and backed off.
 * The router's job is to send them, and to tell the scoring component about mesh changes.
 *
 * <p>Bounded by {@link GossipSubParams}: peers, topics per peer, known topics, our
 * subscriptions and fanout topics, backoff entries, promises, ids examined per IHAVE and IWANT.
 * Not thread-safe: the pubsub router's thread owns it. {@code now} must not go backwards.
 */
public final class GossipSubState {
    /**
     * Heartbeats of slack past a backoff's end before we graft the peer again (and before the
     * backoff is forgotten): the peer clears its own backoff of us only at its next heartbeat,
     * and grafting earlier risks a refusal and a penalty (gossipsub-v1.1 "PRUNE Backoff").
     */
    public static final int BACKOFF_SLACK_HEARTBEATS = 1;

    /** Per-peer state. Counters are reset every heartbeat. */
    private static final class PeerState {
        final boolean outbound;
        final Set<String> topics = new LinkedHashSet<>();
        /** IHAVE RPCs received this heartbeat. */
        int ihaves;
        /** Message ids asked for with IWANT this heartbeat. */
        int idsAsked;
        /** IWANT RPCs received this heartbeat. */
        int iwants;

        PeerState(boolean outbound) {
            this.outbound = outbound;
        }
    }

    private final PeerId local;
    private final GossipSubParams params;
    private final ToDoubleFunction<PeerId> scores;
    private final PeerScoreThresholds thresholds;
    private final Random random;

    private final Map<PeerId, PeerState> peers = new LinkedHashMap<>();
    /** Peers known subscribed, per topic; a topic leaves the map with its last peer. */
    private final Map<String, Set<PeerId>> topicPeers = new LinkedHashMap<>();
    /** Our mesh per joined topic; a key is present exactly for each topic we joined. */
    private final Map<String, Set<PeerId>> mesh = new LinkedHashMap<>();
    private final Map<String, Set<PeerId>> fanout = new LinkedHashMap<>();
    private final Map<String, Instant> fanoutLastPublished = new HashMap<>();
    /** Topic to peer to the end of its backoff. Kept when a peer disconnects, so reconnecting does not clear it. */
    private final Map<String, Map<PeerId, Instant>> backoff = new HashMap<>();
    private int backoffEntries;
    /** Message id to the peers that promised it, with the deadline of each promise. */
    private final Map<MessageId, Map<PeerId, Instant>> promises = new LinkedHashMap<>();
    private int promiseCount;
    private long heartbeatTicks;
    /** Scores read this heartbeat; null outside one. */
    private Map<PeerId, Double> heartbeatScores;

    /**
     * @param local our own PeerId, never grafted, exchanged or connected to
     * @param params the parameters and bounds
     * @param scores each peer's current score
     * @param thresholds the score thresholds
     * @param random the only source of randomness (peer selection, promise sampling)
     */
    public GossipSubState(
            PeerId local, GossipSubParams params, ToDoubleFunction<PeerId> scores, PeerScoreThresholds thresholds,
            Random random) {
        this.local = Objects.requireNonNull(local, "local");
        this.params = Objects.requireNonNull(params, "params");
        this.scores = Objects.requireNonNull(scores, "scores");
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        this.random = Objects.requireNonNull(random, "random");
    }

    // ---------------------------------------------------------------- peers and their subscriptions

    /**
     * Starts tracking {@code peer}, connected with a GossipSub stream; {@code outbound} if we
     * dialled it (the D_out quota counts those). Adding a tracked peer again changes nothing.
     *
     * @return false if the peer is not tracked: it is ourselves, or {@code maxPeers} are tracked
     */
    public boolean addPeer(PeerId peer, boolean outbound) {
        if (peer.equals(local)) return false;
        if (peers.containsKey(peer)) return true;
        if (peers.size() >= params.maxPeers()) return false;
        peers.put(peer, new PeerState(outbound));
        return true;
    }

    /**
     * Forgets a disconnected peer: its subscriptions, mesh and fanout places. Its backoffs and
     * promises stay until they run out, so that a reconnect neither clears a backoff nor escapes
     * a broken promise.
     *
     * @return the topics whose mesh it was in, for the scoring component
     */
    public Set<String> removePeer(PeerId peer) {
        PeerState state = peers.remove(peer);
        if (state == null) return Set.of();
        for (String topic : state.topics) removeTopicPeer(topic, peer);
        Set<String> meshTopics = new LinkedHashSet<>();
        mesh.forEach((topic, members) -> {
            if (members.remove(peer)) meshTopics.add(topic);
        });
        fanout.values().forEach(members -> members.remove(peer));
        return meshTopics;
    }

    /**
     * {@code peer} announced a subscription to {@code topic}.
     *
     * @return false if ignored: the peer is not tracked, or it is at {@code maxTopicsPerPeer}, or
     *     the topic is new and {@code maxKnownTopics} are known. The router may count it as abuse
     */
    public boolean peerSubscribed(PeerId peer, String topic) {
        PeerState state = peers.get(peer);
        if (state == null) return false;
        if (state.topics.contains(topic)) return true;
        if (state.topics.size() >= params.maxTopicsPerPeer()) return false;
        if (!topicPeers.containsKey(topic) && topicPeers.size() >= params.maxKnownTopics()) return false;
        state.topics.add(topic);
        topicPeers.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(peer);
        return true;
    }

    /**
     * {@code peer} announced it left {@code topic}: it is no longer a topic peer, nor in our mesh
     * or fanout for it. No PRUNE is due, as the peer has left.
     *
     * @return whether it was in our mesh for the topic, for the scoring component
     */
    public boolean peerUnsubscribed(PeerId peer, String topic) {
        PeerState state = peers.get(peer);
        if (state == null) return false;
        // Also when we never saw it subscribe: a GRAFT may have put it in the mesh regardless.
        if (state.topics.remove(topic)) removeTopicPeer(topic, peer);
        Set<PeerId> fan = fanout.get(topic);
        if (fan != null) fan.remove(peer);
        Set<PeerId> members = mesh.get(topic);
        return members != null && members.remove(peer);
    }

    private void removeTopicPeer(String topic, PeerId peer) {
        Set<PeerId> members = topicPeers.get(topic);
        if (members != null && members.remove(peer) && members.isEmpty()) topicPeers.remove(topic);
    }

    // ---------------------------------------------------------------- our subscriptions

    /** Whether we may join one more topic ({@code maxSubscriptions}). */
    public boolean canJoin() {
        return mesh.size() < params.maxSubscriptions();
    }

    /**
     * Joins {@code topic} (gossipsub-v1.0 "JOIN"): the fanout peers, if we had been publishing to
     * it, move into the new mesh, and it is filled to D from the topic's peers, skipping peers
     * backed off or with a negative score. Joining a joined topic does nothing.
     *
     * @return a GRAFT for every mesh peer
     * @throws IllegalStateException if {@code maxSubscriptions} topics are joined; see {@link #canJoin()}
     */
    public List<Graft> join(String topic, Instant now) {
        Objects.requireNonNull(topic, "topic");
        if (mesh.containsKey(topic)) return List.of();
        if (!canJoin()) throw new IllegalStateException("already joined " + mesh.size() + " topics, the most allowed");
        Set<PeerId> members = new LinkedHashSet<>();
        Set<PeerId> fan = fanout.remove(topic);
        fanoutLastPublished.remove(topic);
        if (fan != null) {
            for (PeerId peer : fan) {
                if (score(peer) >= 0 && !backedOff(peer, topic, now)) members.add(peer);
            }
        }
        if (members.size() < params.d()) {
            List<PeerId> candidates = shuffled(topicPeers(topic, p -> !members.contains(p) && graftable(p, topic, now)));
            for (PeerId peer : candidates) {
                if (members.size() >= params.d()) break;
                members.add(peer);
            }
        }
        mesh.put(topic, members);
        List<Graft> grafts = new ArrayList<>(members.size());
        for (PeerId peer : members) grafts.add(new Graft(peer, topic));
        return grafts;
    }

    /**
     * Leaves {@code topic} (gossipsub-v1.0 "LEAVE"): the mesh is dropped and every mesh peer is
     * backed off for the short unsubscribe backoff, which the PRUNEs announce. Leaving a topic we
     * have not joined does nothing.
     */
    public List<Prune> leave(String topic, Instant now) {
        Set<PeerId> members = mesh.remove(topic);
        if (members == null) return List.of();
        List<Prune> prunes = new ArrayList<>(members.size());
        for (PeerId peer : members) {
            addBackoff(peer, topic, params.unsubscribeBackoff(), now);
            prunes.add(new Prune(peer, topic, params.unsubscribeBackoff(), peerExchangeFor(peer, topic),
                    PruneReason.UNSUBSCRIBED));
        }
        return prunes;
    }

    // ---------------------------------------------------------------- GRAFT and PRUNE received

    /**
     * Handles a GRAFT for {@code topic} from {@code peer} (gossipsub-v1.1 "PRUNE Backoff", "Outbound
     * Mesh Quotas", "Spam Protection"). In this order: a topic we have not joined is ignored; a
     * peer still backed off is refused, penalized and its backoff extended; a peer with a negative
     * score is refused and backed off; an inbound peer while the mesh is at D_hi or more is refused
     * and backed off; anyone else joins the mesh.
     */
    public GraftResult handleGraft(PeerId peer, String topic, Instant now) {
        PeerState state = peers.get(peer);
        if (state == null) return new GraftResult.Ignored(GraftResult.IgnoreReason.UNKNOWN_PEER);
        Set<PeerId> members = mesh.get(topic);
        if (members == null) return new GraftResult.Ignored(GraftResult.IgnoreReason.UNKNOWN_TOPIC);
        if (members.contains(peer)) return new GraftResult.AlreadyInMesh();
        Instant until = backoffUntil(peer, topic).orElse(null);
        if (until != null && now.isBefore(until)) {
            // A GRAFT soon after our PRUNE (the backoff's start plus the flood threshold) is a
            // flood rather than a clock skew, and costs twice.
            Instant floodCutoff = until.plus(params.graftFloodThreshold()).minus(params.pruneBackoff());
            int penalty = now.isBefore(floodCutoff) ? 2 : 1;
            addBackoff(peer, topic, params.pruneBackoff(), now);
            return new GraftResult.Refused(
                    new Prune(peer, topic, params.pruneBackoff(), List.of(), PruneReason.GRAFT_DURING_BACKOFF), penalty);
        }
        if (score(peer) < 0) {
            addBackoff(peer, topic, params.pruneBackoff(), now);
            return new GraftResult.Refused(
                    new Prune(peer, topic, params.pruneBackoff(), List.of(), PruneReason.GRAFT_NEGATIVE_SCORE), 0);
        }
        if (members.size() >= params.dHi() && !state.outbound) {
            addBackoff(peer, topic, params.pruneBackoff(), now);
            return new GraftResult.Refused(new Prune(peer, topic, params.pruneBackoff(), peerExchangeFor(peer, topic),
                    PruneReason.GRAFT_MESH_FULL), 0);
        }
        members.add(peer);
        return new GraftResult.Accepted();
    }

    /**
     * Handles a PRUNE for {@code topic} from {@code peer}: it leaves our mesh, and we back off
     * from it for the backoff it asked for (capped at {@link GossipSubParams#MAX_BACKOFF}), or our
     * prune backoff if it gave none. PX is taken only from a peer whose score is at least the
     * accept-PX threshold. A PRUNE for a topic we have not joined is ignored.
     *
     * @param backoff the backoff the PRUNE carried; null or zero if none (a v1.0 peer)
     * @param peerExchange the PX PeerIds the PRUNE carried
     */
    public PruneOutcome handlePrune(
            PeerId peer, String topic, Duration backoff, List<PeerId> peerExchange, Instant now) {
        Set<PeerId> members = mesh.get(topic);
        if (members == null || !peers.containsKey(peer)) return new PruneOutcome(false, List.of());
        boolean removed = members.remove(peer);
        Duration wait = backoff == null || backoff.isZero() || backoff.isNegative() ? params.pruneBackoff() : backoff;
        if (wait.compareTo(GossipSubParams.MAX_BACKOFF) > 0) wait = GossipSubParams.MAX_BACKOFF;
        addBackoff(peer, topic, wait, now);
        if (peerExchange.isEmpty() || score(peer) < thresholds.acceptPXThreshold()) return new PruneOutcome(removed, List.of());
        Set<PeerId> fresh = new LinkedHashSet<>();
        for (PeerId candidate : peerExchange) {
            if (!candidate.equals(local) && !peers.containsKey(candidate)) fresh.add(candidate);
        }
        List<PeerId> toConnect = shuffled(fresh);
        if (toConnect.size() > params.prunePeers()) toConnect = toConnect.subList(0, params.prunePeers());
        return new PruneOutcome(removed, toConnect);
    }

    // ---------------------------------------------------------------- messages

    /**
     * The peers to send a message we publish on {@code topic} to (gossipsub-v1.1 "Flood
     * Publishing"). With {@code floodPublish}, every topic peer whose score is at least the publish
     * threshold. Otherwise, if we joined the topic, the mesh, topped up to D with topic peers over
     * the publish threshold if it is smaller; if not, the fanout, made of D such peers when there
     * is none, and the topic's last-published time is set to {@code now}.
     */
    public Set<PeerId> publishTargets(String topic, boolean floodPublish, Instant now) {
        if (floodPublish) return new LinkedHashSet<>(topicPeers(topic, p -> score(p) >= thresholds.publishThreshold()));
        Set<PeerId> members = mesh.get(topic);
        if (members != null) {
            Set<PeerId> targets = new LinkedHashSet<>(members);
            if (targets.size() < params.d()) {
                List<PeerId> extra = shuffled(topicPeers(topic,
                        p -> !members.contains(p) && score(p) >= thresholds.publishThreshold()));
                for (PeerId peer : extra) {
                    if (targets.size() >= params.d()) break;
                    targets.add(peer);
                }
            }
            return targets;
        }
        Set<PeerId> fan = fanout.get(topic);
        if (fan == null || fan.isEmpty()) {
            if (fan == null && fanout.size() >= params.maxSubscriptions()) evictStalestFanout();
            fan = new LinkedHashSet<>();
            for (PeerId peer : shuffled(topicPeers(topic, p -> score(p) >= thresholds.publishThreshold()))) {
                if (fan.size() >= params.d()) break;
                fan.add(peer);
            }
            fanout.put(topic, fan);
        }
        fanoutLastPublished.put(topic, now);
        return new LinkedHashSet<>(fan);
    }

    /**
     * The peers to forward a valid message on {@code topic} to: our mesh for the topic, without
     * {@code source} (who sent it to us) and {@code originator} (who published it; null if the
     * message carries no author). Empty if we have not joined the topic.
     */
    public Set<PeerId> forwardTargets(String topic, PeerId source, PeerId originator) {
        Set<PeerId> members = mesh.get(topic);
        if (members == null) return new LinkedHashSet<>();
        Set<PeerId> targets = new LinkedHashSet<>(members);
        targets.remove(source);
        if (originator != null) targets.remove(originator);
        return targets;
    }

    /**
     * Handles the IHAVE entries of one RPC from {@code peer} (gossipsub-v1.1 "Spam Protection
     * Measures"): ignored if the peer's score is below the gossip threshold, if it sent more than
     * {@code maxIHaveMessages} IHAVE RPCs this heartbeat, or if we already asked it for
     * {@code maxIHaveLength} ids this heartbeat. Otherwise at most {@code maxIHaveLength} ids are
     * examined, of topics we joined, and those not {@code alreadySeen} are asked for, in random
     * order, up to what is left of the peer's {@code maxIHaveLength} this heartbeat. One of them,
     * at random, is tracked as the peer's promise to deliver within the IWANT followup time.
     *
     * @param alreadySeen whether a message id is in the seen cache
     * @return the ids to send an IWANT for; empty for none
     */
    public List<MessageId> handleIHave(PeerId peer, List<IHave> ihaves, Predicate<MessageId> alreadySeen, Instant now) {
        PeerState state = peers.get(peer);
        if (state == null || ihaves.isEmpty()) return List.of();
        if (score(peer) < thresholds.gossipThreshold()) return List.of();
        if (++state.ihaves > params.maxIHaveMessages()) return List.of();
        if (state.idsAsked >= params.maxIHaveLength()) return List.of();
        Set<MessageId> wanted = new LinkedHashSet<>();
        int examined = 0;
        outer:
        for (IHave ihave : ihaves) {
            if (!mesh.containsKey(ihave.topic())) continue;
            for (MessageId id : ihave.messageIds()) {
                if (examined++ >= params.maxIHaveLength()) break outer;
                if (!alreadySeen.test(id)) wanted.add(id);
            }
        }
        if (wanted.isEmpty()) return List.of();
        List<MessageId> ask = shuffled(wanted);
        int allowed = params.maxIHaveLength() - state.idsAsked;
        if (ask.size() > allowed) ask = new ArrayList<>(ask.subList(0, allowed));
        state.idsAsked += ask.size();
        addPromise(peer, ask.get(random.nextInt(ask.size())), now);
        return ask;
    }

    /**
     * Handles the IWANT ids of one RPC from {@code peer}: ignored if the peer's score is below the
     * gossip threshold or it sent more than {@code maxIWantMessages} IWANT RPCs this heartbeat.
     * Otherwise at most {@code maxIHaveLength} ids are examined, and each message the cache holds
     * is returned unless the peer has used up its retransmissions of it.
     *
     * @return the messages to send to the peer, in the order asked
     */
    public <M> List<M> handleIWant(PeerId peer, List<MessageId> ids, MessageCache<M> cache) {
        PeerState state = peers.get(peer);
        if (state == null || ids.isEmpty()) return List.of();
        if (score(peer) < thresholds.gossipThreshold()) return List.of();
        if (++state.iwants > params.maxIWantMessages()) return List.of();
        Set<MessageId> asked = new HashSet<>();
        List<M> out = new ArrayList<>();
        int examined = 0;
        for (MessageId id : ids) {
            if (examined++ >= params.maxIHaveLength()) break;
            if (asked.add(id)) cache.getForIWant(id, peer).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Whether {@code peer} sent more IHAVE RPCs ({@code maxIHaveMessages}) or IWANT RPCs
     * ({@code maxIWantMessages}) this heartbeat than we answer: honest peers stay within them, so
     * the router adds a behaviour penalty for each RPC past the limit.
     */
    public boolean overGossipLimits(PeerId peer) {
        PeerState state = peers.get(peer);
        return state != null && (state.ihaves > params.maxIHaveMessages() || state.iwants > params.maxIWantMessages());
    }

    /**
     * A message with {@code id} arrived, from anyone, valid or not: every promise to deliver it
     * is kept (an invalid one is the scoring component's to punish, not a broken promise).
     */
    public void messageArrived(MessageId id) {
        Map<PeerId, Instant> promised = promises.remove(id);
        if (promised != null) promiseCount -= promised.size();
    }

    private void addPromise(PeerId peer, MessageId id, Instant now) {
        Map<PeerId, Instant> promised = promises.get(id);
        if (promised != null && promised.containsKey(peer)) return; // the first deadline stands
        if (promiseCount >= params.maxPromises()) return;
        promises.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(peer, now.plus(params.iwantFollowupTime()));
        promiseCount++;
    }

    // ---------------------------------------------------------------- heartbeat

    /**
     * Runs one heartbeat at {@code now}: resets the per-heartbeat IHAVE/IWANT counters, collects
     * broken promises, forgets expired backoffs, maintains every mesh (see the class comment),
     * expires fanout topics not published to for {@code fanoutTtl} and tops the others up to D,
     * and picks the gossip to emit. The router shifts the message cache after it.
     *
     * @param gossipIds the message ids to gossip for a topic: {@link MessageCache#gossipIds}
     */
    public HeartbeatActions heartbeat(Instant now, Function<String, List<MessageId>> gossipIds) {
        heartbeatTicks++;
        heartbeatScores = new HashMap<>();
        try {
            for (PeerState state : peers.values()) {
                state.ihaves = 0;
                state.idsAsked = 0;
                state.iwants = 0;
            }
            Map<PeerId, Integer> broken = collectBrokenPromises(now);
            clearExpiredBackoffs(now);

            List<Graft> grafts = new ArrayList<>();
            List<Prune> prunes = new ArrayList<>();
            Map<PeerId, List<IHave>> gossip = new LinkedHashMap<>();
            for (Map.Entry<String, Set<PeerId>> entry : mesh.entrySet()) {
                maintainMesh(entry.getKey(), entry.getValue(), now, grafts, prunes);
            }
            maintainFanout(now);
            for (Map.Entry<String, Set<PeerId>> entry : mesh.entrySet()) {
                emitGossip(entry.getKey(), entry.getValue(), gossipIds, gossip);
            }
            for (Map.Entry<String, Set<PeerId>> entry : fanout.entrySet()) {
                emitGossip(entry.getKey(), entry.getValue(), gossipIds, gossip);
            }
            return new HeartbeatActions(grafts, prunes, gossip, broken);
        } finally {
            heartbeatScores = null;
        }
    }

    private void maintainMesh(String topic, Set<PeerId> members, Instant now, List<Graft> grafts, List<Prune> prunes) {
        for (Iterator<PeerId> it = members.iterator(); it.hasNext(); ) {
            PeerId peer = it.next();
            if (score(peer) < 0) {
                it.remove();
                addBackoff(peer, topic, params.pruneBackoff(), now);
                prunes.add(new Prune(peer, topic, params.pruneBackoff(), List.of(), PruneReason.NEGATIVE_SCORE));
            }
        }
        // Candidates in random order; pruned peers are backed off and so never among them.
        List<PeerId> candidates = shuffled(topicPeers(topic, p -> !members.contains(p) && graftable(p, topic, now)));

        if (members.size() < params.dLo()) {
            graftFrom(candidates, params.d() - members.size(), p -> true, topic, members, grafts);
        }

        if (members.size() > params.dHi()) {
            Set<PeerId> keep = selectSurvivors(members);
            for (Iterator<PeerId> it = members.iterator(); it.hasNext(); ) {
                PeerId peer = it.next();
                if (keep.contains(peer)) continue;
                it.remove();
                addBackoff(peer, topic, params.pruneBackoff(), now);
                prunes.add(new Prune(peer, topic, params.pruneBackoff(), peerExchangeFor(peer, topic),
                        PruneReason.OVERSUBSCRIBED));
            }
        }

        if (members.size() >= params.dLo()) {
            long outbound = members.stream().filter(this::isOutbound).count();
            if (outbound < params.dOut()) {
                graftFrom(candidates, (int) (params.dOut() - outbound), this::isOutbound, topic, members, grafts);
            }
        }

        if (heartbeatTicks % params.opportunisticGraftTicks() == 0 && members.size() > 1) {
            List<PeerId> byScore = new ArrayList<>(members);
            byScore.sort(Comparator.comparingDouble(this::score));
            double median = score(byScore.get(byScore.size() / 2));
            if (median < thresholds.opportunisticGraftThreshold()) {
                graftFrom(candidates, params.opportunisticGraftPeers(), p -> score(p) > median, topic, members, grafts);
            }
        }
    }

    /**
     * The D peers an oversubscribed mesh keeps: the D_score best by score, the rest at random; then,
     * if fewer than D_out of them are outbound, outbound peers left out replace the kept inbound
     * ones, the random picks first and then the lowest-scoring.
     */
    private Set<PeerId> selectSurvivors(Set<PeerId> members) {
        List<PeerId> ranked = shuffled(members); // shuffle first, so that equal scores tie at random
        ranked.sort(Comparator.<PeerId>comparingDouble(this::score).reversed());
        List<PeerId> rest = new ArrayList<>(ranked.subList(params.dScore(), ranked.size()));
        Collections.shuffle(rest, random);
        List<PeerId> order = new ArrayList<>(ranked.subList(0, params.dScore()));
        order.addAll(rest);
        List<PeerId> keep = new ArrayList<>(order.subList(0, params.d()));
        long outbound = keep.stream().filter(this::isOutbound).count();
        if (outbound < params.dOut()) {
            Iterator<PeerId> spare = order.subList(params.d(), order.size()).stream().filter(this::isOutbound).iterator();
            for (int i = keep.size() - 1; i >= 0 && outbound < params.dOut() && spare.hasNext(); i--) {
                if (!isOutbound(keep.get(i))) {
                    keep.set(i, spare.next());
                    outbound++;
                }
            }
        }
        return new HashSet<>(keep);
    }

    private void graftFrom(
            List<PeerId> candidates, int count, Predicate<PeerId> eligible, String topic, Set<PeerId> members,
            List<Graft> grafts) {
        int grafted = 0;
        for (Iterator<PeerId> it = candidates.iterator(); it.hasNext() && grafted < count; ) {
            PeerId peer = it.next();
            if (!eligible.test(peer)) continue;
            it.remove();
            members.add(peer);
            grafts.add(new Graft(peer, topic));
            grafted++;
        }
    }

    private void maintainFanout(Instant now) {
        for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Set<PeerId>> entry = it.next();
            String topic = entry.getKey();
            Instant last = fanoutLastPublished.get(topic);
            if (last == null || last.plus(params.fanoutTtl()).isBefore(now)) {
                it.remove();
                fanoutLastPublished.remove(topic);
                continue;
            }
            Set<PeerId> fan = entry.getValue();
            Set<PeerId> inTopic = topicPeers.getOrDefault(topic, Set.of());
            fan.removeIf(p -> !inTopic.contains(p) || score(p) < thresholds.publishThreshold());
            if (fan.size() < params.d()) {
                for (PeerId peer : shuffled(topicPeers(topic,
                        p -> !fan.contains(p) && score(p) >= thresholds.publishThreshold()))) {
                    if (fan.size() >= params.d()) break;
                    fan.add(peer);
                }
            }
        }
    }

    /**
     * IHAVE of the topic's gossip ids to the eligible peers outside {@code members} (score at least
     * the gossip threshold): D_lazy of them or the gossip factor, whichever is more. A peer gets at
     * most {@code maxIHaveLength} ids, a random sample of its own when there are more, so that
     * different peers hear of different messages.
     */
    private void emitGossip(
            String topic, Set<PeerId> members, Function<String, List<MessageId>> gossipIds,
            Map<PeerId, List<IHave>> gossip) {
        List<PeerId> eligible = topicPeers(topic,
                p -> !members.contains(p) && score(p) >= thresholds.gossipThreshold());
        if (eligible.isEmpty()) return;
        List<MessageId> ids = gossipIds.apply(topic);
        if (ids == null || ids.isEmpty()) return;
        int target = Math.max(params.dLazy(), (int) (params.gossipFactor() * eligible.size()));
        List<PeerId> chosen = shuffled(eligible);
        if (chosen.size() > target) chosen = chosen.subList(0, target);
        for (PeerId peer : chosen) {
            List<MessageId> sent = ids;
            if (ids.size() > params.maxIHaveLength()) {
                List<MessageId> sample = new ArrayList<>(ids);
                Collections.shuffle(sample, random);
                sent = sample.subList(0, params.maxIHaveLength());
            }
            gossip.computeIfAbsent(peer, p -> new ArrayList<>()).add(new IHave(topic, sent));
        }
    }

    private Map<PeerId, Integer> collectBrokenPromises(Instant now) {
        Map<PeerId, Integer> broken = new LinkedHashMap<>();
        for (Iterator<Map<PeerId, Instant>> it = promises.values().iterator(); it.hasNext(); ) {
            Map<PeerId, Instant> promised = it.next();
            for (Iterator<Map.Entry<PeerId, Instant>> p = promised.entrySet().iterator(); p.hasNext(); ) {
                Map.Entry<PeerId, Instant> promise = p.next();
                if (now.isAfter(promise.getValue())) {
                    broken.merge(promise.getKey(), 1, Integer::sum);
                    p.remove();
                    promiseCount--;
                }
            }
            if (promised.isEmpty()) it.remove();
        }
        return broken;
    }

    // ---------------------------------------------------------------- backoff

    /** When {@code peer}'s backoff in {@code topic} ends, if it has one still remembered. */
    public Optional<Instant> backoffUntil(PeerId peer, String topic) {
        Map<PeerId, Instant> byPeer = backoff.get(topic);
        return byPeer == null ? Optional.empty() : Optional.ofNullable(byPeer.get(peer));
    }

    /** Whether we must not graft {@code peer} in {@code topic} yet: its backoff plus the slack has not passed. */
    private boolean backedOff(PeerId peer, String topic, Instant now) {
        Instant until = backoffUntil(peer, topic).orElse(null);
        return until != null && now.isBefore(until.plus(slack()));
    }

    private Duration slack() {
        return params.heartbeatInterval().multipliedBy(BACKOFF_SLACK_HEARTBEATS);
    }

    /** Records a backoff of {@code peer} in {@code topic} until {@code now + duration}, unless one ends later already. */
    private void addBackoff(PeerId peer, String topic, Duration duration, Instant now) {
        Instant until = now.plus(duration);
        Map<PeerId, Instant> byPeer = backoff.get(topic);
        Instant existing = byPeer == null ? null : byPeer.get(peer);
        if (existing != null) {
            if (existing.isBefore(until)) byPeer.put(peer, until);
            return;
        }
        if (backoffEntries >= params.maxBackoffEntries()) return;
        backoff.computeIfAbsent(topic, t -> new HashMap<>()).put(peer, until);
        backoffEntries++;
    }

    private void clearExpiredBackoffs(Instant now) {
        Duration slack = slack();
        for (Iterator<Map<PeerId, Instant>> it = backoff.values().iterator(); it.hasNext(); ) {
            Map<PeerId, Instant> byPeer = it.next();
            int before = byPeer.size();
            byPeer.values().removeIf(until -> until.plus(slack).isBefore(now));
            backoffEntries -= before - byPeer.size();
            if (byPeer.isEmpty()) it.remove();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Not backed off (with slack) and not negative: may be grafted by us. */
    private boolean graftable(PeerId peer, String topic, Instant now) {
        return score(peer) >= 0 && !backedOff(peer, topic, now);
    }

    /** PX for a PRUNE to {@code pruned}: none if PX is off or the peer is negative; else up to prunePeers non-negative topic peers. */
    private List<PeerId> peerExchangeFor(PeerId pruned, String topic) {
        if (!params.peerExchange() || params.prunePeers() == 0 || score(pruned) < 0) return List.of();
        List<PeerId> candidates = shuffled(topicPeers(topic, p -> !p.equals(pruned) && score(p) >= 0));
        return candidates.size() > params.prunePeers() ? candidates.subList(0, params.prunePeers()) : candidates;
    }

    /** Makes room for one more fanout topic by dropping the one published to longest ago. */
    private void evictStalestFanout() {
        fanout.keySet().stream()
                .min(Comparator.comparing(fanoutLastPublished::get, Comparator.nullsFirst(Comparator.<Instant>naturalOrder())))
                .ifPresent(stalest -> {
                    fanout.remove(stalest);
                    fanoutLastPublished.remove(stalest);
                });
    }

    private List<PeerId> topicPeers(String topic, Predicate<PeerId> filter) {
        List<PeerId> out = new ArrayList<>();
        for (PeerId peer : topicPeers.getOrDefault(topic, Set.of())) {
            if (filter.test(peer)) out.add(peer);
        }
        return out;
    }

    private <T> List<T> shuffled(Collection<T> items) {
        List<T> out = new ArrayList<>(items);
        Collections.shuffle(out, random);
        return out;
    }

    /** The peer's score; read once per heartbeat during one. NaN counts as the worst score. */
    private double score(PeerId peer) {
        if (heartbeatScores != null) {
            Double cached = heartbeatScores.get(peer);
            if (cached != null) return cached;
        }
        double value = scores.applyAsDouble(peer);
        if (Double.isNaN(value)) value = Double.NEGATIVE_INFINITY;
        if (heartbeatScores != null) heartbeatScores.put(peer, value);
        return value;
    }

    // ---------------------------------------------------------------- queries

    /** Our mesh for {@code topic}; empty if not joined. A snapshot. */
    public Set<PeerId> meshPeers(String topic) {
        Set<PeerId> members = mesh.get(topic);
        return members == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(members));
    }

    /** Our fanout for {@code topic}; empty if none. A snapshot. */
    public Set<PeerId> fanoutPeers(String topic) {
        Set<PeerId> members = fanout.get(topic);
        return members == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(members));
    }

    /** The topics we have fanout state for. A snapshot. */
    public Set<String> fanoutTopics() {
        return Set.copyOf(fanout.keySet());
    }

    /** The peers known subscribed to {@code topic}. A snapshot. */
    public Set<PeerId> topicPeers(String topic) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(topicPeers.getOrDefault(topic, Set.of())));
    }

    /** The topics {@code peer} is known subscribed to. A snapshot. */
    public Set<String> peerTopics(PeerId peer) {
        PeerState state = peers.get(peer);
        return state == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(state.topics));
    }

    /** The topics we joined. A snapshot. */
    public Set<String> subscriptions() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(mesh.keySet()));
    }

    /** Whether we joined {@code topic}. */
    public boolean isSubscribed(String topic) {
        return mesh.containsKey(topic);
    }

    /** The peers tracked. A snapshot. */
    public Set<PeerId> peers() {
        return Set.copyOf(peers.keySet());
    }

    /** Whether {@code peer} is tracked. */
    public boolean hasPeer(PeerId peer) {
        return peers.containsKey(peer);
    }

    /** Whether we dialled {@code peer}; false if not tracked. */
    public boolean isOutbound(PeerId peer) {
        PeerState state = peers.get(peer);
        return state != null && state.outbound;
    }

    /** Peers tracked. */
    public int peerCount() {
        return peers.size();
    }

    /** IWANT promises awaiting delivery. */
    public int pendingPromises() {
        return promiseCount;
    }

    /** (peer, topic) backoffs remembered. */
    public int backoffCount() {
        return backoffEntries;
    }

    /** Heartbeats run. */
    public long heartbeatTicks() {
        return heartbeatTicks;
    }

    /** The parameters. */
    public GossipSubParams params() {
        return params;
    }
}
