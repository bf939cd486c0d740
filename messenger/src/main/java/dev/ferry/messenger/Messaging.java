package dev.ferry.messenger;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.service.DhtService;
import dev.ferry.messenger.delivery.DeliveryMetrics;
import dev.ferry.messenger.delivery.DeliveryPorts;
import dev.ferry.messenger.delivery.DeliveryPorts.StoreOutcome;
import dev.ferry.messenger.delivery.EnvelopeIntake;
import dev.ferry.messenger.delivery.IntakeMetrics;
import dev.ferry.messenger.delivery.MailboxRetrieval;
import dev.ferry.messenger.delivery.OutboxService;
import dev.ferry.messenger.delivery.OutgoingEnvelope;
import dev.ferry.messenger.direct.DeliveryResult;
import dev.ferry.messenger.direct.DirectAnswer;
import dev.ferry.messenger.direct.DirectClient;
import dev.ferry.messenger.direct.DirectConfig;
import dev.ferry.messenger.direct.DirectMetrics;
import dev.ferry.messenger.direct.DirectServer;
import dev.ferry.messenger.direct.DirectStatus;
import dev.ferry.messenger.mailbox.FetchedPage;
import dev.ferry.messenger.mailbox.MailboxClient;
import dev.ferry.messenger.mailbox.MailboxConfig;
import dev.ferry.messenger.mailbox.MailboxReply;
import dev.ferry.messenger.mailbox.MailboxServer;
import dev.ferry.messenger.mailbox.WatchListener;
import dev.ferry.messenger.session.OpenResult;
import dev.ferry.messenger.session.Refusal;
import dev.ferry.messenger.session.SealedMessage;
import dev.ferry.messenger.session.SessionException;
import dev.ferry.messenger.session.SessionLayer;
import dev.ferry.messenger.session.SessionLimits;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.OutboxState;
import dev.ferry.store.StoreAccess;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The 1:1 messenger of a {@link FerryNode}: sealing and sending through the outbox, the direct
 * and mailbox protocols, fetching the own mailbox, and opening what arrives. It turns the
 * node's parts (host, DHT, store, keys) into the delivery ports of {@code delivery}.
 *
 * <p>Threads: the intake thread seals, opens and writes the store, so everything touching a
 * session runs there, one at a time; the delivery thread owns the outbox and retrieval state.
 */
final class Messaging implements AutoCloseable {
    /**
     * Holders forward an ACK to the mailbox's other holders this long after it arrived, so that
     * the recipient's own ACKs to them land first and the forwarded ones are mostly not needed.
     */
    static final java.time.Duration ACK_FORWARD_DELAY = java.time.Duration.ofSeconds(2);
    /** Wait after an expiry before the floor update, so that a burst of expiries makes one. */
    static final java.time.Duration FLOOR_UPDATE_DELAY = java.time.Duration.ofSeconds(1);
    /** The most the envelope layer adds around its payload: the inner content's fields and the sealing. */
    static final int ENVELOPE_OVERHEAD = EnvelopeLimits.MAX_CIPHERTEXT_LENGTH - EnvelopeLimits.MAX_PAYLOAD_LENGTH;
    /** The most a session adds around a body: its framing, the ratchet's header and tag, an X3DH initial message. */
    static final int SESSION_OVERHEAD = SessionLimits.MAX_PAYLOAD_LENGTH - SessionLimits.MAX_BODY_LENGTH;
    /** How often the own signed prekey is checked for rotation: its schedule is counted in days. */
    static final java.time.Duration PREKEY_CHECK_INTERVAL = java.time.Duration.ofHours(1);

    private final Host host;
    private final IdentityKeyPair identity;
    private final MessengerConfig config;
    private final Clock clock;
    private final FerryStore store;
    private final DhtService dht;
    private final DhtHolders holders;
    private final PrekeyDirectory prekeys;
    private final OwnKeys keys;
    private final SecureRandom random;
    private volatile java.util.concurrent.ScheduledFuture<?> prekeyCheck;
    private final ScheduledExecutorService deliveryThread;
    private final ScheduledExecutorService intakeThread;
    private final SessionLayer sessions;
    private final MailboxServer mailboxServer;
    private final MailboxClient mailboxClient;
    private final DirectClient directClient;
    private final DirectServer directServer;
    private final EnvelopeIntake intake;
    private final OutboxService outbox;
    private final MailboxRetrieval retrieval;
    private final DeliveryMetrics deliveryMetrics;
    private final IntakeMetrics intakeMetrics;
    private final Conversations conversations;
    private final List<Consumer<ReceivedMessage>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<DeliveryUpdate>> deliveryListeners = new CopyOnWriteArrayList<>();
    /** Bundles found, kept while they verify: a contact's bundle is looked up once, not per message. */
    private final Map<PeerId, PrekeyBundle> bundles = new ConcurrentHashMap<>();
    /** Where group control messages go; the group layer sets it. */
    private volatile GroupControl groupControl = GroupControl.IGNORE;
    private final SharedLookups<PeerId, Optional<PrekeyBundle>> bundleSearches = new SharedLookups<>();
    /** Per recipient, sequences sealed and not yet delivered or expired; owned by the intake thread. */
    private final Map<PeerId, java.util.TreeSet<Long>> sealedInFlight = new java.util.HashMap<>();
    /** Recipients a floor update is scheduled for; owned by the intake thread. */
    private final java.util.Set<PeerId> floorUpdatesDue = new java.util.HashSet<>();

    Messaging(Host host, IdentityKeyPair identity, MessengerConfig config, Clock clock, SecureRandom random, Metrics metrics,
            FerryStore store, DhtService dht, DhtHolders holders, PrekeyDirectory prekeys, OwnKeys keys,
            ScheduledExecutorService deliveryThread, ScheduledExecutorService intakeThread) {
        this.host = host;
        this.identity = identity;
        this.config = config;
        this.clock = clock;
        this.store = store;
        this.dht = dht;
        this.holders = holders;
        this.prekeys = prekeys;
        this.keys = keys;
        this.deliveryThread = deliveryThread;
        this.intakeThread = intakeThread;
        this.random = random;
        this.conversations = new Conversations(store, identity.peerId());
        this.sessions = new SessionLayer(keys.identity(), keys::ring, config.prekeys(), store, clock, random);
        MailboxConfig mailboxConfig = MailboxConfig.DEFAULTS.withMaxTtl(config.maxTtl())
                .withSweep(config.sweepInterval(), MailboxConfig.DEFAULT_SWEEP_BATCH)
                .withMaxEnvelopeBytes(config.maxEnvelopeBytes());
        this.mailboxServer = MailboxServer.start(host, store, clock, deliveryThread, metrics, mailboxConfig, this::forwardAck);
        this.mailboxClient = new MailboxClient(host, clock, deliveryThread, mailboxConfig);
        DirectMetrics directMetrics = DirectMetrics.register(metrics);
        this.directClient = new DirectClient(host, deliveryThread, directMetrics);
        this.intakeMetrics = new IntakeMetrics(metrics);
        this.intake = new EnvelopeIntake(store, new SessionOpener(), clock, intakeThread, this::deliver, intakeMetrics);
        this.directServer = DirectServer.register(host, this::onDirect, intakeThread, deliveryThread, DirectConfig.DEFAULT, directMetrics);
        this.deliveryMetrics = new DeliveryMetrics(metrics);
        this.outbox = new OutboxService(store, config, clock, deliveryThread, holders, new DirectRoute(new DirectNetwork()),
                new Shards(), random, this::announce, deliveryMetrics);
        this.retrieval = new MailboxRetrieval(Mailbox.keyFor(identity.peerId()), identity, identity.peerId(), true, holders,
                new Reader(), this::intakeForAck, deliveryThread, config.fetchInterval(), config.erasure().totalShards());
    }

    /** Picks up the outbox where it was and starts fetching the own mailbox. */
    void start() {
        outbox.resume();
        retrieval.start();
        long every = PREKEY_CHECK_INTERVAL.toMillis();
        prekeyCheck = deliveryThread.scheduleWithFixedDelay(this::rotateAndPublishIfDue, every, every, TimeUnit.MILLISECONDS);
    }

    /** Rotates the own signed prekey if due and then publishes the new bundle; completes with whether it rotated. */
    CompletableFuture<Boolean> rotateAndPublishIfDue() {
        return rotatePrekeysIfDue().thenCompose(rotated -> rotated
                ? publishBundle().handle((v, e) -> true) : CompletableFuture.completedFuture(false));
    }

    /**
     * Rotates the own signed prekey when the policy says it is due, on the intake thread (where
     * sessions read the ring); completes with whether the bundle changed and must be published.
     * The previous prekey stays for its grace period, so sessions started from it still open.
     */
    CompletableFuture<Boolean> rotatePrekeysIfDue() {
        return onIntakeThread(() -> keys.rotateIfDue(store, clock.instant(), config.prekeys(), random))
                .exceptionally(e -> false);
    }

    void groupControl(GroupControl handler) {
        groupControl = handler;
    }

    /** Runs {@code work} on the intake thread, where sessions, groups and the inbox change. */
    <T> CompletableFuture<T> onIntakeThread(java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, intakeThread);
    }

    /** Puts an envelope whose outbox entry is written into the outbox's working set. */
    CompletableFuture<Void> submit(OutgoingEnvelope envelope) {
        return outbox.submit(envelope);
    }

    /** Delivers messages to the application listeners (on the intake thread, after they were persisted). */
    void deliverToListeners(List<ReceivedMessage> messages) {
        deliver(messages);
    }

    void onMessage(Consumer<ReceivedMessage> listener) {
        messageListeners.add(listener);
    }

    void onDelivery(Consumer<DeliveryUpdate> listener) {
        deliveryListeners.add(listener);
    }

    DeliveryMetrics deliveryMetrics() {
        return deliveryMetrics;
    }

    IntakeMetrics intakeMetrics() {
        return intakeMetrics;
    }

    MailboxServer mailboxServer() {
        return mailboxServer;
    }

    MailboxClient mailboxClient() {
        return mailboxClient;
    }

    MailboxRetrieval retrieval() {
        return retrieval;
    }

    OutboxService outbox() {
        return outbox;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Seals {@code body} for {@code recipient} and puts it in the outbox; completes with the
     * envelope's id once it is persisted (its state then moves on through {@link DeliveryUpdate}s).
     */
    CompletableFuture<EnvelopeId> send(PeerId recipient, ContentType type, byte[] body) {
        return send(recipient, type, body, Optional.empty());
    }

    /**
     * As {@link #send(PeerId, ContentType, byte[])}; when a session must be started, the
     * recipient's bundle must carry {@code expectedIdentity} (a group roster's, say), or nothing is sent.
     */
    CompletableFuture<EnvelopeId> send(PeerId recipient, ContentType type, byte[] body,
            Optional<dev.ferry.crypto.x3dh.PublicIdentity> expectedIdentity) {
        if (recipient.equals(identity.peerId())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot send a message to this node itself"));
        }
        try {
            checkEnvelopeSize(body.length, SESSION_OVERHEAD);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] copy = body.clone();
        return bundleIfNeeded(recipient)
                .thenApply(bundle -> {
                    if (bundle.isPresent() && expectedIdentity.isPresent() && !bundle.get().identity().equals(expectedIdentity.get())) {
                        throw new IllegalStateException(recipient + "'s prekey bundle names another messaging identity than expected");
                    }
                    return bundle;
                })
                .thenCompose(bundle -> outbox.lowestInFlight(recipient).thenApply(floor -> new Object[] {bundle, floor}))
                .thenApplyAsync(parts -> {
                    @SuppressWarnings("unchecked")
                    Optional<PrekeyBundle> bundle = (Optional<PrekeyBundle>) parts[0];
                    @SuppressWarnings("unchecked")
                    Optional<Long> floor = (Optional<Long>) parts[1];
                    return sealAndQueue(recipient, bundle, type, copy, floor.orElse(Long.MAX_VALUE));
                }, intakeThread)
                .thenCompose(envelope -> outbox.submit(envelope).thenApply(v -> envelope.id()));
    }

    /** On the intake thread: seal, then write the session change and the outbox entry in one batch. */
    private OutgoingEnvelope sealAndQueue(PeerId recipient, Optional<PrekeyBundle> bundle, ContentType type, byte[] body, long floor) {
        Instant now = clock.instant();
        // The floor promises the recipient that nothing below it will come: it must count what was
        // sealed here but is not in the outbox's working set yet, or a burst of sends would skip its own messages.
        java.util.TreeSet<Long> pending = sealedInFlight.computeIfAbsent(recipient, r -> new java.util.TreeSet<>());
        long safeFloor = pending.isEmpty() ? floor : Math.min(floor, pending.first());
        SealedMessage sealed;
        try {
            sealed = sessions.seal(recipient, bundle, type, body, now.plus(config.ttl()), safeFloor);
        } catch (SessionException e) {
            throw new CompletionException(new IllegalStateException("cannot start a session with " + recipient + ": " + e.getMessage(), e));
        }
        OutgoingEnvelope envelope = OutgoingEnvelope.coded(recipient, sealed.sealed(), config.erasure(), sealed.sequence(), now, false);
        store.write(batch -> {
            sealed.commit().accept(batch);
            batch.outbox().put(envelope.entry(OutboxState.PENDING));
            if (Conversations.isShown(type)) conversations.recordSent(batch, recipient, envelope.id(), sealed.sequence(), type, body, now);
        });
        pending.add(sealed.sequence());
        return envelope;
    }

    /**
     * Refuses a message whose envelope could be larger than this node's largest, before it is
     * sealed: sealing takes a message key, which must not be spent on an envelope never sent.
     *
     * @param plaintextBytes the body with every framing of the layer that encrypts it
     * @param encryptionOverhead the most that layer adds (headers, tags, an X3DH initial message)
     */
    void checkEnvelopeSize(int plaintextBytes, int encryptionOverhead) {
        long most = (long) plaintextBytes + encryptionOverhead + ENVELOPE_OVERHEAD;
        if (most > config.maxEnvelopeBytes()) {
            throw new IllegalArgumentException("a message of " + plaintextBytes + " bytes can seal to an envelope of up to " + most
                    + " bytes, over this node's largest of " + config.maxEnvelopeBytes());
        }
    }

    /** The largest 1:1 message body this node can seal into one envelope. */
    int largestBody() {
        return Math.min(dev.ferry.messenger.session.SessionLimits.MAX_BODY_LENGTH, config.maxEnvelopeBytes() - SESSION_OVERHEAD - ENVELOPE_OVERHEAD);
    }

    /** The user's conversations: received and sent messages with their delivery states. */
    Conversations conversations() {
        return conversations;
    }

    /** The mailbox protocol as a recipient uses it, for group mailboxes too. */
    MailboxRetrieval.MailboxReader mailboxReader() {
        return new Reader();
    }

    /** This node's key. */
    IdentityKeyPair identity() {
        return identity;
    }

    /**
     * {@code peer}'s prekey bundle: the one found before while it still verifies as fresh, else
     * from the DHT, else from its mailbox holders. Sends to a new contact in a burst share one search.
     */
    CompletableFuture<PrekeyBundle> bundleOf(PeerId peer) {
        PrekeyBundle cached = bundles.get(peer);
        if (cached != null && prekeys.verifiedBundle(peer, cached.encode()).isPresent()) {
            return CompletableFuture.completedFuture(cached);
        }
        return bundleSearches.join(peer, p -> prekeys.lookup(p).exceptionally(e -> Optional.empty())
                .thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found) : bundleFromHolders(p)))
                .thenApply(found -> {
                    PrekeyBundle bundle = found.orElseThrow(() -> new IllegalStateException(
                            "no prekey bundle of " + peer + " found in the DHT or at its mailbox holders"));
                    bundles.put(peer, bundle);
                    return bundle;
                });
    }

    /**
     * A message to {@code recipient} expired undelivered: tell it the new floor, so that it delivers
     * what it holds behind that gap now instead of with this node's next message.
     */
    private void sendFloorUpdate(PeerId recipient) {
        outbox.lowestInFlight(recipient).thenAcceptAsync(floor -> {
            floorUpdatesDue.remove(recipient);
            java.util.TreeSet<Long> pending = sealedInFlight.get(recipient);
            long safeFloor = Math.min(floor.orElse(Long.MAX_VALUE), pending == null || pending.isEmpty() ? Long.MAX_VALUE : pending.first());
            Instant now = clock.instant();
            try {
                SealedMessage sealed = sessions.sealFloorUpdate(recipient, now.plus(config.ttl()), safeFloor);
                OutgoingEnvelope envelope = OutgoingEnvelope.coded(recipient, sealed.sealed(), config.erasure(), sealed.sequence(), now, false);
                store.write(batch -> {
                    sealed.commit().accept(batch);
                    batch.outbox().put(envelope.entry(OutboxState.PENDING));
                });
                outbox.submit(envelope);
            } catch (SessionException | RuntimeException e) {
                // a lost floor update is harmless: every later message carries the floor too
            }
        }, intakeThread);
    }


    /** Empty when a session exists; else the recipient's bundle from the DHT, or from its mailbox holders. */
    private CompletableFuture<Optional<PrekeyBundle>> bundleIfNeeded(PeerId recipient) {
        return CompletableFuture.supplyAsync(() -> sessions.hasSession(recipient), intakeThread).thenCompose(has -> has
                ? CompletableFuture.completedFuture(Optional.<PrekeyBundle>empty())
                : bundleOf(recipient).thenApply(Optional::of));
    }

    private CompletableFuture<Optional<PrekeyBundle>> bundleFromHolders(PeerId recipient) {
        return holders.holders(Mailbox.keyFor(recipient), recipient).thenCompose(found -> askForBundle(recipient, found, 0));
    }

    private CompletableFuture<Optional<PrekeyBundle>> askForBundle(PeerId recipient, List<PeerId> candidates, int next) {
        if (next >= Math.min(candidates.size(), config.erasure().totalShards())) return CompletableFuture.completedFuture(Optional.empty());
        return mailboxClient.getPrekeys(candidates.get(next), recipient).exceptionally(e -> Optional.empty())
                .thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found)
                        : askForBundle(recipient, candidates, next + 1));
    }

    /** Publishes the own bundle to the DHT and to the own mailbox's holders. */
    CompletableFuture<Void> publishBundle() {
        PrekeyBundle bundle = keys.bundle();
        CompletableFuture<Integer> dhtPut = prekeys.publish(bundle).exceptionally(e -> 0);
        CompletableFuture<Void> holderPuts = holders.holders(Mailbox.keyFor(identity.peerId()), identity.peerId())
                .thenCompose(found -> CompletableFuture.allOf(found.stream()
                        .limit(config.erasure().totalShards())
                        .map(holder -> mailboxClient.putPrekeys(holder, bundle).exceptionally(e -> null))
                        .toArray(CompletableFuture[]::new)))
                .exceptionally(e -> null);
        return CompletableFuture.allOf(dhtPut, holderPuts);
    }

    private void announce(DeliveryUpdate update) {
        if (update.state().isFinal() && update.sequence() >= 0) {
            intakeThread.execute(() -> {
                java.util.TreeSet<Long> pending = sealedInFlight.get(update.recipient());
                if (pending != null && pending.remove(update.sequence()) && pending.isEmpty()) sealedInFlight.remove(update.recipient());
            });
            if (update.state() == DeliveryState.EXPIRED) {
                // Many expiries at once (a recipient away for a week) make one floor update, a moment later.
                intakeThread.execute(() -> {
                    if (floorUpdatesDue.add(update.recipient())) {
                        deliveryThread.schedule(() -> sendFloorUpdate(update.recipient()), FLOOR_UPDATE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                    }
                });
            }
        }
        // Floor updates are the messenger's own business, not a message the user sent.
        if (update.sequence() < 0) return;
        try {
            conversations.updateState(update.envelope(), update.state(), update.at());
        } catch (RuntimeException e) {
            // a closed or failing store: the state shown stays behind, delivery itself goes on
        }
        for (Consumer<DeliveryUpdate> listener : deliveryListeners) {
            try {
                listener.accept(update);
            } catch (RuntimeException e) {
                // the embedding application's bug; the outbox goes on
            }
        }
    }

    // ---------------------------------------------------------------- receiving

    private void deliver(List<ReceivedMessage> messages) {
        for (ReceivedMessage message : messages) {
            for (Consumer<ReceivedMessage> listener : messageListeners) {
                try {
                    listener.accept(message);
                } catch (RuntimeException e) {
                    // the embedding application's bug; delivery goes on
                }
            }
        }
    }

    /** Envelopes rebuilt from the own mailbox: opens them, in one write, and gives the secrets to acknowledge them with. */
    private List<CompletableFuture<MailboxRetrieval.IntakeOutcome>> intakeForAck(List<EnvelopeIntake.Arrival> envelopes) {
        return intake.acceptAll(envelopes).stream().map(taken -> taken.<MailboxRetrieval.IntakeOutcome>thenApply(result -> switch (result) {
            case EnvelopeIntake.Result.Delivered delivered -> new MailboxRetrieval.IntakeOutcome.Acknowledge(delivered.ackSecret());
            case EnvelopeIntake.Result.Duplicate duplicate -> new MailboxRetrieval.IntakeOutcome.Acknowledge(duplicate.ackSecret());
            case EnvelopeIntake.Result.Refused refused -> refused.later()
                    ? new MailboxRetrieval.IntakeOutcome.Later() : new MailboxRetrieval.IntakeOutcome.Done();
        })).toList();
    }

    private CompletableFuture<DirectAnswer> onDirect(PeerId from, EnvelopeHeader header, byte[] ciphertext) {
        if (!Arrays.equals(header.mailbox(), Mailbox.keyFor(identity.peerId()))) {
            return CompletableFuture.completedFuture(DirectAnswer.refused(DirectStatus.NOT_FOR_US, "the envelope is for another mailbox"));
        }
        return intake.accept(header, ciphertext).thenApply(result -> switch (result) {
            case EnvelopeIntake.Result.Delivered delivered -> DirectAnswer.acknowledged(AckSecret.of(delivered.ackSecret()));
            case EnvelopeIntake.Result.Duplicate duplicate -> DirectAnswer.acknowledged(AckSecret.of(duplicate.ackSecret()));
            case EnvelopeIntake.Result.Refused refused -> DirectAnswer.refused(DirectStatus.REFUSED, refused.reason());
        });
    }

    /** The session layer as the intake's opener; runs on the intake thread. */
    private final class SessionOpener implements EnvelopeIntake.EnvelopeOpener {
        @Override
        public EnvelopeIntake.Opening open(EnvelopeHeader header, byte[] ciphertext, Instant now, StoreAccess reads) {
            return switch (sessions.open(header, ciphertext, reads)) {
                case OpenResult.Accepted accepted -> {
                    List<ReceivedMessage> messages = new ArrayList<>();
                    List<Consumer<dev.ferry.store.StoreBatch>> controlWrites = new ArrayList<>();
                    List<Runnable> afterwards = new ArrayList<>();
                    for (var m : accepted.deliverable()) {
                        if (m.type() == ContentType.GROUP_CONTROL) {
                            // Group control is for the group layer, in the same batch as the session that read it.
                            GroupControl.Outcome outcome = groupControl.handle(accepted.sender(), m.body());
                            controlWrites.add(outcome.persist());
                            afterwards.add(outcome.afterwards());
                            continue;
                        }
                        messages.add(new ReceivedMessage(accepted.sender(), Optional.empty(), m.sequence(), m.type(), m.body(), m.sent(), now));
                    }
                    yield new EnvelopeIntake.Opening.Accepted(accepted.ackSecret().bytes(), messages, batch -> {
                        accepted.commit().accept(batch);
                        controlWrites.forEach(write -> write.accept(batch));
                        for (ReceivedMessage message : messages) {
                            batch.inbox().append(InboxRecords.conversationOf(message), InboxRecords.encode(message));
                        }
                    }, () -> afterwards.forEach(Runnable::run), !controlWrites.isEmpty());
                }
                case OpenResult.Refused refused when (refused.reason() == Refusal.DUPLICATE || refused.reason() == Refusal.STALE)
                        && refused.ackSecret().isPresent() -> new EnvelopeIntake.Opening.AlreadyDelivered(refused.ackSecret().get().bytes());
                case OpenResult.Refused refused -> new EnvelopeIntake.Opening.Refused(refused.reason() + ": " + refused.detail(),
                        refused.reason() == Refusal.TOO_FAR_AHEAD);
            };
        }

        @Override
        public Optional<byte[]> ackSecret(EnvelopeHeader header, byte[] ciphertext, Instant now) {
            return sessions.ackSecret(header, ciphertext, now).map(AckSecret::bytes);
        }
    }

    // ---------------------------------------------------------------- holding

    /**
     * Passes an ACK this node accepted as a holder on to the envelope's other holders, if the ACK
     * names no holder or this one first, and not to those it names: when the recipient reached
     * every holder, nothing is forwarded. Each forwarded ACK names its forwarder first and
     * everyone it covers, so it is not passed on again.
     */
    private void forwardAck(EnvelopeHeader header, AckSecret secret, PeerId from, List<PeerId> notified) {
        // One holder forwards: the first one named. Holders' views of the closest peers differ a
        // little, and each of them forwarding to the ones it alone sees was most of the ACK traffic.
        if (!notified.isEmpty() && !notified.getFirst().equals(host.peerId())) return;
        deliveryThread.schedule(() -> holders.holders(header.mailbox(), from).thenAccept(closest -> {
            EnvelopeId id = EnvelopeId.of(header.envelopeId());
            Set<PeerId> covered = new LinkedHashSet<>();
            covered.add(host.peerId());
            covered.addAll(notified);
            covered.add(from);
            // The k + m closest counting this node, which the directory leaves out of its answer.
            List<PeerId> withSelf = new ArrayList<>(closest);
            withSelf.add(host.peerId());
            List<PeerId> ranked = KadKey.of(header.mailbox()).closestFirst(withSelf);
            int shardCount = header.dataShards() + header.parityShards();
            List<PeerId> targets = ranked.subList(0, Math.min(ranked.size(), shardCount))
                    .stream().filter(holder -> !covered.contains(holder)).toList();
            covered.addAll(targets);
            for (PeerId holder : targets) mailboxClient.ack(holder, id, secret, covered, shardCount).exceptionally(e -> null);
        }), ACK_FORWARD_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- ports

    /** The node's connections, peer store, DHT and direct client, as the direct route uses them. */
    private final class DirectNetwork implements DirectRoute.Network {
        @Override
        public boolean connected(PeerId peer) {
            return !host.connections(peer).isEmpty();
        }

        @Override
        public List<Multiaddr> addresses(PeerId peer) {
            return host.peerStore().addresses(peer);
        }

        @Override
        public void addAddresses(PeerId peer, List<Multiaddr> addresses) {
            host.peerStore().addAddresses(peer, addresses);
        }

        @Override
        public CompletableFuture<List<Multiaddr>> findPeer(PeerId peer) {
            return dht.findPeer(peer);
        }

        @Override
        public CompletableFuture<DeliveryResult> deliver(PeerId peer, EnvelopeHeader header, byte[] ciphertext, java.time.Duration timeout) {
            return directClient.deliver(peer, header, ciphertext, timeout);
        }
    }

    private final class Shards implements DeliveryPorts.ShardTransport {
        @Override
        public CompletableFuture<StoreOutcome> store(PeerId holder, EnvelopeHeader header, int index, byte[] shard) {
            return mailboxClient.store(holder, header, index, shard).handle((reply, failure) -> {
                if (failure != null) return StoreOutcome.UNREACHABLE;
                return StoreOutcome.of(reply.status());
            });
        }

        @Override
        public CompletableFuture<Set<EnvelopeId>> acknowledged(PeerId holder, List<EnvelopeId> envelopes) {
            return mailboxClient.acknowledged(holder, envelopes);
        }
    }

    private final class Reader implements MailboxRetrieval.MailboxReader {
        @Override
        public CompletableFuture<FetchedPage> fetch(PeerId holder, IdentityKeyPair owner, Optional<byte[]> cursor, int limit) {
            return mailboxClient.fetch(holder, owner, cursor, limit);
        }

        @Override
        public CompletableFuture<Boolean> acknowledge(PeerId holder, byte[] envelopeId, byte[] secret, Collection<PeerId> notified,
                int shardCount) {
            return mailboxClient.ack(holder, EnvelopeId.of(envelopeId), AckSecret.of(secret), notified, shardCount)
                    .thenApply(MailboxReply::isOk);
        }

        @Override
        public CompletableFuture<AutoCloseable> watch(PeerId holder, IdentityKeyPair owner, Runnable onPush, Runnable onEnd) {
            return mailboxClient.watch(holder, owner, new WatchListener() {
                @Override
                public void onShard(EnvelopeHeader header, int index) {
                    onPush.run();
                }

                @Override
                public void onEnd(MailboxReply reason) {
                    onEnd.run();
                }
            }).thenApply(watch -> watch);
        }
    }

    @Override
    public void close() {
        if (prekeyCheck != null) prekeyCheck.cancel(false);
        retrieval.close();
        outbox.close();
        directServer.close();
        directClient.close();
        mailboxClient.close();
        mailboxServer.close();
    }
}
