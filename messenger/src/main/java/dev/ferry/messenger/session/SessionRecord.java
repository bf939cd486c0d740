package dev.ferry.messenger.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.ratchet.RatchetException;
import dev.ferry.crypto.ratchet.RatchetSession;
import dev.ferry.messenger.proto.SessionProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-peer session record ({@code session.proto}'s {@code SessionRecord}) as a working copy:
 * decoded from the store at the start of a call (or taken from {@link DecodedRecords}, which kept
 * the one written last), changed by that call only, and encoded into the change the caller writes.
 * Holds secrets (the ratchet states, held bodies): never in toString.
 */
final class SessionRecord {
    /** Version of the persisted format. */
    static final int VERSION = 1;

    long revision;
    IdentityPublicKey remoteSigningKey;
    byte[] remoteDhKey;
    byte[] localStream;
    long nextSendSequence;
    long sendFloorMinimum;
    /** Null until a message from the peer was decrypted. */
    byte[] remoteStream;
    long nextExpectedSequence;
    final List<byte[]> retiredRemoteStreams = new ArrayList<>();
    final TreeMap<Long, ReceivedMessage> held = new TreeMap<>();
    /** The session we send on first; the rest only decrypt. */
    final List<SessionEntry> sessions = new ArrayList<>();
    final List<byte[]> acceptedBaseKeys = new ArrayList<>();
    long sessionsCreated;

    /** One ratchet session of the record with what the session layer keeps beside it. */
    static final class SessionEntry {
        RatchetSession ratchet;
        final boolean weInitiated;
        final byte[] baseKey;
        /** Our encoded InitialMessage while nothing has arrived on this session; null after. */
        byte[] pendingInitialMessage;
        boolean received;
        /** The record's session count when this one joined it: orders sessions by age. */
        long ordinal;

        SessionEntry(RatchetSession ratchet, boolean weInitiated, byte[] baseKey, byte[] pendingInitialMessage, boolean received,
                long ordinal) {
            this.ratchet = ratchet;
            this.weInitiated = weInitiated;
            this.baseKey = baseKey.clone();
            this.pendingInitialMessage = pendingInitialMessage;
            this.received = received;
            this.ordinal = ordinal;
        }
    }

    static SessionRecord fresh(IdentityPublicKey remoteSigningKey, byte[] remoteDhKey, byte[] localStream) {
        SessionRecord record = new SessionRecord();
        record.remoteSigningKey = remoteSigningKey;
        record.remoteDhKey = remoteDhKey.clone();
        record.localStream = localStream.clone();
        return record;
    }

    SessionEntry current() {
        return sessions.getFirst();
    }

    long heldBytes() {
        long bytes = 0;
        for (ReceivedMessage m : held.values()) bytes += m.bodyLength();
        return bytes;
    }

    boolean isRetired(byte[] stream) {
        for (byte[] retired : retiredRemoteStreams) {
            if (Arrays.equals(retired, stream)) return true;
        }
        return false;
    }

    boolean hasAcceptedBaseKey(byte[] baseKey) {
        for (byte[] known : acceptedBaseKeys) {
            if (Arrays.equals(known, baseKey)) return true;
        }
        return false;
    }

    SessionEntry sessionWithBaseKey(byte[] baseKey) {
        for (SessionEntry entry : sessions) {
            if (Arrays.equals(entry.baseKey, baseKey)) return entry;
        }
        return null;
    }

    byte[] encode() {
        SessionProto.SessionRecord.Builder proto = SessionProto.SessionRecord.newBuilder()
                .setVersion(VERSION)
                .setRevision(revision)
                .setRemoteEd25519(ByteString.copyFrom(remoteSigningKey.raw()))
                .setRemoteX25519(ByteString.copyFrom(remoteDhKey))
                .setLocalStream(ByteString.copyFrom(localStream))
                .setNextSendSequence(nextSendSequence)
                .setSendFloorMinimum(sendFloorMinimum)
                .setNextExpectedSequence(nextExpectedSequence)
                .setSessionsCreated(sessionsCreated);
        if (remoteStream != null) proto.setRemoteStream(ByteString.copyFrom(remoteStream));
        retiredRemoteStreams.forEach(s -> proto.addRetiredRemoteStreams(ByteString.copyFrom(s)));
        for (ReceivedMessage m : held.values()) {
            proto.addHeld(SessionProto.SessionHeldMessage.newBuilder()
                    .setSequence(m.sequence())
                    .setContentType(ContentTypes.toWire(m.type()))
                    .setBody(ByteString.copyFrom(m.bodyNoCopy()))
                    .setSentMillis(m.sent().toEpochMilli()));
        }
        for (SessionEntry entry : sessions) {
            SessionProto.SessionRatchet.Builder session = SessionProto.SessionRatchet.newBuilder()
                    .setRatchetState(ByteString.copyFrom(entry.ratchet.toBytes()))
                    .setWeInitiated(entry.weInitiated)
                    .setBaseKey(ByteString.copyFrom(entry.baseKey))
                    .setReceived(entry.received)
                    .setOrdinal(entry.ordinal);
            if (entry.pendingInitialMessage != null) {
                session.setPendingInitialMessage(ByteString.copyFrom(entry.pendingInitialMessage));
            }
            proto.addSessions(session);
        }
        acceptedBaseKeys.forEach(k -> proto.addAcceptedBaseKeys(ByteString.copyFrom(k)));
        return proto.build().toByteArray();
    }

    /**
     * The record in {@code bytes}, which this node wrote.
     *
     * @throws CorruptSessionRecordException when they are not a valid record: the store was
     *     damaged, since nothing else writes there
     */
    static SessionRecord decode(byte[] bytes) {
        if (bytes.length > SessionLimits.MAX_RECORD_SIZE) throw corrupt("record of " + bytes.length + " bytes exceeds its limit");
        SessionProto.SessionRecord proto;
        try {
            proto = SessionProto.SessionRecord.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw corrupt("not a SessionRecord protobuf");
        }
        if (proto.getVersion() != VERSION) throw corrupt("unknown version " + Integer.toUnsignedString(proto.getVersion()));
        if (proto.getSessionsCount() == 0 || proto.getSessionsCount() > 1 + SessionLimits.MAX_PREVIOUS_SESSIONS) {
            throw corrupt(proto.getSessionsCount() + " sessions");
        }
        if (proto.getHeldCount() > SessionLimits.MAX_HELD_MESSAGES
                || proto.getAcceptedBaseKeysCount() > SessionLimits.MAX_REMEMBERED_BASE_KEYS
                || proto.getRetiredRemoteStreamsCount() > SessionLimits.MAX_RETIRED_STREAMS) {
            throw corrupt("a list past its cap");
        }
        SessionRecord record = new SessionRecord();
        record.revision = proto.getRevision();
        try {
            record.remoteSigningKey = IdentityPublicKey.fromRaw(proto.getRemoteEd25519().toByteArray());
        } catch (IllegalArgumentException e) {
            throw corrupt("remote Ed25519 key: " + e.getMessage());
        }
        record.remoteDhKey = exact(proto.getRemoteX25519(), X25519.KEY_LENGTH, "remote X25519 key");
        record.localStream = exact(proto.getLocalStream(), SessionLimits.STREAM_ID_LENGTH, "local stream");
        record.nextSendSequence = proto.getNextSendSequence();
        record.sendFloorMinimum = proto.getSendFloorMinimum();
        record.remoteStream = proto.getRemoteStream().isEmpty() ? null
                : exact(proto.getRemoteStream(), SessionLimits.STREAM_ID_LENGTH, "remote stream");
        record.nextExpectedSequence = proto.getNextExpectedSequence();
        for (ByteString s : proto.getRetiredRemoteStreamsList()) {
            record.retiredRemoteStreams.add(exact(s, SessionLimits.STREAM_ID_LENGTH, "retired stream"));
        }
        for (SessionProto.SessionHeldMessage m : proto.getHeldList()) {
            ReceivedMessage message;
            try {
                message = new ReceivedMessage(m.getSequence(), ContentTypes.fromWire(m.getContentType()), m.getBody().toByteArray(),
                        java.time.Instant.ofEpochMilli(m.getSentMillis()));
            } catch (IllegalArgumentException e) {
                throw corrupt("held message: " + e.getMessage());
            }
            if (record.held.put(m.getSequence(), message) != null) throw corrupt("a held sequence appears twice");
        }
        for (SessionProto.SessionRatchet s : proto.getSessionsList()) {
            RatchetSession ratchet;
            try {
                ratchet = RatchetSession.fromBytes(s.getRatchetState().toByteArray());
            } catch (RatchetException e) {
                throw corrupt("ratchet state: " + e.getMessage());
            }
            byte[] pending = s.getPendingInitialMessage().isEmpty() ? null : s.getPendingInitialMessage().toByteArray();
            record.sessions.add(new SessionEntry(ratchet, s.getWeInitiated(), exact(s.getBaseKey(), X25519.KEY_LENGTH, "base key"),
                    pending, s.getReceived(), s.getOrdinal()));
        }
        for (ByteString k : proto.getAcceptedBaseKeysList()) {
            record.acceptedBaseKeys.add(exact(k, X25519.KEY_LENGTH, "accepted base key"));
        }
        record.sessionsCreated = proto.getSessionsCreated();
        return record;
    }

    private static byte[] exact(ByteString bytes, int length, String what) {
        if (bytes.size() != length) throw corrupt(what + " must be " + length + " bytes");
        return bytes.toByteArray();
    }

    private static CorruptSessionRecordException corrupt(String why) {
        return new CorruptSessionRecordException("session record does not decode: " + why);
    }

    @Override
    public String toString() {
        return "SessionRecord[revision " + revision + ", " + sessions.size() + " sessions, sent " + nextSendSequence
                + ", expecting " + nextExpectedSequence + ", held " + held.size() + "]";
    }

    /** For tests: the held messages by sequence. */
    Map<Long, ReceivedMessage> heldView() {
        return java.util.Collections.unmodifiableMap(held);
    }
}
