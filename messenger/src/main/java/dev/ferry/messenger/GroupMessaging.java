package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.OpeningKeys;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.crypto.envelope.SealingKeys;
import dev.ferry.crypto.senderkey.SenderKeyLimits;
import dev.ferry.messenger.delivery.DeliveryPorts.HolderDirectory;
import dev.ferry.messenger.delivery.MailboxRetrieval;
import dev.ferry.messenger.delivery.OutgoingEnvelope;
import dev.ferry.messenger.group.EpochSecret;
import dev.ferry.messenger.group.GroupChange;
import dev.ferry.messenger.group.GroupDecrypted;
import dev.ferry.messenger.group.GroupEncrypted;
import dev.ferry.messenger.group.GroupRefusal;
import dev.ferry.messenger.group.GroupResult;
import dev.ferry.messenger.group.GroupState;
import dev.ferry.messenger.group.GroupStatus;
import dev.ferry.messenger.group.Groups;
import dev.ferry.messenger.group.Outgoing;
import dev.ferry.pubsub.router.GossipSubRouter;
import dev.ferry.store.FerryStore;
import dev.ferry.store.GroupId;
import dev.ferry.store.OutboxState;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Group chats of a {@link FerryNode}: the group layer ({@link Groups}) wired to the pairwise
 * sessions (control messages and sender keys), GossipSub (each group's topic) and the group's
 * mailbox (messages stored, erasure-coded, until they expire, for members who are away).
 *
 * <p>All group state is read and written on the intake thread, one change at a time; decoded
 * states are kept in memory (decoding re-verifies every member's identity).
 */
final class GroupMessaging implements AutoCloseable {
    /** Groups one node takes part in: each costs a topic, a mailbox watch and a fetch per round. */
    static final int MAX_GROUPS = 256;
    /** The most a sender-key message adds around its plaintext: ids, the chain's position and the signature. */
    static final int SENDER_KEY_OVERHEAD = SenderKeyLimits.MAX_MESSAGE_LENGTH - SenderKeyLimits.MAX_PLAINTEXT_LENGTH;

    private final Groups groups;
    private final Messaging messaging;
    private final FerryStore store;
    private final GossipSubRouter pubsub;
    private final HolderDirectory holders;
    private final dev.ferry.messenger.delivery.MailboxRetrieval.MailboxReader reader;
    private final MessengerConfig config;
    private final Clock clock;
    private final SecureRandom random;
    /** Ephemeral keys shared by a run of this member's envelopes to one group epoch's seal key. */
    private final SealingKeys sealingKeys;
    private final ScheduledExecutorService deliveryThread;
    private final Map<GroupId, GroupState> states = new HashMap<>();
    private final Map<GroupId, MailboxRetrieval> retrievals = new HashMap<>();
    private final Map<GroupId, Long> watchedEpoch = new HashMap<>();
    /** Group messages that came before what opens them (their sender's key, their epoch), by group, oldest first. */
    private final Map<GroupId, java.util.ArrayDeque<Waiting>> waiting = new HashMap<>();

    /** A group message kept until its sender's key or its epoch arrives. */
    private record Waiting(byte[] message, Instant arrived) {}

    /**
     * Group messages kept per group for a key or an epoch still on its way: a member who just
     * joined hears its peers' first messages before their keys, which come over 1:1 sessions that
     * may still be starting. Beyond this the oldest go; the group mailbox still has them.
     */
    static final int MAX_WAITING_PER_GROUP = 256;
    /** How long a message waits for its key: past the epoch grace it could not be read anyway. */
    static final java.time.Duration MAX_WAIT = dev.ferry.messenger.group.GroupLimits.EPOCH_GRACE;

    GroupMessaging(Groups groups, Messaging messaging, FerryStore store, GossipSubRouter pubsub, HolderDirectory holders,
            MailboxRetrieval.MailboxReader reader, MessengerConfig config, Clock clock, SecureRandom random,
            ScheduledExecutorService deliveryThread) {
        this.groups = groups;
        this.messaging = messaging;
        this.store = store;
        this.pubsub = pubsub;
        this.holders = holders;
        this.reader = reader;
        this.config = config;
        this.clock = clock;
        this.random = random;
        this.sealingKeys = new SealingKeys(random);
        this.deliveryThread = deliveryThread;
        messaging.groupControl(this::handleControl);
    }

    /** Loads the groups this node is in and listens to each. */
    CompletableFuture<Integer> start() {
        return messaging.onIntakeThread(() -> {
            Optional<GroupId> after = Optional.empty();
            int loaded = 0;
            while (loaded < MAX_GROUPS) {
                List<Map.Entry<GroupId, byte[]>> page = store.groups().list(after, 100);
                if (page.isEmpty()) break;
                for (Map.Entry<GroupId, byte[]> entry : page) {
                    if (GroupState.decode(entry.getValue()) instanceof GroupResult.Ok<GroupState> ok) {
                        states.put(entry.getKey(), ok.value());
                        listen(ok.value());
                        loaded++;
                    }
                }
                after = Optional.of(page.getLast().getKey());
            }
            return loaded;
        });
    }

    // ---------------------------------------------------------------- the user's operations

    CompletableFuture<GroupState> create(String name) {
        return messaging.onIntakeThread(() -> {
            if (states.size() >= MAX_GROUPS) throw new IllegalStateException("this node is in " + MAX_GROUPS + " groups, the most it takes");
            GroupState state = groups.create(name);
            save(state);
            listen(state);
            return state;
        });
    }

    /** Invites {@code member}: its identity comes from its prekey bundle (looked up as for a 1:1 message). */
    CompletableFuture<GroupState> invite(byte[] groupId, PeerId member) {
        return messaging.bundleOf(member).thenCompose(bundle -> change(groupId, state -> groups.invite(state, bundle.identity())));
    }

    CompletableFuture<GroupState> remove(byte[] groupId, PeerId member) {
        return change(groupId, state -> groups.remove(state, member));
    }

    CompletableFuture<GroupState> leave(byte[] groupId) {
        return change(groupId, groups::leave);
    }

    /** The groups this node is in, as they stand. */
    CompletableFuture<List<GroupState>> list() {
        return messaging.onIntakeThread(() -> List.copyOf(states.values()));
    }

    /**
     * Sends {@code body} to the group: encrypted with this member's sender key, published on the
     * group's topic and stored in the group's mailbox for members who are away.
     */
    CompletableFuture<Void> send(byte[] groupId, ContentType type, byte[] body) {
        return messaging.onIntakeThread(() -> {
            GroupState state = require(groupId);
            byte[] plaintext = GroupPayload.encode(type, body, clock.instant());
            messaging.checkEnvelopeSize(plaintext.length, SENDER_KEY_OVERHEAD);
            GroupEncrypted encrypted = groups.encrypt(state, plaintext).orElseThrow();
            OutgoingEnvelope envelope = sealForMailbox(encrypted.next(), encrypted.message());
            store.write(batch -> {
                batch.groups().put(encrypted.next().storeKey(), encrypted.next().encode());
                batch.outbox().put(envelope.entry(OutboxState.PENDING));
                if (Conversations.isShown(type)) messaging.conversations().recordSentToGroup(batch, groupId, type, body, clock.instant());
            });
            states.put(encrypted.next().storeKey(), encrypted.next());
            pubsub.publish(state.topic(), encrypted.message());
            messaging.submit(envelope);
            return null;
        });
    }

    private OutgoingEnvelope sealForMailbox(GroupState state, byte[] message) {
        EpochSecret secret = state.currentSecret();
        Instant now = clock.instant();
        InnerContent content = InnerContent.create(ContentType.GROUP_MESSAGE, messaging.identity().publicKey(), now, message, random);
        // Every member can read the inner ACK secret: a group envelope must not be acknowledgeable,
        // or one member could delete it before those away fetch it. It stays until it expires.
        SealedEnvelope.Sealed sealed = SealedEnvelope.sealUnacknowledgeable(content, secret.sealKeyPair().publicKey(),
                secret.mailboxKey(), now, now.plus(config.ttl()), sealingKeys);
        return OutgoingEnvelope.coded(secret.mailboxIdentity().peerId(), sealed, config.erasure(), 0, now, true);
    }

    private CompletableFuture<GroupState> change(byte[] groupId, java.util.function.Function<GroupState, GroupResult<GroupChange>> operation) {
        return messaging.onIntakeThread(() -> {
            GroupChange change = operation.apply(require(groupId)).orElseThrow();
            save(change.state());
            listen(change.state());
            sendAll(change.outgoing());
            return change.state();
        });
    }

    private GroupState require(byte[] groupId) {
        GroupState state = states.get(GroupId.of(groupId));
        if (state == null) throw new IllegalArgumentException("this node is not in that group");
        return state;
    }

    private void save(GroupState state) {
        store.groups().put(state.storeKey(), state.encode());
        states.put(state.storeKey(), state);
    }

    /** Control messages go over the pairwise sessions, after the state that produced them is written. */
    private void sendAll(List<Outgoing> outgoing) {
        for (Outgoing message : outgoing) {
            // A member without a session gets one only from a bundle that carries the roster's identity for it.
            messaging.send(message.recipientPeerId(), ContentType.GROUP_CONTROL, message.control(), Optional.of(message.recipient()));
        }
    }

    // ---------------------------------------------------------------- arriving

    /** A control message from a 1:1 session, on the intake thread: the change goes into the session's batch. */
    private GroupControl.Outcome handleControl(PeerId sender, byte[] control) {
        GroupResult<dev.ferry.store.GroupId> group = Groups.groupOfControl(control);
        if (!(group instanceof GroupResult.Ok<GroupId> ok)) return GroupControl.IGNORE.handle(sender, control);
        Optional<GroupState> current = Optional.ofNullable(states.get(ok.value()));
        if (current.isEmpty() && states.size() >= MAX_GROUPS) return GroupControl.IGNORE.handle(sender, control);
        GroupResult<GroupChange> result = groups.handle(current, control, sender);
        if (!(result instanceof GroupResult.Ok<GroupChange> changed)) return GroupControl.IGNORE.handle(sender, control);
        GroupState next = changed.value().state();
        return new GroupControl.Outcome(batch -> batch.groups().put(next.storeKey(), next.encode()), () -> {
            states.put(next.storeKey(), next);
            listen(next);
            sendAll(changed.value().outgoing());
            retryWaiting(next.storeKey());
        });
    }

    /** Keeps a message that a key or an epoch on its way will open; on the intake thread. */
    private void keep(GroupId groupId, byte[] message) {
        java.util.ArrayDeque<Waiting> queue = waiting.computeIfAbsent(groupId, g -> new java.util.ArrayDeque<>());
        if (queue.size() >= MAX_WAITING_PER_GROUP) queue.removeFirst();
        queue.addLast(new Waiting(message.clone(), clock.instant()));
    }

    /** After a group's state changed (a key or an epoch arrived): reads again what waited for it; on the intake thread. */
    private void retryWaiting(GroupId groupId) {
        java.util.ArrayDeque<Waiting> queue = waiting.remove(groupId);
        if (queue == null) return;
        Instant oldest = clock.instant().minus(MAX_WAIT);
        // Each goes through receive again: read now, or kept again if still early.
        for (Waiting w : queue) {
            if (w.arrived().isAfter(oldest)) receive(groupId, w.message());
        }
    }

    /** A group message from the topic or the mailbox, on the intake thread. */
    private void receive(GroupId groupId, byte[] message) {
        GroupState state = states.get(groupId);
        if (state == null) return;
        GroupResult<GroupDecrypted> result = groups.decrypt(state, message);
        if (result instanceof GroupResult.Refused<GroupDecrypted> refused) {
            GroupRefusal.Reason reason = refused.refusal().reason();
            if (reason == GroupRefusal.Reason.NO_SENDER_KEY || reason == GroupRefusal.Reason.EPOCH_AHEAD) keep(groupId, message);
            return; // else own, replayed or not for us
        }
        GroupDecrypted decrypted = ((GroupResult.Ok<GroupDecrypted>) result).value();
        Optional<GroupPayload> payload = GroupPayload.decode(decrypted.plaintext());
        Instant now = clock.instant();
        ReceivedMessage received = payload.map(p -> new ReceivedMessage(decrypted.sender(), Optional.of(groupId.bytes()), 0, p.type(),
                p.body(), p.sentAt(), now)).orElse(null);
        store.write(batch -> {
            batch.groups().put(decrypted.next().storeKey(), decrypted.next().encode());
            if (received != null) batch.inbox().append(InboxRecords.conversationOf(received), InboxRecords.encode(received));
        });
        states.put(decrypted.next().storeKey(), decrypted.next());
        if (received != null) messaging.deliverToListeners(List.of(received));
    }

    /** Subscribes to the group's topic once, and fetches its current epoch's mailbox. */
    private void listen(GroupState state) {
        GroupId id = state.storeKey();
        if (state.status() != GroupStatus.ACTIVE) {
            MailboxRetrieval old = retrievals.remove(id);
            if (old != null) old.close();
            return;
        }
        if (!watchedEpoch.containsKey(id)) {
            pubsub.subscribe(state.topic(), message -> messaging.onIntakeThread(() -> {
                receive(id, message.data());
                return null;
            }));
        }
        Long epoch = watchedEpoch.get(id);
        if (epoch != null && epoch == state.epoch()) return;
        watchedEpoch.put(id, state.epoch());
        MailboxRetrieval old = retrievals.remove(id);
        if (old != null) old.close();
        EpochSecret secret = state.currentSecret();
        // A member's run of group envelopes shares one ephemeral sealing key: one agreement opens them all.
        OpeningKeys opening = new OpeningKeys(secret.sealKeyPair());
        MailboxRetrieval retrieval = new MailboxRetrieval(secret.mailboxKey(), secret.mailboxIdentity(), secret.mailboxIdentity().peerId(),
                false, holders, reader,
                MailboxRetrieval.Intake.oneByOne((header, ciphertext) -> openFromMailbox(id, opening, header, ciphertext)), deliveryThread,
                config.fetchInterval(), config.erasure().totalShards());
        retrievals.put(id, retrieval);
        retrieval.start();
    }

    private CompletableFuture<MailboxRetrieval.IntakeOutcome> openFromMailbox(GroupId id, OpeningKeys opening, EnvelopeHeader header,
            byte[] ciphertext) {
        return messaging.onIntakeThread(() -> {
            try {
                InnerContent content = SealedEnvelope.open(opening, header, ciphertext, clock.instant());
                if (content.type() == ContentType.GROUP_MESSAGE) receive(id, content.payload());
            } catch (EnvelopeException e) {
                // not a group envelope of this epoch: nothing to read, nothing to acknowledge
            }
            return new MailboxRetrieval.IntakeOutcome.Done();
        });
    }

    /** Fetches every group mailbox now. */
    CompletableFuture<Void> fetchNow() {
        return messaging.onIntakeThread(() -> List.copyOf(retrievals.values()))
                .thenCompose(all -> CompletableFuture.allOf(all.stream().map(MailboxRetrieval::fetchNow).toArray(CompletableFuture[]::new)));
    }

    @Override
    public void close() {
        messaging.onIntakeThread(() -> {
            retrievals.values().forEach(MailboxRetrieval::close);
            retrievals.clear();
            return null;
        });
    }
}
