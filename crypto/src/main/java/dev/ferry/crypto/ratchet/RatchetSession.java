package dev.ferry.crypto.ratchet;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.Aes256Gcm;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.RatchetProto;
import dev.ferry.crypto.ratchet.RatchetException.Reason;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The state of one Double Ratchet session (Signal's specification, sections 3.2 to 3.5, with the
 * recommended algorithms of section 5.2: X25519, HKDF-SHA-256, HMAC-SHA-256, AES-256-GCM).
 *
 * <p>Immutable: {@link #encrypt} and {@link #decrypt} return the message or plaintext together
 * with the next state, and never change this one. A refused message (a replay, a forgery, too big
 * a gap) throws {@link RatchetException} and leaves nothing changed, which also holds for a forged
 * message whose header carries a new ratchet key: the DH ratchet step is computed on local values
 * and kept only once the AEAD tag checks. The caller persists the returned state ({@link #toBytes})
 * in the same batch as the message it produced and continues from it; states form a line, and
 * continuing from an older one would reuse message keys. As a guard, each state object encrypts at
 * most once.
 *
 * <p>Secrets (root, chain and message keys, the private ratchet key) are never exposed and never
 * appear in {@link #toString()}; {@link #equals} compares the serialised forms in constant time.
 * Not for concurrent use of one lineage from several threads; distinct sessions are independent.
 */
public final class RatchetSession {
    /** Version of the persisted state format ({@code ratchet.proto}). */
    public static final int STATE_VERSION = 1;

    private static final int KEY_LENGTH = RatchetKdf.KEY_LENGTH;

    private final byte[] associatedData;
    private final byte[] rootKey;
    private final X25519.KeyPair ownRatchetKeyPair;
    private final byte[] ownRatchetPublicKey;
    private final byte[] remoteRatchetPublicKey; // null until known
    private final byte[] sendingChainKey; // null until there is a sending chain
    private final byte[] receivingChainKey; // null until there is a receiving chain
    private final int sendingMessageNumber;
    private final int receivingMessageNumber;
    private final int previousSendingChainLength;
    private final SkippedMessageKeys skipped;
    /** Set when this state encrypted a message: its next message number belongs to that message now. */
    private final AtomicBoolean encryptedFrom = new AtomicBoolean();

    private RatchetSession(byte[] associatedData, byte[] rootKey, X25519.KeyPair ownRatchetKeyPair, byte[] ownRatchetPublicKey,
            byte[] remoteRatchetPublicKey, byte[] sendingChainKey, byte[] receivingChainKey, int sendingMessageNumber,
            int receivingMessageNumber, int previousSendingChainLength, SkippedMessageKeys skipped) {
        this.associatedData = associatedData;
        this.rootKey = rootKey;
        this.ownRatchetKeyPair = ownRatchetKeyPair;
        this.ownRatchetPublicKey = ownRatchetPublicKey;
        this.remoteRatchetPublicKey = remoteRatchetPublicKey;
        this.sendingChainKey = sendingChainKey;
        this.receivingChainKey = receivingChainKey;
        this.sendingMessageNumber = sendingMessageNumber;
        this.receivingMessageNumber = receivingMessageNumber;
        this.previousSendingChainLength = previousSendingChainLength;
        this.skipped = skipped;
    }

    /**
     * The session of the party that ran X3DH as initiator (Alice, spec 3.3): a fresh ratchet key
     * pair from {@code random} and a sending chain from the shared secret and the responder's
     * signed prekey, so it can send at once.
     *
     * @param sharedSecret the 32-byte X3DH output SK
     * @param associatedData X3DH's AD (both identities), at most {@link RatchetLimits#MAX_ASSOCIATED_DATA_SIZE} bytes
     * @param remoteRatchetPublicKey the responder's signed prekey, its first ratchet public key
     * @throws IllegalArgumentException if a length is wrong or the remote key is a low-order point
     */
    public static RatchetSession initAsInitiator(byte[] sharedSecret, byte[] associatedData, byte[] remoteRatchetPublicKey,
            SecureRandom random) {
        checkInit(sharedSecret, associatedData);
        if (remoteRatchetPublicKey.length != X25519.KEY_LENGTH) {
            throw new IllegalArgumentException("remote ratchet public key must be " + X25519.KEY_LENGTH + " bytes");
        }
        X25519.KeyPair own = X25519.generate(random);
        byte[] remote = remoteRatchetPublicKey.clone();
        RatchetKdf.RootStep step = RatchetKdf.rootStep(sharedSecret, agree(own, remote));
        return new RatchetSession(associatedData.clone(), step.rootKey(), own, own.publicKey(), remote, step.chainKey(), null,
                0, 0, 0, SkippedMessageKeys.EMPTY);
    }

    /**
     * The session of the X3DH responder (Bob, spec 3.3): its signed prekey pair is its first
     * ratchet key pair; it can send once it has decrypted the initiator's first message.
     *
     * @throws IllegalArgumentException if a length is wrong
     */
    public static RatchetSession initAsResponder(byte[] sharedSecret, byte[] associatedData, X25519.KeyPair ownRatchetKeyPair) {
        checkInit(sharedSecret, associatedData);
        return new RatchetSession(associatedData.clone(), sharedSecret.clone(), ownRatchetKeyPair, ownRatchetKeyPair.publicKey(),
                null, null, null, 0, 0, 0, SkippedMessageKeys.EMPTY);
    }

    private static void checkInit(byte[] sharedSecret, byte[] associatedData) {
        if (sharedSecret.length != KEY_LENGTH) throw new IllegalArgumentException("shared secret must be " + KEY_LENGTH + " bytes");
        if (associatedData.length > RatchetLimits.MAX_ASSOCIATED_DATA_SIZE) {
            throw new IllegalArgumentException("associated data exceeds " + RatchetLimits.MAX_ASSOCIATED_DATA_SIZE + " bytes");
        }
    }

    /** An encrypted message and the state to continue from. */
    public record Encrypted(byte[] message, RatchetSession next) {
        @Override
        public String toString() {
            return "Encrypted[" + message.length + " bytes, next=" + next + "]";
        }
    }

    /** A decrypted plaintext and the state to continue from. */
    public record Decrypted(byte[] plaintext, RatchetSession next) {
        @Override
        public String toString() {
            return "Decrypted[" + plaintext.length + " bytes, next=" + next + "]";
        }
    }

    /** Whether this session has a sending chain: false only for a responder before its first received message. */
    public boolean canSend() {
        return sendingChainKey != null;
    }

    /**
     * RatchetEncrypt (spec 3.4): {@code plaintext} as an encoded {@link RatchetMessage}, and the next state.
     *
     * @throws IllegalArgumentException if the plaintext exceeds {@link RatchetLimits#MAX_PLAINTEXT_SIZE}
     * @throws IllegalStateException if there is no sending chain yet ({@link #canSend()}), the chain
     *     is exhausted, or this state object already encrypted a message
     */
    public Encrypted encrypt(byte[] plaintext) {
        if (plaintext.length > RatchetLimits.MAX_PLAINTEXT_SIZE) {
            throw new IllegalArgumentException("plaintext of " + plaintext.length + " bytes exceeds " + RatchetLimits.MAX_PLAINTEXT_SIZE);
        }
        if (sendingChainKey == null) {
            throw new IllegalStateException("no sending chain yet: the responder sends after decrypting the initiator's first message");
        }
        if (sendingMessageNumber > RatchetLimits.MAX_MESSAGE_NUMBER) {
            throw new IllegalStateException("sending chain exhausted; start a new session");
        }
        if (!encryptedFrom.compareAndSet(false, true)) {
            throw new IllegalStateException("this state already encrypted a message: continue from the state that encrypt returned");
        }
        RatchetKdf.ChainStep step = RatchetKdf.chainStep(sendingChainKey);
        byte[] message = RatchetMessage.allocate(ownRatchetPublicKey, previousSendingChainLength, sendingMessageNumber,
                plaintext.length + Aes256Gcm.TAG_LENGTH);
        MessageAead.seal(step.messageKey(), associatedData, message, plaintext);
        Arrays.fill(step.messageKey(), (byte) 0);
        RatchetSession next = new RatchetSession(associatedData, rootKey, ownRatchetKeyPair, ownRatchetPublicKey,
                remoteRatchetPublicKey, step.nextChainKey(), receivingChainKey, sendingMessageNumber + 1, receivingMessageNumber,
                previousSendingChainLength, skipped);
        return new Encrypted(message, next);
    }

    /**
     * RatchetDecrypt (spec 3.5) of untrusted bytes.
     *
     * @param random for the new ratchet key pair when the message starts a new DH ratchet step
     * @throws RatchetException if the message is refused; this state is unchanged and stays usable
     */
    public Decrypted decrypt(byte[] message, SecureRandom random) throws RatchetException {
        return decrypt(RatchetMessage.decode(message), random);
    }

    /** As {@link #decrypt(byte[], SecureRandom)}, for a message already decoded. */
    public Decrypted decrypt(RatchetMessage message, SecureRandom random) throws RatchetException {
        byte[] bytes = message.encodedNoCopy();
        byte[] theirKey = message.ratchetPublicKeyNoCopy();
        int n = message.messageNumber();

        byte[] skippedKey = skipped.find(theirKey, n);
        if (skippedKey != null) {
            byte[] plaintext = open(skippedKey, bytes);
            return new Decrypted(plaintext, new RatchetSession(associatedData, rootKey, ownRatchetKeyPair, ownRatchetPublicKey,
                    remoteRatchetPublicKey, sendingChainKey, receivingChainKey, sendingMessageNumber, receivingMessageNumber,
                    previousSendingChainLength, skipped.without(theirKey, n)));
        }

        // Everything below works on locals; the new state is built only after the tag checks.
        byte[] root = rootKey;
        X25519.KeyPair own = ownRatchetKeyPair;
        byte[] ownPublic = ownRatchetPublicKey;
        byte[] remote = remoteRatchetPublicKey;
        byte[] sendingChain = sendingChainKey;
        byte[] receivingChain = receivingChainKey;
        int sent = sendingMessageNumber;
        int received = receivingMessageNumber;
        int previousSent = previousSendingChainLength;
        List<SkippedMessageKeys.Entry> newlySkipped = new ArrayList<>(0);

        if (remote == null || !Arrays.equals(theirKey, remote)) {
            receivingChain = skip(newlySkipped, remote, receivingChain, received, message.previousChainLength());
            // DHRatchet (spec 3.5).
            previousSent = sent;
            sent = 0;
            received = 0;
            remote = theirKey.clone();
            RatchetKdf.RootStep receiving = RatchetKdf.rootStep(root, agreeUntrusted(own, remote));
            own = X25519.generate(random);
            ownPublic = own.publicKey();
            RatchetKdf.RootStep sending = RatchetKdf.rootStep(receiving.rootKey(), agree(own, remote));
            root = sending.rootKey();
            receivingChain = receiving.chainKey();
            sendingChain = sending.chainKey();
        } else if (n < received) {
            throw new RatchetException(Reason.DUPLICATE, "message " + n + " of the current chain was already received, or its key dropped");
        }
        receivingChain = skip(newlySkipped, remote, receivingChain, received, n);
        RatchetKdf.ChainStep step = RatchetKdf.chainStep(receivingChain);
        byte[] plaintext = open(step.messageKey(), bytes);
        Arrays.fill(step.messageKey(), (byte) 0);
        return new Decrypted(plaintext, new RatchetSession(associatedData, root, own, ownPublic, remote, sendingChain,
                step.nextChainKey(), sent, n + 1, previousSent, skipped.plus(newlySkipped)));
    }

    /**
     * SkipMessageKeys (spec 3.5): keys of {@code chainKey} from {@code from} up to {@code until}
     * into {@code out}; the chain key after them.
     */
    private static byte[] skip(List<SkippedMessageKeys.Entry> out, byte[] ratchetKey, byte[] chainKey, int from, int until)
            throws RatchetException {
        if ((long) from + RatchetLimits.MAX_SKIP < until) {
            throw new RatchetException(Reason.TOO_MANY_SKIPPED,
                    "message " + until + " would skip " + (until - from) + " keys, more than " + RatchetLimits.MAX_SKIP);
        }
        if (chainKey == null) return null;
        byte[] key = chainKey;
        for (int i = from; i < until; i++) {
            RatchetKdf.ChainStep step = RatchetKdf.chainStep(key);
            out.add(new SkippedMessageKeys.Entry(new SkippedMessageKeys.Slot(ratchetKey, i), step.messageKey()));
            key = step.nextChainKey();
        }
        return key;
    }

    private byte[] open(byte[] messageKey, byte[] message) throws RatchetException {
        byte[] plaintext = MessageAead.open(messageKey, associatedData, message);
        if (plaintext == null) {
            throw new RatchetException(Reason.AUTHENTICATION_FAILED, "message does not authenticate in this session");
        }
        return plaintext;
    }

    private static byte[] agree(X25519.KeyPair own, byte[] remote) {
        byte[] privateKey = own.privateKey();
        try {
            return X25519.agree(privateKey, remote);
        } finally {
            Arrays.fill(privateKey, (byte) 0);
        }
    }

    private static byte[] agreeUntrusted(X25519.KeyPair own, byte[] remote) throws RatchetException {
        try {
            return agree(own, remote);
        } catch (IllegalArgumentException e) {
            throw new RatchetException(Reason.MALFORMED, "ratchet public key is a low-order point");
        }
    }

    /** The number of skipped message keys held, at most {@link RatchetLimits#MAX_SKIPPED_KEYS}. */
    public int skippedMessageKeyCount() {
        return skipped.size();
    }

    /** Our current ratchet public key (a copy). */
    public byte[] ownRatchetPublicKey() {
        return ownRatchetPublicKey.clone();
    }

    /** The state as {@code ratchet.proto}'s {@code RatchetSessionState}; holds secrets, store it encrypted. */
    public byte[] toBytes() {
        RatchetProto.RatchetSessionState.Builder state = RatchetProto.RatchetSessionState.newBuilder()
                .setVersion(STATE_VERSION)
                .setAssociatedData(ByteString.copyFrom(associatedData))
                .setRootKey(ByteString.copyFrom(rootKey))
                .setOwnRatchetPrivateKey(ByteString.copyFrom(ownRatchetKeyPair.privateKey()))
                .setOwnRatchetPublicKey(ByteString.copyFrom(ownRatchetKeyPair.publicKey()))
                .setSendingMessageNumber(sendingMessageNumber)
                .setReceivingMessageNumber(receivingMessageNumber)
                .setPreviousSendingChainLength(previousSendingChainLength);
        if (remoteRatchetPublicKey != null) state.setRemoteRatchetPublicKey(ByteString.copyFrom(remoteRatchetPublicKey));
        if (sendingChainKey != null) state.setSendingChainKey(ByteString.copyFrom(sendingChainKey));
        if (receivingChainKey != null) state.setReceivingChainKey(ByteString.copyFrom(receivingChainKey));
        for (SkippedMessageKeys.Entry e : skipped.entries()) {
            state.addSkippedMessageKeys(RatchetProto.SkippedMessageKey.newBuilder()
                    .setRatchetPublicKey(ByteString.copyFrom(e.slot().ratchetPublicKey))
                    .setMessageNumber(e.slot().messageNumber)
                    .setMessageKey(ByteString.copyFrom(e.messageKey())));
        }
        return state.build().toByteArray();
    }

    /**
     * A state read back from {@link #toBytes()}; equal to the state that wrote it.
     *
     * @throws RatchetException with reason {@link Reason#MALFORMED_STATE} for anything else
     */
    public static RatchetSession fromBytes(byte[] bytes) throws RatchetException {
        if (bytes == null) throw badState("no bytes");
        if (bytes.length > RatchetLimits.MAX_STATE_SIZE) {
            throw badState("state of " + bytes.length + " bytes exceeds " + RatchetLimits.MAX_STATE_SIZE);
        }
        RatchetProto.RatchetSessionState state;
        try {
            state = RatchetProto.RatchetSessionState.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw badState("not a RatchetSessionState protobuf");
        }
        if (state.getVersion() != STATE_VERSION) throw badState("unknown state version " + Integer.toUnsignedString(state.getVersion()));
        if (state.getAssociatedData().size() > RatchetLimits.MAX_ASSOCIATED_DATA_SIZE) throw badState("associated data too long");
        byte[] root = key(state.getRootKey(), false, "root key");
        byte[] privateKey = key(state.getOwnRatchetPrivateKey(), false, "own ratchet private key");
        byte[] remote = key(state.getRemoteRatchetPublicKey(), true, "remote ratchet public key");
        byte[] sendingChain = key(state.getSendingChainKey(), true, "sending chain key");
        byte[] receivingChain = key(state.getReceivingChainKey(), true, "receiving chain key");
        if (receivingChain != null && remote == null) throw badState("a receiving chain without a remote ratchet key");
        if (sendingChain != null && remote == null) throw badState("a sending chain without a remote ratchet key");
        int sent = counter(state.getSendingMessageNumber(), "sending message number");
        int received = counter(state.getReceivingMessageNumber(), "receiving message number");
        int previousSent = counter(state.getPreviousSendingChainLength(), "previous sending chain length");
        if (state.getSkippedMessageKeysCount() > RatchetLimits.MAX_SKIPPED_KEYS) throw badState("too many skipped message keys");
        List<SkippedMessageKeys.Entry> entries = new ArrayList<>(state.getSkippedMessageKeysCount());
        Set<SkippedMessageKeys.Slot> seen = new HashSet<>();
        for (RatchetProto.SkippedMessageKey k : state.getSkippedMessageKeysList()) {
            SkippedMessageKeys.Slot slot = new SkippedMessageKeys.Slot(key(k.getRatchetPublicKey(), false, "skipped key's ratchet key"),
                    counter(k.getMessageNumber(), "skipped key's message number"));
            if (!seen.add(slot)) throw badState("a skipped message key appears twice");
            entries.add(new SkippedMessageKeys.Entry(slot, key(k.getMessageKey(), false, "skipped message key")));
        }
        byte[] ownPublic = key(state.getOwnRatchetPublicKey(), true, "own ratchet public key");
        X25519.KeyPair own;
        if (ownPublic == null) {
            own = X25519.fromPrivateKey(privateKey);
        } else {
            own = new X25519.KeyPair(privateKey, ownPublic);
        }
        Arrays.fill(privateKey, (byte) 0);
        return new RatchetSession(state.getAssociatedData().toByteArray(), root, own, own.publicKey(), remote, sendingChain,
                receivingChain, sent, received, previousSent, SkippedMessageKeys.of(entries));
    }

    private static byte[] key(ByteString bytes, boolean optional, String what) throws RatchetException {
        if (bytes.isEmpty() && optional) return null;
        if (bytes.size() != KEY_LENGTH) throw badState(what + " must be " + KEY_LENGTH + " bytes");
        return bytes.toByteArray();
    }

    private static int counter(int unsigned, String what) throws RatchetException {
        if (unsigned < 0 || unsigned > RatchetLimits.MAX_MESSAGE_NUMBER + 1) throw badState(what + " out of range");
        return unsigned;
    }

    private static RatchetException badState(String why) {
        return new RatchetException(Reason.MALFORMED_STATE, why);
    }

    /** Equal states serialise to the same bytes; compared in constant time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RatchetSession s && MessageDigest.isEqual(s.toBytes(), toBytes());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ownRatchetPublicKey) + sendingMessageNumber) + receivingMessageNumber;
    }

    /** Public keys and counters only. */
    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "RatchetSession[ownRatchetKey=" + hex.formatHex(ownRatchetPublicKey)
                + ", remoteRatchetKey=" + (remoteRatchetPublicKey == null ? "none" : hex.formatHex(remoteRatchetPublicKey))
                + ", sent=" + sendingMessageNumber + ", received=" + receivingMessageNumber
                + ", previousChainLength=" + previousSendingChainLength + ", skippedKeys=" + skipped.size()
                + ", canSend=" + canSend() + "]";
    }
}
