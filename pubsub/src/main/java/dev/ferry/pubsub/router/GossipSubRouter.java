package dev.ferry.pubsub.router;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.ConnectionListener;
import dev.ferry.overlay.Direction;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.multiaddr.MultiaddrFormatException;
import dev.ferry.overlay.multiaddr.MultiaddrProtocol;
import dev.ferry.pubsub.cache.MessageCache;
import dev.ferry.pubsub.cache.SeenCache;
import dev.ferry.pubsub.mesh.GossipSubParams;
import dev.ferry.pubsub.mesh.GossipSubState;
import dev.ferry.pubsub.mesh.Graft;
import dev.ferry.pubsub.mesh.GraftResult;
import dev.ferry.pubsub.mesh.HeartbeatActions;
import dev.ferry.pubsub.mesh.PruneOutcome;
import dev.ferry.pubsub.message.MessageAuthor;
import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.message.PubSubMessage;
import dev.ferry.pubsub.message.Rpc;
import dev.ferry.pubsub.message.RpcCodec;
import dev.ferry.pubsub.message.RpcDecodeResult;
import dev.ferry.pubsub.message.SignatureCheck;
import dev.ferry.pubsub.message.SignatureFailure;
import dev.ferry.pubsub.message.SignaturePolicy;
import dev.ferry.pubsub.router.GossipSubMetrics.Control;
import dev.ferry.pubsub.router.GossipSubMetrics.MeshBand;
import dev.ferry.pubsub.router.GossipSubMetrics.ScoreBand;
import dev.ferry.pubsub.score.PeerScore;
import dev.ferry.pubsub.score.PeerScoreThresholds;
import dev.ferry.pubsub.score.RejectReason;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A GossipSub v1.1 router on a {@link Host} (libp2p specs {@code pubsub/README.md},
 * {@code gossipsub-v1.0.md}, {@code gossipsub-v1.1.md}).
 *
 * <p>It ties the pure parts together: {@link RpcLinks} for the streams, {@link RpcCodec} for the
 * wire, {@link GossipSubState} for meshes, fanout, backoff and gossip, {@link PeerScore} for
 * scoring, {@link MessageCache} and {@link SeenCache}. All of that state is owned by one thread,
 * the router thread: network events, API calls and the heartbeat are tasks on it, and what one
 * task has to send goes out at its end, one RPC per peer.
 *
 * <p>A message received goes through, in order: the topic check (topics we have not joined are
 * dropped), the seen cache (a duplicate is counted for scoring and dropped), the signature policy
 * (a failure is rejected and costs the sender, and does not mark the id seen, so that a forged
 * copy cannot censor the real message), the application's {@link MessageValidator}s, then
 * delivery to the subscribers, exactly once, and forwarding to the mesh. RPCs from a peer whose
 * score is below the graylist threshold are dropped unread.
 *
 * <p>Every future completes on the router thread; subscriber callbacks and validators run on it
 * too and must not block.
 */
public final class GossipSubRouter implements AutoCloseable {
    private final Host host;
    private final GossipSubConfig config;
    private final GossipSubParams params;
    private final PeerScoreThresholds thresholds;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final GossipSubMetrics metrics;
    private final RpcCodec codec;
    private final RpcLinks links;
    private final MessageAuthor author;
    private final PeerId self;

    // Owned by the router thread.
    private final GossipSubState state;
    private final PeerScore score;
    private final MessageCache<PubSubMessage> cache;
    private final SeenCache seen;
    private final Outbox outbox = new Outbox();
    /** Peers our stream to is up, with the protocol it speaks. */
    private final Map<PeerId, String> linked = new HashMap<>();
    private final Map<String, List<Consumer<ReceivedMessage>>> subscribers = new HashMap<>();
    private final Map<String, List<MessageValidator>> validators = new HashMap<>();
    private ScheduledFuture<?> heartbeat;
    private volatile boolean closed;

    /** Longest {@link #close()} waits for queued RPCs to be written. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    /**
     * A router on {@code host}; call {@link #start()}. {@code executor} must be single-threaded;
     * the router owns it and shuts it down on {@link #close()}.
     *
     * @param keys the host's identity, which StrictSign signs with; may be null under StrictNoSign
     */
    public GossipSubRouter(Host host, IdentityKeyPair keys, GossipSubConfig config, Clock clock,
            ScheduledExecutorService executor, Metrics metrics) {
        this.host = Objects.requireNonNull(host, "host");
        this.config = Objects.requireNonNull(config, "config");
        this.params = config.params();
        this.thresholds = config.thresholds();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.metrics = new GossipSubMetrics(Objects.requireNonNull(metrics, "metrics"));
        this.self = host.peerId();
        if (config.signaturePolicy() == SignaturePolicy.STRICT_SIGN) {
            Objects.requireNonNull(keys, "keys are needed to sign under StrictSign");
            if (!keys.peerId().equals(self)) throw new IllegalArgumentException("keys are not the host's identity");
            this.author = MessageAuthor.strictSign(keys, MessageAuthor.seqnoSeed(clock.instant()));
        } else {
            this.author = MessageAuthor.strictNoSign();
        }
        Instant now = clock.instant();
        this.codec = new RpcCodec(config.rpcLimits());
        this.score = new PeerScore(config.scoreParams(), now);
        this.state = new GossipSubState(self, params, peer -> score.score(peer, clock.instant()), thresholds, new SecureRandom());
        this.cache = new MessageCache<>(params.historyLength(), params.historyGossip(), params.messageCacheMaxMessages(),
                params.messageCacheMaxBytes(), params.gossipRetransmission());
        this.seen = new SeenCache(params.seenTtl(), params.seenMaxEntries());
        this.links = new RpcLinks(host, config.protocols(), config.linkLimits(), new LinkEvents());
    }

    /** A router with its own router thread and the system clock, its metrics registered in {@code metrics}. */
    public static GossipSubRouter create(Host host, IdentityKeyPair keys, GossipSubConfig config, Metrics metrics) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName(host.peerId()));
            t.setDaemon(true);
            return t;
        });
        return new GossipSubRouter(host, keys, config, Clock.systemUTC(), executor, metrics);
    }

    private static String threadName(PeerId peer) {
        return "pubsub-" + peer.toBase58().substring(0, 8);
    }

    private String threadName() {
        return threadName(self);
    }

    /** Serves the protocols, links to every pubsub peer, and starts the heartbeat. */
    public GossipSubRouter start() {
        host.addConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Connection connection) {
                PeerId peer = connection.remotePeer();
                run(() -> {
                    if (host.connections(peer).isEmpty()) peerGone(peer);
                });
            }
        });
        links.start();
        long every = params.heartbeatInterval().toMillis();
        heartbeat = executor.scheduleAtFixedRate(() -> step(this::heartbeat), every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    public PeerId peerId() {
        return self;
    }

    public GossipSubConfig config() {
        return config;
    }

    /** What this router counted; the same figures as its {@code ferry_pubsub_} Prometheus metrics. */
    public GossipSubMetrics metrics() {
        return metrics;
    }

    // ---------------------------------------------------------------- API

    /**
     * Joins {@code topic}, announces it to every peer, and hands each message accepted on it to
     * {@code subscriber} (on the router thread). Subscribing again adds another subscriber.
     * Fails with {@link PubSubException} if the topic is invalid or the most topics are joined.
     */
    public CompletableFuture<Void> subscribe(String topic, Consumer<ReceivedMessage> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        return onRouterThread(() -> {
            checkTopic(topic);
            if (!state.isSubscribed(topic)) {
                if (!state.canJoin()) throw new PubSubException("already subscribed to " + params.maxSubscriptions() + " topics, the most allowed");
                for (Graft graft : state.join(topic, clock.instant())) sendGraft(graft.peer(), graft.topic());
                announce(new Rpc.Subscription(true, topic));
            }
            subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(subscriber);
            return null;
        });
    }

    /** Leaves {@code topic}: PRUNEs its mesh, announces it, and drops its subscribers and validators. */
    public CompletableFuture<Void> unsubscribe(String topic) {
        return onRouterThread(() -> {
            subscribers.remove(topic);
            validators.remove(topic);
            if (!state.isSubscribed(topic)) return null;
            for (var prune : state.leave(topic, clock.instant())) sendPrune(prune);
            announce(new Rpc.Subscription(false, topic));
            return null;
        });
    }

    /** Adds a validator for {@code topic}'s messages; every validator must accept a message for it to be delivered. */
    public CompletableFuture<Void> addValidator(String topic, MessageValidator validator) {
        Objects.requireNonNull(validator, "validator");
        return onRouterThread(() -> {
            checkTopic(topic);
            validators.computeIfAbsent(topic, t -> new ArrayList<>()).add(validator);
            return null;
        });
    }

    /**
     * Publishes {@code data} on {@code topic}, signed under StrictSign: to every topic peer above
     * the publish threshold with flood publishing (the default), else to the mesh or fanout. Our
     * own subscribers are not called. Fails with {@link PubSubException} if the data is over the
     * message size limit, or under StrictNoSign the same data was published within the seen-cache
     * time (its id is its content).
     */
    public CompletableFuture<PublishResult> publish(String topic, byte[] data) {
        Objects.requireNonNull(data, "data");
        return onRouterThread(() -> {
            checkTopic(topic);
            int max = config.rpcLimits().maxMessageDataBytes();
            if (data.length > max) throw new PubSubException("message of " + data.length + " bytes is over the limit of " + max);
            Instant now = clock.instant();
            PubSubMessage message = author.publish(topic, data);
            MessageId id = config.messageIdFunction().idOf(message);
            if (!seen.add(id, now)) {
                throw new PubSubException("the same message was published in the last " + params.seenTtl().toSeconds()
                        + " s (under StrictNoSign a message's id is its content)");
            }
            cache.put(id, topic, message, cacheSize(message));
            Set<PeerId> targets = state.publishTargets(topic, params.floodPublish(), now);
            for (PeerId peer : targets) outbox.message(peer, message);
            metrics.messagePublished();
            return new PublishResult(id, targets.size());
        });
    }

    /** Our mesh for {@code topic}; empty if not joined. */
    public CompletableFuture<Set<PeerId>> meshPeers(String topic) {
        return onRouterThread(() -> state.meshPeers(topic));
    }

    /** The peers known subscribed to {@code topic}. */
    public CompletableFuture<Set<PeerId>> topicPeers(String topic) {
        return onRouterThread(() -> state.topicPeers(topic));
    }

    /** The peers with a pubsub stream. */
    public CompletableFuture<Set<PeerId>> peers() {
        return onRouterThread(() -> Set.copyOf(linked.keySet()));
    }

    /** The topics we joined. */
    public CompletableFuture<Set<String>> subscriptions() {
        return onRouterThread(state::subscriptions);
    }

    /** {@code peer}'s current score. */
    public CompletableFuture<Double> score(PeerId peer) {
        return onRouterThread(() -> score.score(peer, clock.instant()));
    }

    /**
     * Stops the heartbeat and the router thread, and ends our streams after what is queued on
     * them, waiting up to {@link #CLOSE_GRACE} for that: a client that publishes and closes has its
     * message sent. Calls made before close complete; later ones fail.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (heartbeat != null) heartbeat.cancel(false);
        CompletableFuture<Void> drained = new CompletableFuture<>();
        try {
            // Runs after every step queued before it, so everything they sent is in the links.
            executor.execute(() -> drained.complete(null));
        } catch (RejectedExecutionException e) {
            drained.complete(null);
        }
        executor.shutdown();
        if (Thread.currentThread().getName().equals(threadName())) {
            links.close(); // called from a subscriber: the steps before us cannot run while we wait
            return;
        }
        try {
            drained.thenCompose(v -> links.close()).get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            links.close(); // a slow peer: stop waiting for it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            links.close();
        }
    }

    // ---------------------------------------------------------------- link events (event loop threads)

    private final class LinkEvents implements RpcLinks.Listener {
        @Override
        public void peerUp(PeerId peer, String protocol) {
            run(() -> linkUp(peer, protocol));
        }

        @Override
        public void peerDown(PeerId peer) {
            run(() -> peerGone(peer));
        }

        @Override
        public void rpc(PeerId peer, byte[] bytes) {
            // Decoding (and the allocation it bounds) happens here, off the router thread.
            RpcDecodeResult result = codec.decode(bytes);
            if (result instanceof RpcDecodeResult.Decoded decoded) {
                metrics.entriesDropped(decoded.dropped().excess(), decoded.dropped().invalid());
                run(() -> received(peer, decoded.rpc()));
            } else {
                metrics.rpcMalformed();
            }
        }

        @Override
        public void malformed(PeerId peer, String reason) {
            metrics.rpcMalformed();
        }
    }

    // ---------------------------------------------------------------- router thread

    private void linkUp(PeerId peer, String protocol) {
        linked.put(peer, protocol);
        if (!track(peer)) return;
        List<Rpc.Subscription> ours = new ArrayList<>();
        for (String topic : state.subscriptions()) ours.add(new Rpc.Subscription(true, topic));
        for (Rpc.Subscription s : ours) outbox.subscription(peer, s);
    }

    /** Starts tracking a peer that has a stream up in either direction; false if the mesh is full of peers. */
    private boolean track(PeerId peer) {
        if (state.hasPeer(peer)) return true;
        boolean outbound = host.connections(peer).stream().anyMatch(c -> c.direction() == Direction.OUTBOUND);
        if (!state.addPeer(peer, outbound)) return false;
        score.addPeer(peer);
        score.setIps(peer, addressesOf(peer));
        return true;
    }

    private void peerGone(PeerId peer) {
        linked.remove(peer);
        if (!state.hasPeer(peer)) return;
        Instant now = clock.instant();
        for (String topic : state.removePeer(peer)) score.prune(peer, topic, now);
        score.removePeer(peer, now);
    }

    private void received(PeerId peer, Rpc rpc) {
        metrics.rpcReceived();
        Instant now = clock.instant();
        if (!track(peer)) return;
        if (score.score(peer, now) < thresholds.graylistThreshold()) {
            metrics.rpcGraylisted();
            return;
        }
        for (Rpc.Subscription s : rpc.subscriptions()) {
            if (s.subscribe()) state.peerSubscribed(peer, s.topic());
            else if (state.peerUnsubscribed(peer, s.topic())) score.prune(peer, s.topic(), now);
        }
        for (PubSubMessage message : rpc.messages()) receivedMessage(peer, message, now);
        receivedControl(peer, rpc.control(), now);
    }

    private void receivedMessage(PeerId peer, PubSubMessage message, Instant now) {
        metrics.messageReceived();
        String topic = message.topic();
        if (!state.isSubscribed(topic)) {
            metrics.messageUnsubscribedTopic();
            return;
        }
        MessageId id = idOrNull(message);
        if (id != null && seen.contains(id, now)) {
            state.messageArrived(id);
            score.duplicateMessage(peer, id, topic, now);
            metrics.messageDuplicate();
            return;
        }
        SignatureCheck check = config.signaturePolicy().check(message);
        if (check instanceof SignatureCheck.Invalid invalid) {
            reject(peer, null, topic, rejectReason(invalid.reason()), now);
            return;
        }
        Optional<PeerId> author = ((SignatureCheck.Valid) check).author();
        if (id == null) {
            // Valid under the policy, yet the id function cannot name it: a misconfigured network, not the peer's fault.
            reject(peer, null, topic, RejectReason.VALIDATION_IGNORED, now);
            return;
        }
        seen.add(id, now);
        state.messageArrived(id);
        if (author.isPresent() && author.get().equals(self)) return; // ours, back from before a restart
        score.validateMessage(peer, id, now);
        ReceivedMessage received = new ReceivedMessage(id, message, author, peer);
        switch (validate(received)) {
            case REJECT -> reject(peer, id, topic, RejectReason.VALIDATION_FAILED, now);
            case IGNORE -> reject(peer, id, topic, RejectReason.VALIDATION_IGNORED, now);
            case ACCEPT -> accept(peer, received, now);
        }
    }

    private void accept(PeerId peer, ReceivedMessage received, Instant now) {
        String topic = received.topic();
        score.deliverMessage(peer, received.id(), topic, now);
        cache.put(received.id(), topic, received.message(), cacheSize(received.message()));
        Set<PeerId> targets = state.forwardTargets(topic, peer, received.author().orElse(null));
        for (PeerId target : targets) outbox.message(target, received.message());
        metrics.messagesForwarded(targets.size());
        metrics.messageDelivered();
        for (Consumer<ReceivedMessage> subscriber : subscribers.getOrDefault(topic, List.of())) {
            try {
                subscriber.accept(received);
            } catch (RuntimeException e) {
                // The subscriber's bug; the message is delivered and forwarded all the same.
            }
        }
    }

    private void reject(PeerId peer, MessageId id, String topic, RejectReason reason, Instant now) {
        score.rejectMessage(peer, id, topic, reason, now);
        metrics.messageRejected(reason);
    }

    private ValidationResult validate(ReceivedMessage message) {
        for (MessageValidator validator : validators.getOrDefault(message.topic(), List.of())) {
            ValidationResult result;
            try {
                result = Objects.requireNonNull(validator.validate(message), "validator result");
            } catch (RuntimeException e) {
                metrics.validatorError();
                return ValidationResult.IGNORE;
            }
            if (result != ValidationResult.ACCEPT) return result;
        }
        return ValidationResult.ACCEPT;
    }

    private void receivedControl(PeerId peer, Rpc.Control control, Instant now) {
        if (!control.ihave().isEmpty()) {
            metrics.controlReceived(Control.IHAVE, control.ihave().size());
            List<MessageId> wanted = state.handleIHave(peer, control.ihave(), id -> seen.contains(id, now), now);
            if (!wanted.isEmpty()) {
                outbox.iwant(peer, wanted);
                metrics.controlSent(Control.IWANT, 1);
            }
        }
        if (!control.iwant().isEmpty()) {
            metrics.controlReceived(Control.IWANT, control.iwant().size());
            List<MessageId> ids = new ArrayList<>();
            for (Rpc.IWant iwant : control.iwant()) ids.addAll(iwant.messageIds());
            for (PubSubMessage message : state.handleIWant(peer, ids, cache)) outbox.gossipMessage(peer, message);
        }
        if (state.overGossipLimits(peer)) penalise(peer, 1);
        metrics.controlReceived(Control.GRAFT, control.graft().size());
        for (Rpc.Graft graft : control.graft()) {
            GraftResult result = state.handleGraft(peer, graft.topic(), now);
            if (result instanceof GraftResult.Accepted) {
                score.graft(peer, graft.topic(), now);
            } else if (result instanceof GraftResult.Refused refused) {
                penalise(peer, refused.behaviourPenalty());
                sendPrune(refused.prune());
            }
        }
        metrics.controlReceived(Control.PRUNE, control.prune().size());
        for (Rpc.Prune prune : control.prune()) {
            Duration backoff = prune.backoffSeconds().isPresent()
                    ? Duration.ofSeconds(Math.max(0, Math.min(prune.backoffSeconds().getAsLong(), GossipSubParams.MAX_BACKOFF.toSeconds())))
                    : null;
            List<PeerId> exchanged = new ArrayList<>();
            for (Rpc.PeerExchange px : prune.peers()) exchanged.add(px.peerId());
            PruneOutcome outcome = state.handlePrune(peer, prune.topic(), backoff, exchanged, now);
            if (outcome.removedFromMesh()) score.prune(peer, prune.topic(), now);
            connectTo(outcome.peersToConnect());
        }
    }

    private void heartbeat() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        score.refreshScores(now);
        HeartbeatActions actions = state.heartbeat(now, cache::gossipIds);
        actions.brokenPromises().forEach((peer, count) -> {
            metrics.brokenPromises(count);
            penalise(peer, count);
        });
        for (Graft graft : actions.grafts()) sendGraft(graft.peer(), graft.topic());
        for (var prune : actions.prunes()) sendPrune(prune);
        actions.gossip().forEach((peer, ihaves) -> {
            outbox.ihave(peer, ihaves);
            metrics.controlSent(Control.IHAVE, ihaves.size());
        });
        cache.shift();
        seen.prune(now);
        links.keepOpen(peersWeNeed());
        recordSizes(now);
        metrics.heartbeat((System.nanoTime() - started) / 1e9);
    }

    /**
     * The peers whose connections pubsub keeps open: those of the topics we joined and of our
     * fanout. Connections to the others close when nothing else uses them.
     */
    private Set<PeerId> peersWeNeed() {
        Set<PeerId> needed = new HashSet<>();
        for (String topic : state.subscriptions()) {
            needed.addAll(state.topicPeers(topic));
            needed.addAll(state.meshPeers(topic));
        }
        for (String topic : state.fanoutTopics()) needed.addAll(state.fanoutPeers(topic));
        return needed;
    }

    private void recordSizes(Instant now) {
        Map<String, Integer> mesh = new LinkedHashMap<>();
        Map<MeshBand, Integer> meshBands = new EnumMap<>(MeshBand.class);
        for (MeshBand band : MeshBand.values()) meshBands.put(band, 0);
        for (String topic : state.subscriptions()) {
            int size = state.meshPeers(topic).size();
            mesh.put(topic, size);
            meshBands.merge(meshBand(size), 1, Integer::sum);
        }
        Map<ScoreBand, Integer> bands = new EnumMap<>(ScoreBand.class);
        for (ScoreBand band : ScoreBand.values()) bands.put(band, 0);
        for (PeerId peer : state.peers()) bands.merge(band(score.score(peer, now)), 1, Integer::sum);
        metrics.sizes(linked.size(), mesh, meshBands, bands);
    }

    private MeshBand meshBand(int size) {
        if (size == 0) return MeshBand.EMPTY;
        if (size < params.dLo()) return MeshBand.BELOW_D_LO;
        if (size > params.dHi()) return MeshBand.ABOVE_D_HI;
        return MeshBand.WITHIN_BOUNDS;
    }

    private ScoreBand band(double value) {
        if (value < thresholds.graylistThreshold()) return ScoreBand.GRAYLISTED;
        if (value < thresholds.publishThreshold()) return ScoreBand.BELOW_PUBLISH;
        if (value < thresholds.gossipThreshold()) return ScoreBand.BELOW_GOSSIP;
        if (value < 0) return ScoreBand.NEGATIVE;
        return ScoreBand.NON_NEGATIVE;
    }

    // ---------------------------------------------------------------- sending

    private void sendGraft(PeerId peer, String topic) {
        score.graft(peer, topic, clock.instant());
        outbox.graft(peer, topic);
        metrics.controlSent(Control.GRAFT, 1);
    }

    /** Sends a PRUNE the mesh decided on; a v1.0 peer gets it without backoff and PX, which it would not understand. */
    private void sendPrune(dev.ferry.pubsub.mesh.Prune prune) {
        score.prune(prune.peer(), prune.topic(), clock.instant());
        Rpc.Prune wire;
        if (GossipSubConfig.MESHSUB_V10.equals(linked.get(prune.peer()))) {
            wire = new Rpc.Prune(prune.topic(), List.of(), OptionalLong.empty());
        } else {
            List<Rpc.PeerExchange> px = new ArrayList<>();
            for (PeerId peer : prune.peerExchange()) px.add(Rpc.PeerExchange.of(peer));
            wire = new Rpc.Prune(prune.topic(), px, OptionalLong.of(prune.backoff().toSeconds()));
        }
        outbox.prune(prune.peer(), wire);
        metrics.controlSent(Control.PRUNE, 1);
    }

    private void announce(Rpc.Subscription subscription) {
        for (PeerId peer : linked.keySet()) outbox.subscription(peer, subscription);
    }

    private void penalise(PeerId peer, int count) {
        if (count <= 0) return;
        score.addPenalty(peer, count);
        metrics.behaviourPenalties(count);
    }

    /** Dials PX peers we know addresses for; the connection then links as any other. */
    private void connectTo(List<PeerId> peers) {
        for (PeerId peer : peers) {
            if (!host.connections(peer).isEmpty() || host.peerStore().addresses(peer).isEmpty()) continue;
            host.dial(peer).exceptionally(e -> null);
        }
    }

    /** Sends what the step gathered. */
    private void flush() {
        if (outbox.isEmpty()) return;
        for (Outbox.Frame frame : outbox.drain(codec)) {
            if (links.send(frame.peer(), frame.rpc(), frame.droppable())) metrics.rpcSent();
            else metrics.rpcNotQueued();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Runs {@code task} on the router thread, then sends what it gathered; dropped once closed. */
    private void run(Runnable task) {
        if (closed) return;
        try {
            executor.execute(() -> step(task));
        } catch (RejectedExecutionException e) {
            // Closing: the task no longer matters.
        }
    }

    /**
     * One step on the router thread. A step that throws is a bug of ours: it is counted and the
     * router goes on (an exception would otherwise end the heartbeat's schedule for good).
     */
    private void step(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            metrics.internalError();
        }
        flushSafely();
    }

    private void flushSafely() {
        try {
            flush();
        } catch (RuntimeException e) {
            metrics.internalError();
        }
    }

    /**
     * Runs {@code task} on the router thread; the future completes after what the task sent is
     * queued on the links, so a caller that then closes the router has it sent.
     */
    private <T> CompletableFuture<T> onRouterThread(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new PubSubException("the pubsub router is closed"));
            return result;
        }
        try {
            executor.execute(() -> {
                try {
                    T value = task.call();
                    flushSafely();
                    result.complete(value);
                } catch (Exception e) {
                    flushSafely();
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new PubSubException("the pubsub router is closed"));
        }
        return result;
    }

    private void checkTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) throw new PubSubException("a topic must not be empty");
        int max = config.rpcLimits().maxTopicLength();
        if (topic.length() > max) throw new PubSubException("a topic must be at most " + max + " characters");
    }

    private MessageId idOrNull(PubSubMessage message) {
        try {
            return config.messageIdFunction().idOf(message);
        } catch (IllegalArgumentException e) {
            return null; // lacks what the id needs (from, seqno): the signature policy says why
        }
    }

    /** The bytes a message holds in the cache: its data plus a bound on its fields. */
    private static int cacheSize(PubSubMessage message) {
        return message.dataLength() + message.topic().length() + 256;
    }

    private static RejectReason rejectReason(SignatureFailure failure) {
        return switch (failure) {
            case MISSING_FROM, MISSING_SEQNO, MISSING_SIGNATURE, MISSING_KEY -> RejectReason.MISSING_SIGNATURE;
            case INVALID_FROM, INVALID_SEQNO, INVALID_KEY, KEY_MISMATCH, INVALID_SIGNATURE -> RejectReason.INVALID_SIGNATURE;
            case UNEXPECTED_SIGNATURE -> RejectReason.UNEXPECTED_SIGNATURE;
            case UNEXPECTED_SEQNO, UNEXPECTED_KEY, UNEXPECTED_FROM -> RejectReason.UNEXPECTED_AUTH_INFO;
        };
    }

    /** The IP addresses of {@code peer}'s connections, for IP colocation (P6). */
    private Set<InetAddress> addressesOf(PeerId peer) {
        Set<InetAddress> ips = new LinkedHashSet<>();
        for (Connection connection : host.connections(peer)) {
            try {
                var target = connection.remoteAddress().tcpTarget();
                MultiaddrProtocol protocol = target.hostProtocol();
                // A literal: getByName parses it without a lookup.
                if (protocol == MultiaddrProtocol.IP4 || protocol == MultiaddrProtocol.IP6) ips.add(InetAddress.getByName(target.host()));
            } catch (MultiaddrFormatException | UnknownHostException e) {
                // Not an IP address: nothing to count.
            }
        }
        return ips;
    }
}
