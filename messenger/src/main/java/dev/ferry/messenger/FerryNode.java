package dev.ferry.messenger;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.NodeKeyStore;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtService;
import dev.ferry.dht.service.LookupResult;
import dev.ferry.messenger.group.GroupMetrics;
import dev.ferry.messenger.group.GroupState;
import dev.ferry.messenger.group.Groups;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.messenger.repair.ClosestPeers;
import dev.ferry.messenger.repair.MailboxUpkeep;
import dev.ferry.messenger.repair.UpkeepConfig;
import dev.ferry.messenger.repair.UpkeepSummary;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.pubsub.router.GossipSubConfig;
import dev.ferry.pubsub.router.GossipSubRouter;
import dev.ferry.store.ConversationId;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.memory.InMemoryFerryStore;
import dev.ferry.store.rocks.RocksFerryStore;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A whole Ferry node, embeddable: the libp2p host, the DHT, GossipSub, the store and the
 * messenger on top of them. A program builds one with {@link #builder()}, starts it, and sends and
 * receives through it; the {@code ferry} command line and its HTTP API are such programs.
 *
 * <p>Threads: Netty's event loops carry the wire; the DHT and GossipSub each own a thread; the
 * messenger owns two (one for delivery state, one that opens envelopes and writes the store).
 */
public final class FerryNode implements AutoCloseable {
    /** How long {@link #close()} waits for each part to stop. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final IdentityKeyPair identity;
    private final MessengerConfig config;
    private final Clock clock;
    private final SecureRandom random;
    private final Metrics metrics;
    private final FerryStore store;
    private final OverlayNode overlay;
    private final DhtService dht;
    private final GossipSubRouter pubsub;
    private final ScheduledExecutorService deliveryThread;
    private final ScheduledExecutorService intakeThread;
    private final OwnKeys keys;
    private final DhtHolders holders;
    private final PrekeyDirectory prekeys;
    private final List<Multiaddr> bootstrap;
    private final Messaging messaging;
    private final GroupMessaging groups;
    private final ScheduledExecutorService upkeepThread;
    private final MailboxUpkeep upkeep;
    private final Contacts contacts;
    private final boolean relayOnly;
    private final java.time.Instant startedAt;

    private FerryNode(Builder b, IdentityKeyPair identity, FerryStore store) {
        this.identity = identity;
        this.config = b.config;
        this.clock = b.clock;
        this.random = b.random;
        this.metrics = b.metrics;
        this.store = store;
        this.bootstrap = List.copyOf(b.bootstrap);
        this.relayOnly = b.relayOnly;
        this.startedAt = clock.instant();
        this.contacts = new Contacts(store, clock);
        HostConfig.Builder host = HostConfig.builder(identity).clock(clock).metrics(metrics);
        if (b.eventLoops != null) host.sharedEventLoops(b.eventLoops);
        this.overlay = OverlayNode.create(b.host.apply(host).build(), b.enablePerf);
        this.dht = DhtService.create(overlay.host(), b.dhtConfig, Validators.standard(), clock, metrics);
        this.pubsub = GossipSubRouter.create(overlay.host(), identity, b.gossipSubConfig, metrics).start();
        this.deliveryThread = Executors.newSingleThreadScheduledExecutor(daemon("ferry-delivery"));
        this.intakeThread = Executors.newSingleThreadScheduledExecutor(daemon("ferry-intake"));
        this.keys = OwnKeys.loadOrCreate(store, identity, clock.instant(), random);
        this.holders = new DhtHolders(dht, identity.peerId(), clock);
        this.prekeys = new PrekeyDirectory(dht, identity, clock, config.prekeys());
        this.messaging = new Messaging(overlay.host(), identity, config, clock, random, metrics, store, dht, holders, prekeys, keys,
                deliveryThread, intakeThread);
        this.groups = new GroupMessaging(new Groups(keys.identity(), random, clock, new GroupMetrics(metrics)), messaging, store, pubsub,
                holders, messaging.mailboxReader(), config, clock, random, deliveryThread);
        this.upkeepThread = Executors.newSingleThreadScheduledExecutor(daemon("ferry-upkeep"));
        ClosestPeers closest = mailbox -> dht.findClosest(mailbox.bytes()).thenApply(LookupResult::closest);
        this.upkeep = new MailboxUpkeep(identity.peerId(), store, messaging.mailboxClient(), closest, clock, upkeepThread, metrics,
                upkeepConfig(config.repairInterval()));
    }

    /** A builder with every default: an in-memory store and a fresh identity unless told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** This node's PeerId: the user's address. */
    public PeerId peerId() {
        return identity.peerId();
    }

    /** The addresses the node listens on, with its PeerId, for others to dial or bootstrap from. */
    public List<Multiaddr> addresses() {
        return overlay.host().listenAddresses().stream().map(a -> a.withPeerId(peerId())).toList();
    }

    /** The node's configuration. */
    public MessengerConfig config() {
        return config;
    }

    /** The node's metrics registry. */
    public Metrics metrics() {
        return metrics;
    }

    /** The libp2p host, for diagnostics. */
    public Host host() {
        return overlay.host();
    }

    /** The DHT service, for diagnostics. */
    public DhtService dht() {
        return dht;
    }

    /** The GossipSub router, for diagnostics. */
    public GossipSubRouter pubsub() {
        return pubsub;
    }

    /** Where prekey bundles are published and looked up. */
    PrekeyDirectory prekeyDirectory() {
        return prekeys;
    }

    /** The user's own messaging keys. */
    OwnKeys ownKeys() {
        return keys;
    }

    /** The node's store. */
    public FerryStore store() {
        return store;
    }

    /**
     * Joins the network through the bootstrap peers and publishes this user's prekey bundle.
     *
     * @return the routing table's size once joined; fails if no bootstrap peer answered
     */
    public CompletableFuture<Integer> join() {
        return join(bootstrap);
    }

    /**
     * As {@link #join()}, through {@code seeds} instead of the bootstrap peers it was built with
     * (a program that dialled them itself to say why one failed passes those it reached).
     */
    public CompletableFuture<Integer> join(List<Multiaddr> seeds) {
        List<Multiaddr> bootstrap = List.copyOf(seeds);
        // The first node of a network has no one to join, but its bundle goes into its own DHT
        // store all the same: the DHT serves and republishes it once peers arrive.
        if (bootstrap.isEmpty()) return relayOnly ? CompletableFuture.completedFuture(0) : publishFreshBundle().thenApply(v -> 0);
        List<CompletableFuture<Connection>> dials = new ArrayList<>();
        for (Multiaddr seed : bootstrap) dials.add(overlay.host().dial(seed));
        return CompletableFuture.allOf(dials.stream().map(d -> d.handle((c, e) -> c)).toArray(CompletableFuture[]::new))
                .thenCompose(v -> {
                    List<Multiaddr> reached = new ArrayList<>();
                    for (int i = 0; i < dials.size(); i++) {
                        Connection c = dials.get(i).handle((conn, e) -> conn).join();
                        if (c != null) reached.add(bootstrap.get(i).withPeerId(c.remotePeer()));
                    }
                    if (reached.isEmpty()) {
                        return CompletableFuture.failedFuture(new IllegalStateException("no bootstrap peer could be reached"));
                    }
                    return dht.bootstrap(reached).thenCompose(r -> dht.routingTablePeers()).thenApply(List::size);
                })
                .thenCompose(size -> {
                    holders.forget();
                    // a relay has no user: nobody writes to it, so it has no bundle or mailbox of its own
                    if (relayOnly) return CompletableFuture.completedFuture(size);
                    return publishFreshBundle().thenApply(v -> size);
                })
                .thenCompose(size -> relayOnly ? CompletableFuture.completedFuture(size)
                        : messaging.retrieval().fetchNow().handle((v, e) -> size))
                .thenCompose(size -> relayOnly ? CompletableFuture.completedFuture(size) : groups.fetchNow().handle((v, e) -> size));
    }

    /** Rotates the signed prekey if a node that was off for a while finds it due, then publishes the bundle. */
    private CompletableFuture<Void> publishFreshBundle() {
        return messaging.rotatePrekeysIfDue().thenCompose(rotated -> messaging.publishBundle()).handle((v, e) -> null);
    }

    /** Rotates the signed prekey if due and publishes the new bundle; for tests that move a clock. */
    CompletableFuture<Boolean> rotatePrekeysIfDue() {
        return messaging.rotateAndPublishIfDue();
    }

    /**
     * Sends a text message to {@code recipient} (a PeerId: the user's address). Completes with
     * the envelope's id once the message is sealed and in the outbox, which then pushes it until
     * it is delivered or expires; {@link #onDelivery} listeners see each step.
     *
     * @return fails if no session exists and no prekey bundle of the recipient can be found
     */
    public CompletableFuture<EnvelopeId> send(PeerId recipient, String text) {
        return send(recipient, ContentType.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code body} of {@code type} to {@code recipient}; see {@link #send(PeerId, String)}. */
    public CompletableFuture<EnvelopeId> send(PeerId recipient, ContentType type, byte[] body) {
        if (relayOnly) return relayOnlyRefusal();
        return messaging.send(recipient, type, body);
    }

    /** Whether this node only relays: it holds and forwards for others and has no user of its own. */
    public boolean relayOnly() {
        return relayOnly;
    }

    /** When this node started, on its clock. */
    public java.time.Instant startedAt() {
        return startedAt;
    }

    private static <T> CompletableFuture<T> relayOnlyRefusal() {
        return CompletableFuture.failedFuture(new IllegalStateException("this node is relay-only: it has no user to send as"));
    }

    /**
     * Calls {@code listener} with every message delivered to this node, once, in order per
     * conversation, after it is persisted. It runs on the node's intake thread: hand long work off.
     */
    public void onMessage(Consumer<ReceivedMessage> listener) {
        messaging.onMessage(listener);
    }

    /** Calls {@code listener} with every state change of a sent message, on the delivery thread: hand long work off. */
    public void onDelivery(Consumer<DeliveryUpdate> listener) {
        messaging.onDelivery(listener);
    }

    /** Where a sent message stands; empty once it is no longer on its way (delivered or expired) or unknown. */
    public CompletableFuture<Optional<DeliveryState>> deliveryState(EnvelopeId envelope) {
        return messaging.outbox().state(envelope);
    }

    /**
     * Why a sent message is not stored yet, if a mailbox holder said so: the status a holder last
     * refused one of its shards with (for example {@code MAILBOX_FULL} when the recipient's mailbox
     * is full, {@code PEER_QUOTA} when this node has stored its share there). Empty if no holder
     * refused one, or once it is delivered, expired or unknown.
     */
    public CompletableFuture<Optional<MailboxStatus>> lastRefusal(EnvelopeId envelope) {
        return messaging.outbox().lastRefusal(envelope);
    }

    /**
     * Up to {@code limit} messages received from {@code peer}, after position {@code after} of the
     * 1:1 conversation (0: from the first); {@link #history} has the user's own messages too.
     */
    public List<ReceivedMessage> conversation(PeerId peer, long after, int limit) {
        return messaging.conversations().received(ConversationId.of(peer.toBytes()), after, limit);
    }

    /**
     * Up to {@code limit} messages of the 1:1 conversation with {@code peer} after position
     * {@code after} (0: from the first), received and sent, oldest first; a sent one carries its
     * delivery state.
     */
    public List<ChatMessage> history(PeerId peer, long after, int limit) {
        return historyPage(peer, after, limit).messages();
    }

    /** As {@link #history}, with the cursor of the next page (which skips the pieces of files the page passed over). */
    public ConversationPage historyPage(PeerId peer, long after, int limit) {
        return messaging.conversations().read(ConversationId.of(peer.toBytes()), after, limit);
    }

    /** As {@link #history(PeerId, long, int)}, for a group's conversation. */
    public List<ChatMessage> groupHistory(byte[] groupId, long after, int limit) {
        return groupHistoryPage(groupId, after, limit).messages();
    }

    /** As {@link #historyPage}, for a group's conversation. */
    public ConversationPage groupHistoryPage(byte[] groupId, long after, int limit) {
        return messaging.conversations().read(ConversationId.of(groupId), after, limit);
    }

    // ---------------------------------------------------------------- files

    /**
     * Sends a file of up to 64 MiB to {@code recipient}: cut into pieces, each an ordinary message
     * of the conversation, queued in order. Completes once every piece is queued; the last
     * piece's delivery state is the file's.
     *
     * @param name the file's name (a hint for the recipient; only its last path segment is sent)
     * @param mediaType its media type, or null for {@code application/octet-stream}
     * @return fails with a one-line reason if the file is too large or a piece cannot be queued
     */
    public CompletableFuture<SentFile> sendFile(PeerId recipient, String name, String mediaType, byte[] content) {
        if (relayOnly) return relayOnlyRefusal();
        List<byte[]> pieces;
        try {
            pieces = FileChunks.split(name, mediaType, content, FileChunks.pieceBytes(messaging.largestBody()), random);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        FileInfo info = FileChunks.info(FileChunks.decode(pieces.getLast()).orElseThrow());
        // One after the other: each piece is sealed with the next sequence number, so they arrive in order.
        CompletableFuture<List<EnvelopeId>> chain = CompletableFuture.completedFuture(new ArrayList<>());
        for (byte[] piece : pieces) {
            chain = chain.thenCompose(sent -> messaging.send(recipient, ContentType.FILE_CHUNK, piece).thenApply(id -> {
                sent.add(id);
                return sent;
            }));
        }
        return chain.thenApply(envelopes -> new SentFile(info, envelopes));
    }

    /**
     * The file received in the 1:1 conversation with {@code peer} whose last piece is at {@code
     * position}, joined and checked against the sender's hash.
     *
     * @throws IllegalArgumentException if no file received from the peer ends there
     * @throws IllegalStateException if a piece is missing or the hash does not match
     */
    public byte[] readFile(PeerId peer, long position) {
        return messaging.conversations().readFile(ConversationId.of(peer.toBytes()), position);
    }

    /** The position of the last message of the 1:1 conversation with {@code peer}; 0 if it has none. */
    public long lastPosition(PeerId peer) {
        return store.inbox().lastSequence(ConversationId.of(peer.toBytes()));
    }

    /** The position of the last message of a group's conversation; 0 if it has none. */
    public long groupLastPosition(byte[] groupId) {
        return store.inbox().lastSequence(ConversationId.of(groupId));
    }

    /** The kept delivery state of a 1:1 message the user sent, also after it is delivered or expired. */
    public Optional<DeliveryState> sentState(EnvelopeId envelope) {
        return messaging.conversations().stateOf(envelope);
    }

    /**
     * The 1:1 message the user sent in {@code envelope} (a text, or the last piece of a file), as
     * kept with its conversation position and state; empty for any other envelope (a file's
     * earlier pieces, group envelopes, keys and control messages).
     */
    public Optional<SentMessage> sentMessage(EnvelopeId envelope) {
        return messaging.conversations().sentMessage(envelope);
    }

    /**
     * Up to {@code limit} 1:1 messages the user sent, in envelope id order after {@code after}
     * (empty: from the first), each with its kept delivery state.
     */
    public List<SentMessage> sentMessages(Optional<EnvelopeId> after, int limit) {
        return messaging.conversations().sent(after, limit);
    }

    /** The peers the user has a 1:1 conversation with, each with the position of its last message. */
    public java.util.Map<PeerId, Long> conversations() {
        return messaging.conversations().peers();
    }

    // ---------------------------------------------------------------- contacts

    /**
     * Adds {@code peer} to the address book as {@code name} (or renames it).
     *
     * @throws IllegalArgumentException if the name is invalid or taken by another peer, with a one-line reason
     */
    public Contact addContact(String name, PeerId peer) {
        if (peer.equals(peerId())) throw new IllegalArgumentException("that is this node's own PeerId");
        return contacts.add(name, peer);
    }

    /** Removes the contact with this name or PeerId; returns it if there was one. */
    public Optional<Contact> removeContact(String nameOrPeer) {
        return contacts.remove(nameOrPeer);
    }

    /** The contact with this name or PeerId. */
    public Optional<Contact> contact(String nameOrPeer) {
        return contacts.find(nameOrPeer);
    }

    /** The address book. */
    public List<Contact> contacts() {
        return contacts.list();
    }

    /** Fetches the own mailbox now rather than at the next round; completes when the fetch is done. */
    public CompletableFuture<Void> fetchMailbox() {
        return CompletableFuture.allOf(messaging.retrieval().fetchNow(), groups.fetchNow());
    }

    // ---------------------------------------------------------------- groups

    /** Creates a group this user owns; completes with its state (its id is {@code groupId()}). */
    public CompletableFuture<GroupState> createGroup(String name) {
        if (relayOnly) return relayOnlyRefusal();
        return groups.create(name);
    }

    /** Invites {@code member} (owner only): a new epoch whose roster lists it; its key arrives over a 1:1 session. */
    public CompletableFuture<GroupState> inviteToGroup(byte[] groupId, PeerId member) {
        return groups.invite(groupId, member);
    }

    /** Removes {@code member} (owner only): a new epoch it cannot read. */
    public CompletableFuture<GroupState> removeFromGroup(byte[] groupId, PeerId member) {
        return groups.remove(groupId, member);
    }

    /** Leaves the group; the owner leaving ends it for everyone. */
    public CompletableFuture<GroupState> leaveGroup(byte[] groupId) {
        return groups.leave(groupId);
    }

    /** Sends a text to the group: on its topic for members online, in its mailbox for those away. */
    public CompletableFuture<Void> sendToGroup(byte[] groupId, String text) {
        if (relayOnly) return relayOnlyRefusal();
        return groups.send(groupId, ContentType.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The groups this node is in. */
    public CompletableFuture<List<GroupState>> groups() {
        return groups.list();
    }

    /** Up to {@code limit} messages received in a group after position {@code after}; see {@link #groupHistory}. */
    public List<ReceivedMessage> groupConversation(byte[] groupId, long after, int limit) {
        return messaging.conversations().received(ConversationId.of(groupId), after, limit);
    }

    /**
     * The upkeep for a repair interval: an envelope found complete is asked about again after six
     * rounds (an hour at the default ten minutes), so a shorter interval also notices a lost holder sooner.
     */
    static UpkeepConfig upkeepConfig(Duration repairInterval) {
        Duration sixRounds = repairInterval.multipliedBy(6);
        return UpkeepConfig.DEFAULTS.withInterval(repairInterval)
                .withRecheckAfter(sixRounds.compareTo(UpkeepConfig.DEFAULT_RECHECK_AFTER) < 0 ? sixRounds : UpkeepConfig.DEFAULT_RECHECK_AFTER);
    }

    /**
     * Runs a handover-and-repair round over the mailboxes this node holds shards of, now (or joins
     * the one in progress). It asks about every envelope again, also those the periodic rounds
     * found complete within the last hour and leave alone until then.
     */
    public CompletableFuture<UpkeepSummary> repairNow() {
        return upkeep.runNow(true);
    }

    /** The messenger's parts, for tests in this package. */
    Messaging messaging() {
        return messaging;
    }

    /** Stops every part; a RocksDB store is closed last, after everything that writes to it. */
    @Override
    public void close() {
        upkeep.close();
        upkeepThread.shutdownNow(); // a cancelled tick would otherwise keep the thread alive until it was due
        groups.close();
        messaging.close();
        pubsub.close();
        await(dht.close());
        overlay.close();
        deliveryThread.shutdownNow();
        intakeThread.shutdown();
        try {
            intakeThread.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(CLOSE_TIMEOUT.toMillis() * 6, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot start: " + e.getMessage(), e);
        }
    }

    private static void await(CompletableFuture<?> future) {
        try {
            future.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // stopping anyway
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Sets up a {@link FerryNode}. */
    public static final class Builder {
        private IdentityKeyPair identity;
        private Path dataDirectory;
        private List<Multiaddr> listen = List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/0"));
        private List<Multiaddr> bootstrap = List.of();
        private MessengerConfig config = MessengerConfig.defaults();
        private DhtConfig dhtConfig = DhtConfig.defaults();
        private GossipSubConfig gossipSubConfig = GossipSubConfig.defaults();
        private UnaryOperator<HostConfig.Builder> host = UnaryOperator.identity();
        private Metrics metrics;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random = new SecureRandom();
        private EventLoopGroup eventLoops;
        private boolean relayOnly;
        private boolean enablePerf;

        private Builder() {}

        /** The node key; without it, the data directory's (created if missing), or a fresh one for an in-memory node. */
        public Builder identity(IdentityKeyPair v) { identity = Objects.requireNonNull(v); return this; }
        /** Keeps the node key and a RocksDB store in {@code v}; without it, the node keeps everything in memory. */
        public Builder dataDirectory(Path v) { dataDirectory = Objects.requireNonNull(v); return this; }
        /** Addresses to listen on (default {@code /ip4/0.0.0.0/tcp/0}). */
        public Builder listen(List<Multiaddr> v) { listen = List.copyOf(v); return this; }
        /** Peers to join the network through. */
        public Builder bootstrap(List<Multiaddr> v) { bootstrap = List.copyOf(v); return this; }
        /** Messenger settings. */
        public Builder config(MessengerConfig v) { config = Objects.requireNonNull(v); return this; }
        /** DHT settings. */
        public Builder dhtConfig(DhtConfig v) { dhtConfig = Objects.requireNonNull(v); return this; }
        /** GossipSub settings. */
        public Builder gossipSubConfig(GossipSubConfig v) { gossipSubConfig = Objects.requireNonNull(v); return this; }
        /** Adjusts the host's limits. */
        public Builder host(UnaryOperator<HostConfig.Builder> v) { host = Objects.requireNonNull(v); return this; }
        /** Where metrics go (default: a fresh registry of the node's own; {@code ferry node} passes one with JVM metrics). */
        public Builder metrics(Metrics v) { metrics = Objects.requireNonNull(v); return this; }
        /** The clock every part reads. */
        public Builder clock(Clock v) { clock = Objects.requireNonNull(v); return this; }
        /** Where keys and nonces come from. */
        public Builder random(SecureRandom v) { random = Objects.requireNonNull(v); return this; }
        /** A relay: it holds and forwards for others, and has no user (no prekey bundle, no mailbox of its own, no sending). */
        public Builder relayOnly(boolean v) { relayOnly = v; return this; }
        /** Serves {@code /perf/1.0.0} (throughput tests) to anyone who asks; off by default. */
        public Builder enablePerf(boolean v) { enablePerf = v; return this; }
        /** Netty event loops to share with other nodes in this process (tests, the demo). */
        public Builder eventLoops(EventLoopGroup v) { eventLoops = Objects.requireNonNull(v); return this; }

        /**
         * Opens the store, starts every part and listens.
         *
         * @throws IllegalStateException if the data directory cannot be used (its one-line message says why)
         */
        public FerryNode start() {
            if (metrics == null) metrics = Metrics.create();
            IdentityKeyPair key = identity != null ? identity
                    : dataDirectory != null ? NodeKeyStore.loadOrCreate(dataDirectory, random)
                    : IdentityKeyPair.generate(random);
            FerryStore store = dataDirectory != null
                    ? RocksFerryStore.open(dataDirectory.resolve("store"), config.storeLimits())
                    : InMemoryFerryStore.create(config.storeLimits());
            FerryNode node;
            try {
                node = new FerryNode(this, key, store);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            try {
                for (Multiaddr address : listen) node.overlay.host().listen(address).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                node.close();
                throw new IllegalStateException("cannot listen on " + listen + ": " + e.getMessage(), e);
            }
            node.messaging.start();
            join(node.groups.start());
            node.upkeep.start();
            return node;
        }
    }
}
