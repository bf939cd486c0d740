package dev.ferry.messenger.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.OpeningKeys;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.crypto.envelope.SealingKeys;
import dev.ferry.crypto.ratchet.RatchetException;
import dev.ferry.crypto.ratchet.RatchetMessage;
import dev.ferry.crypto.ratchet.RatchetSession;
import dev.ferry.crypto.x3dh.InitialMessage;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.PrekeyRing;
import dev.ferry.crypto.x3dh.X3dh;
import dev.ferry.crypto.x3dh.X3dhException;
import dev.ferry.messenger.proto.SessionProto;
import dev.ferry.messenger.session.SessionRecord.SessionEntry;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.StoreAccess;
import dev.ferry.store.StoreBatch;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One-to-one sessions: turns an application message for a peer into a sealed envelope over X3DH
 * and the Double Ratchet, and a received envelope back into the peer's messages, each exactly
 * once and in the order it was sent.
 *
 * <p>No I/O but reading the store it is given: every change comes back as a
 * {@code Consumer<StoreBatch>} that the caller writes in one batch with its own records (the
 * outbox entry, the inbox messages); until then nothing changed. Time and randomness are
 * injected. Calls for one peer must not overlap: the caller's service thread makes them one at a
 * time, and a change computed from a record that has changed since is refused inside the batch.
 *
 * <p>The rules ({@code docs/PROTOCOLS-session-direct.md}): each message carries the sender's
 * stream id, its sequence number and the sender's floor (the lowest sequence it still has in
 * flight); the recipient delivers in sequence order, holds early messages, and skips a gap below
 * the floor. A peer's new X3DH initiation is accepted as a second session while it lasts
 * (simultaneous initiation; both sides then settle on the same session), and replaces the peer's
 * old sessions when it comes with a new stream (the peer lost its state). An initiation whose
 * ephemeral key was accepted before never makes a session again.
 */
public final class SessionLayer {
    private final MessagingIdentity identity;
    private final Supplier<PrekeyRing> prekeys;
    private final PrekeyPolicy policy;
    private final FerryStore store;
    private final Clock clock;
    private final SecureRandom random;
    private final byte[] ownPeerBytes;
    private final DecodedRecords decoded = new DecodedRecords(DecodedRecords.MAX_BYTES);
    /** Ephemeral keys shared by a run of envelopes to one recipient, and the agreements with senders' keys. */
    private final SealingKeys sealingKeys;
    private final OpeningKeys openingKeys;

    /**
     * @param identity our messaging identity (its X25519 key opens envelopes sealed to us)
     * @param prekeys our current prekey ring, asked when a peer's initial message arrives
     * @param policy how long replaced prekeys still answer, and how old a peer's bundle may be
     * @param store where session records are read from (never written: the caller writes the changes)
     */
    public SessionLayer(MessagingIdentity identity, Supplier<PrekeyRing> prekeys, PrekeyPolicy policy, FerryStore store,
            Clock clock, SecureRandom random) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.prekeys = Objects.requireNonNull(prekeys, "prekeys");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.ownPeerBytes = identity.nodeKey().peerId().toBytes();
        this.sealingKeys = new SealingKeys(random);
        this.openingKeys = new OpeningKeys(identity.dhKeyPair());
    }

    /** Whether a session with {@code peer} exists, so that {@link #seal} needs no bundle. */
    public boolean hasSession(PeerId peer) {
        return store.sessions().get(keyOf(peer)).isPresent();
    }

    /**
     * Seals {@code body} for {@code recipient} as its next message in sequence.
     *
     * @param bundle the recipient's prekey bundle: needed only when there is no session with it
     *     yet, ignored otherwise
     * @param expires the envelope's expiry (after now, at most {@code EnvelopeLimits.MAX_TTL} later)
     * @param inFlightFloor the lowest sequence towards this recipient still in flight (neither
     *     acknowledged nor expired); {@link Long#MAX_VALUE} when none is
     * @throws SessionException NO_SESSION without a session or bundle, BAD_BUNDLE when X3DH refuses the bundle
     * @throws IllegalArgumentException for a body over {@link SessionLimits#MAX_BODY_LENGTH}, a
     *     negative floor or an expiry the envelope refuses
     */
    public SealedMessage seal(PeerId recipient, Optional<PrekeyBundle> bundle, ContentType type, byte[] body, Instant expires,
            long inFlightFloor) throws SessionException {
        Objects.requireNonNull(type, "type");
        if (body.length > SessionLimits.MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("body of " + body.length + " bytes exceeds " + SessionLimits.MAX_BODY_LENGTH);
        }
        return sealBody(recipient, bundle, type, body, expires, inFlightFloor);
    }

    /**
     * Seals a floor update for {@code recipient}: no message, only our floor. Send one when the
     * floor rose past a message that expired undelivered, so that the recipient delivers what it
     * holds behind that gap now rather than with our next message. It takes no sequence number
     * ({@link SealedMessage#sequence()} is -1) and never holds anything up; a lost one is
     * harmless, as every later message carries the floor too.
     *
     * @throws SessionException NO_SESSION when there is no session with the recipient
     */
    public SealedMessage sealFloorUpdate(PeerId recipient, Instant expires, long inFlightFloor) throws SessionException {
        return sealBody(recipient, Optional.empty(), null, null, expires, inFlightFloor);
    }

    /** Seals a message, or a floor update when {@code type} is null. */
    private SealedMessage sealBody(PeerId recipient, Optional<PrekeyBundle> bundle, ContentType type, byte[] body, Instant expires,
            long inFlightFloor) throws SessionException {
        if (inFlightFloor < 0) throw new IllegalArgumentException("in-flight floor must not be negative");
        Instant now = clock.instant();
        PeerBytes key = keyOf(recipient);
        Optional<byte[]> stored = store.sessions().get(key);
        SessionRecord record = decoded.take(key, stored).orElse(null);
        if (record == null) {
            record = initiate(recipient, bundle.orElseThrow(() -> new SessionException(SessionException.Reason.NO_SESSION,
                    "no session with " + recipient + " and no prekey bundle to start one")), now);
        }
        long sequence = record.nextSendSequence;
        SessionProto.SessionMessageBody.Builder message = SessionProto.SessionMessageBody.newBuilder()
                .setStream(ByteString.copyFrom(record.localStream))
                .setFloor(Math.min(Math.max(inFlightFloor, record.sendFloorMinimum), sequence))
                .setSentMillis(now.toEpochMilli());
        if (type == null) {
            message.setFloorOnly(true);
            sequence = -1;
        } else {
            message.setSequence(sequence).setContentType(ContentTypes.toWire(type)).setBody(ByteString.copyFrom(body));
            record.nextSendSequence = sequence + 1;
        }
        byte[] plaintext = message.build().toByteArray();
        SessionEntry current = record.current();
        RatchetSession.Encrypted encrypted = current.ratchet.encrypt(plaintext);
        Arrays.fill(plaintext, (byte) 0);
        current.ratchet = encrypted.next();
        SessionProto.SessionPayload.Builder payload = SessionProto.SessionPayload.newBuilder()
                .setRatchetMessage(ByteString.copyFrom(encrypted.message()));
        if (current.pendingInitialMessage != null) payload.setInitialMessage(ByteString.copyFrom(current.pendingInitialMessage));
        InnerContent content = InnerContent.create(ContentType.SESSION_MESSAGE, identity.nodeKey().publicKey(), now,
                payload.build().toByteArray(), random);
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, record.remoteDhKey, Mailbox.keyFor(recipient), now, expires, sealingKeys);
        return new SealedMessage(recipient, sealed, sequence, current.pendingInitialMessage != null,
                commit(key, stored, record, batch -> {}));
    }

    /** A new record whose one session we initiate from {@code bundle}. */
    private SessionRecord initiate(PeerId recipient, PrekeyBundle bundle, Instant now) throws SessionException {
        X3dh.Initiation initiation;
        try {
            initiation = X3dh.initiate(identity, bundle, recipient, now, policy, random);
        } catch (X3dhException e) {
            throw new SessionException(SessionException.Reason.BAD_BUNDLE, e.getMessage());
        }
        byte[] secret = initiation.sharedSecret();
        RatchetSession ratchet = RatchetSession.initAsInitiator(secret, initiation.associatedData(), initiation.remoteRatchetKey(), random);
        Arrays.fill(secret, (byte) 0);
        SessionRecord record = SessionRecord.fresh(initiation.remote().signingKey(), initiation.remote().dhKey(), newStreamId());
        InitialMessage initial = initiation.message();
        record.sessions.add(new SessionEntry(ratchet, true, initial.ephemeralPublic(), initial.encode(), false, record.sessionsCreated++));
        return record;
    }

    /**
     * The ACK secret of an envelope sealed to us, read from its seal alone (no session is
     * consulted or changed): how an envelope delivered before is acknowledged again. Empty when
     * the seal does not open, or the envelope is not live at {@code now}.
     */
    public Optional<AckSecret> ackSecret(EnvelopeHeader header, byte[] ciphertext, Instant now) {
        try {
            return Optional.of(SealedEnvelope.open(openingKeys, header, ciphertext, now).ackSecret());
        } catch (EnvelopeException e) {
            return Optional.empty();
        }
    }

    /**
     * Opens an envelope received for us: checks the seal, the sender's claim against the
     * session, replays and the sequence, and returns the messages now deliverable in order with
     * the change to write, or a refusal that changed nothing.
     */
    public OpenResult open(EnvelopeHeader header, byte[] ciphertext) {
        return open(header, ciphertext, store);
    }

    /**
     * As above, reading session records and tombstones through {@code reads}: a batch in which
     * the envelopes opened before this one staged their changes, which this one builds on (the
     * change it returns checks, when applied, that the record is still the one it read there).
     */
    public OpenResult open(EnvelopeHeader header, byte[] ciphertext, StoreAccess reads) {
        Instant now = clock.instant();
        InnerContent content;
        try {
            content = SealedEnvelope.open(openingKeys, header, ciphertext, now);
        } catch (EnvelopeException e) {
            Refusal reason = switch (e.reason()) {
                case DECRYPTION_FAILED -> Refusal.NOT_FOR_US;
                case EXPIRED, NOT_YET_VALID -> Refusal.EXPIRED;
                default -> Refusal.MALFORMED;
            };
            return new OpenResult.Refused(reason, Optional.empty(), Optional.empty(), e.getMessage());
        }
        return new Opening(header, content, now, reads).run();
    }

    /** One received envelope whose seal opened, worked through on a copy of the peer's record. */
    private final class Opening {
        private final EnvelopeHeader header;
        private final InnerContent content;
        private final Instant now;
        private final PeerId sender;
        private final AckSecret ack;
        private final StoreAccess reads;

        Opening(EnvelopeHeader header, InnerContent content, Instant now, StoreAccess reads) {
            this.header = header;
            this.content = content;
            this.now = now;
            this.reads = reads;
            this.sender = content.sender().toPeerId();
            this.ack = content.ackSecret();
        }

        private OpenResult.Refused refuse(Refusal reason, String detail) {
            return new OpenResult.Refused(reason, Optional.of(sender), Optional.of(ack), detail);
        }

        OpenResult run() {
            if (content.type() != ContentType.SESSION_MESSAGE) return refuse(Refusal.MALFORMED, "content type " + content.type() + " is not a session message");
            EnvelopeId envelope = EnvelopeId.of(header.envelopeId());
            if (reads.tombstones().contains(envelope)) return refuse(Refusal.DUPLICATE, "envelope received before");
            byte[] payloadBytes = content.payload();
            if (payloadBytes.length > SessionLimits.MAX_PAYLOAD_LENGTH) return refuse(Refusal.MALFORMED, "session payload too large");
            SessionProto.SessionPayload payload;
            InitialMessage initial = null;
            RatchetMessage message;
            try {
                payload = SessionProto.SessionPayload.parseFrom(payloadBytes);
                if (!payload.getInitialMessage().isEmpty()) initial = InitialMessage.decode(payload.getInitialMessage().toByteArray());
                message = RatchetMessage.decode(payload.getRatchetMessage().toByteArray());
            } catch (InvalidProtocolBufferException | X3dhException | RatchetException e) {
                return refuse(Refusal.MALFORMED, "session payload: " + e.getMessage());
            }
            if (initial != null && !initial.sender().signingKey().equals(content.sender())) {
                return refuse(Refusal.WRONG_SENDER, "initial message is from " + initial.sender().peerId() + ", inner sender claims " + sender);
            }
            PeerBytes key = keyOf(sender);
            Optional<byte[]> stored = reads.sessions().get(key);
            SessionRecord record = decoded.take(key, stored).orElse(null);
            if (record != null && !record.remoteSigningKey.equals(content.sender())) {
                return refuse(Refusal.WRONG_SENDER, "session record is not the claimed sender's");
            }

            Decryption decryption = initial != null ? decryptWithInitial(record, initial, message) : decryptInSessions(record, message);
            if (decryption.refusal != null) return decryption.refusal;

            SessionProto.SessionMessageBody body;
            ReceivedMessage received = null; // stays null for a floor update
            try {
                body = SessionProto.SessionMessageBody.parseFrom(decryption.plaintext);
                if (body.getStream().size() != SessionLimits.STREAM_ID_LENGTH) throw new IllegalArgumentException("stream id of " + body.getStream().size() + " bytes");
                if (body.getFloor() < 0) throw new IllegalArgumentException("negative floor");
                if (!body.getFloorOnly()) {
                    if (body.getSequence() < 0 || body.getFloor() > body.getSequence()) {
                        throw new IllegalArgumentException("floor " + body.getFloor() + " above sequence " + body.getSequence());
                    }
                    received = new ReceivedMessage(body.getSequence(), ContentTypes.fromWire(body.getContentType()), body.getBody().toByteArray(),
                            Instant.ofEpochMilli(body.getSentMillis()));
                }
            } catch (InvalidProtocolBufferException | IllegalArgumentException | java.time.DateTimeException e) {
                return refuse(Refusal.MALFORMED, "message body: " + e.getMessage());
            } finally {
                Arrays.fill(decryption.plaintext, (byte) 0);
            }
            byte[] stream = body.getStream().toByteArray();

            SessionEntry entry = decryption.entry;
            boolean restarted = false;
            List<ReceivedMessage> deliverable = new ArrayList<>();
            if (record == null) {
                record = SessionRecord.fresh(initial.sender().signingKey(), initial.sender().dhKey(), newStreamId());
                record.remoteStream = stream;
                record.nextExpectedSequence = body.getFloor();
            } else if (record.remoteStream == null) {
                record.remoteStream = stream;
                record.nextExpectedSequence = body.getFloor();
            } else if (!Arrays.equals(record.remoteStream, stream)) {
                if (record.isRetired(stream)) return refuse(Refusal.STALE, "from a sequence the peer abandoned when it lost its state");
                // The peer lost its state: what we held of its old sequence goes out now (the rest
                // will never come), its old sessions are useless to it, and our messages to its old
                // state will never be read, so our floor moves past them.
                deliverable.addAll(record.held.values());
                record.held.clear();
                remember(record.retiredRemoteStreams, record.remoteStream, SessionLimits.MAX_RETIRED_STREAMS);
                record.remoteStream = stream;
                record.nextExpectedSequence = body.getFloor();
                record.sendFloorMinimum = record.nextSendSequence;
                record.sessions.removeIf(s -> s != entry);
                restarted = true;
            }

            long floor = body.getFloor();
            long expected = Math.max(record.nextExpectedSequence, floor);
            if (received != null) {
                long sequence = received.sequence();
                if (sequence < record.nextExpectedSequence || record.held.containsKey(sequence)) {
                    return refuse(Refusal.DUPLICATE, "sequence " + sequence + " received before or skipped");
                }
                if (sequence - expected >= SessionLimits.MAX_SEQUENCE_AHEAD) {
                    return refuse(Refusal.TOO_FAR_AHEAD, "sequence " + sequence + " is " + (sequence - expected) + " past the next expected");
                }
                if (sequence != expected && (record.held.size() >= SessionLimits.MAX_HELD_MESSAGES
                        || record.heldBytes() + received.bodyLength() > SessionLimits.MAX_HELD_BYTES)) {
                    return refuse(Refusal.TOO_FAR_AHEAD, "the hold for early messages is full");
                }
            }
            // Below the floor nothing more will come: what is held there goes out, gaps and all.
            while (!record.held.isEmpty() && record.held.firstKey() < floor) {
                deliverable.add(record.held.pollFirstEntry().getValue());
            }
            if (received != null && received.sequence() == expected) {
                deliverable.add(received);
                expected++;
            } else if (received != null) {
                record.held.put(received.sequence(), received);
            }
            // This message, or the floor, may have closed a gap.
            while (!record.held.isEmpty() && record.held.firstKey() == expected) {
                deliverable.add(record.held.pollFirstEntry().getValue());
                expected++;
            }
            record.nextExpectedSequence = expected;

            entry.ratchet = decryption.next;
            entry.received = true;
            entry.pendingInitialMessage = null; // answered: later messages need no initial message
            if (decryption.newSession) {
                entry.ordinal = record.sessionsCreated++;
                if (!record.sessions.contains(entry)) record.sessions.add(entry);
                remember(record.acceptedBaseKeys, entry.baseKey, SessionLimits.MAX_REMEMBERED_BASE_KEYS);
                record.remoteDhKey = initial.sender().dhKey(); // the identity key the peer now opens seals with
            }
            rank(record);
            return new OpenResult.Accepted(sender, envelope, deliverable, ack, decryption.newSession, restarted,
                    commit(key, stored, record, batch -> batch.tombstones().put(envelope, header.expires())));
        }

        /** A message that carries the peer's initial message: its session, or a new one. */
        private Decryption decryptWithInitial(SessionRecord record, InitialMessage initial, RatchetMessage message) {
            byte[] baseKey = initial.ephemeralPublic();
            SessionEntry known = record == null ? null : record.sessionWithBaseKey(baseKey);
            if (known != null) {
                return decryptIn(List.of(known), message);
            }
            if (record != null && record.hasAcceptedBaseKey(baseKey)) {
                return Decryption.refused(refuse(Refusal.REPLAYED_INITIAL, "initial message accepted before; its session is gone"));
            }
            X3dh.Agreement agreement;
            try {
                agreement = X3dh.respond(identity, prekeys.get(), initial, now, policy);
            } catch (X3dhException e) {
                return Decryption.refused(refuse(Refusal.UNDECRYPTABLE, "X3DH: " + e.getMessage()));
            }
            byte[] secret = agreement.sharedSecret();
            RatchetSession fresh = RatchetSession.initAsResponder(secret, agreement.associatedData(), agreement.ownRatchetKeyPair());
            Arrays.fill(secret, (byte) 0);
            try {
                RatchetSession.Decrypted decrypted = fresh.decrypt(message, random);
                SessionEntry entry = new SessionEntry(fresh, false, baseKey, null, true, 0); // ordinal set when it joins the record
                return new Decryption(entry, decrypted.plaintext(), decrypted.next(), true, null);
            } catch (RatchetException e) {
                return Decryption.refused(refuse(Refusal.UNDECRYPTABLE, "first message of a new session: " + e.getMessage()));
            }
        }

        private Decryption decryptInSessions(SessionRecord record, RatchetMessage message) {
            if (record == null) return Decryption.refused(refuse(Refusal.UNDECRYPTABLE, "no session with the claimed sender"));
            return decryptIn(record.sessions, message);
        }

        /** The first of {@code sessions} that decrypts {@code message}. */
        private Decryption decryptIn(List<SessionEntry> sessions, RatchetMessage message) {
            boolean duplicate = false;
            boolean tooFar = false;
            for (SessionEntry entry : sessions) {
                try {
                    RatchetSession.Decrypted decrypted = entry.ratchet.decrypt(message, random);
                    return new Decryption(entry, decrypted.plaintext(), decrypted.next(), false, null);
                } catch (RatchetException e) {
                    duplicate |= e.reason() == RatchetException.Reason.DUPLICATE;
                    tooFar |= e.reason() == RatchetException.Reason.TOO_MANY_SKIPPED;
                }
            }
            if (duplicate) return Decryption.refused(refuse(Refusal.DUPLICATE, "message key used before"));
            // Too many keys to skip now; once the messages before it have come, it will open.
            if (tooFar) return Decryption.refused(refuse(Refusal.TOO_FAR_AHEAD, "more than MAX_SKIP messages ahead in its chain"));
            return Decryption.refused(refuse(Refusal.UNDECRYPTABLE, "no session of the claimed sender decrypts it"));
        }
    }

    /** The outcome of decrypting a ratchet message: the session and its next state, or a refusal. */
    private record Decryption(SessionEntry entry, byte[] plaintext, RatchetSession next, boolean newSession, OpenResult.Refused refusal) {
        static Decryption refused(OpenResult.Refused refusal) {
            return new Decryption(null, null, null, false, refusal);
        }
    }

    /**
     * Puts the session to send on first. Both sides must settle on the same one after a
     * simultaneous initiation, from what each has seen: a session a message arrived on beats one
     * nothing arrived on (the peer may not hold that one); between those, the session initiated
     * by the peer with the lower PeerId wins; then the newer. Keeps the best
     * {@link SessionLimits#MAX_PREVIOUS_SESSIONS} others for messages still in flight on them.
     */
    private void rank(SessionRecord record) {
        boolean selfIsLower = Arrays.compareUnsigned(ownPeerBytes, record.remoteSigningKey.toPeerId().toBytes()) < 0;
        record.sessions.sort(Comparator.<SessionEntry>comparingInt(s -> s.received ? 0 : 1)
                .thenComparingInt(s -> s.weInitiated == selfIsLower ? 0 : 1)
                .thenComparing(Comparator.comparingLong((SessionEntry s) -> s.ordinal).reversed()));
        while (record.sessions.size() > 1 + SessionLimits.MAX_PREVIOUS_SESSIONS) record.sessions.removeLast();
    }

    /**
     * The change that writes {@code record}, if the stored record is still the one it was
     * computed from ({@code base}), then runs {@code also} in the same batch.
     */
    private Consumer<StoreBatch> commit(PeerBytes key, Optional<byte[]> base, SessionRecord record, Consumer<StoreBatch> also) {
        record.revision++;
        byte[] bytes = record.encode();
        decoded.put(key, bytes, record);
        byte[] expected = base.orElse(null);
        return batch -> {
            byte[] found = batch.sessions().get(key).orElse(null);
            boolean same = expected == null ? found == null : found != null && MessageDigest.isEqual(expected, found);
            if (!same) {
                throw new StaleSessionRecordException("the session record of " + key + " changed since this change was computed");
            }
            batch.sessions().put(key, bytes);
            also.accept(batch);
        };
    }

    /** Appends {@code value} to a bounded list, dropping the oldest past {@code cap}. */
    private static void remember(List<byte[]> list, byte[] value, int cap) {
        list.add(value.clone());
        while (list.size() > cap) list.removeFirst();
    }

    private byte[] newStreamId() {
        byte[] id = new byte[SessionLimits.STREAM_ID_LENGTH];
        random.nextBytes(id);
        return id;
    }

    private static PeerBytes keyOf(PeerId peer) {
        return PeerBytes.of(peer.toBytes());
    }

    @Override
    public String toString() {
        return "SessionLayer[" + identity.nodeKey().peerId() + "]";
    }
}
