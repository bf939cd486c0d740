package dev.ferry.crypto.senderkey;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.proto.SenderKeyProto;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.TreeMap;

/**
 * One member's sender keys for one group: its own sending chain for the current epoch, and the
 * chains other members distributed to it, for the current epoch and up to
 * {@link SenderKeyLimits#MAX_EPOCHS_KEPT} - 1 older ones (late messages) and
 * {@link SenderKeyLimits#MAX_EPOCHS_AHEAD} newer ones (a new epoch's distributions arriving before
 * the new member list).
 *
 * <p>Immutable: {@link #encrypt}, {@link #accept}, {@link #decrypt} and {@link #startEpoch} return
 * the next state, to be persisted with the message it belongs to; a refused message throws and
 * changes nothing. Removing a member is {@link #startEpoch} on every remaining member, each of
 * which then sends its new {@link #distribution()} to the remaining members only: the removed
 * member never gets a chain of the new epoch, so it has no key to try.
 *
 * <p>Thread-safe (immutable); no I/O; randomness is passed in.
 */
public final class GroupSenderKeys {
    private final byte[] groupId;
    private final IdentityPublicKey ownIdentity;
    private final OwnSenderChain own;
    private final Map<ChainId, ReceivedSenderChain> received;

    /** A received chain's place: epoch, then sender; ordered for a deterministic encoding. */
    private record ChainId(long epoch, IdentityPublicKey sender) implements Comparable<ChainId> {
        @Override
        public int compareTo(ChainId o) {
            int byEpoch = Long.compare(epoch, o.epoch);
            return byEpoch != 0 ? byEpoch : Arrays.compareUnsigned(sender.raw(), o.sender.raw());
        }
    }

    private GroupSenderKeys(byte[] groupId, IdentityPublicKey ownIdentity, OwnSenderChain own, Map<ChainId, ReceivedSenderChain> received) {
        this.groupId = groupId;
        this.ownIdentity = ownIdentity;
        this.own = own;
        this.received = Collections.unmodifiableSortedMap(new TreeMap<>(received));
    }

    /**
     * A member's state on joining (or creating) group {@code groupId} at {@code epoch}, with a fresh
     * chain and signing key.
     */
    public static GroupSenderKeys create(byte[] groupId, IdentityPublicKey ownIdentity, long epoch, SecureRandom random) {
        if (groupId.length == 0 || groupId.length > SenderKeyLimits.MAX_GROUP_ID_LENGTH) {
            throw new IllegalArgumentException("group id must be 1.." + SenderKeyLimits.MAX_GROUP_ID_LENGTH + " bytes");
        }
        if (epoch < 0) throw new IllegalArgumentException("epochs are not negative");
        return new GroupSenderKeys(groupId.clone(), ownIdentity, OwnSenderChain.create(epoch, random), Map.of());
    }

    /** The result of {@link #encrypt}: the encoded group message, and the state to keep. */
    public record Encrypted(byte[] message, GroupSenderKeys next) {}

    /** The result of {@link #decrypt}: who sent it in which epoch, the plaintext, and the state to keep. */
    public record Decrypted(IdentityPublicKey sender, long epoch, byte[] plaintext, GroupSenderKeys next) {
        @Override
        public String toString() {
            return "Decrypted[sender=" + sender + ", epoch=" + epoch + ", plaintext=" + plaintext.length + " bytes]";
        }
    }

    /**
     * Encrypts and signs {@code plaintext} with this member's chain of the current epoch.
     *
     * @throws IllegalArgumentException over {@link SenderKeyLimits#MAX_PLAINTEXT_LENGTH}
     */
    public Encrypted encrypt(byte[] plaintext) {
        if (plaintext.length > SenderKeyLimits.MAX_PLAINTEXT_LENGTH) {
            throw new IllegalArgumentException("group plaintext of " + plaintext.length + " bytes exceeds " + SenderKeyLimits.MAX_PLAINTEXT_LENGTH);
        }
        OwnSenderChain.Encrypted step = own.encrypt(groupId, ownIdentity, plaintext);
        return new Encrypted(step.message().encode(), new GroupSenderKeys(groupId, ownIdentity, step.next(), received));
    }

    /**
     * This member's distribution for the current epoch, at its chain's current iteration: send it
     * to every current member over the pairwise sessions (and to a member who joins later).
     */
    public SenderKeyDistribution distribution() {
        return own.distribution(groupId, ownIdentity);
    }

    /**
     * Takes another member's chain. {@code authenticatedSender} is the identity of the pairwise
     * session the distribution arrived on; it must be the sender the distribution names. A
     * distribution for a chain already held with the same signing key never rewinds it (that
     * would reopen replays), but an earlier point of it makes the iterations before the chain's
     * start readable ({@link ReceivedSenderChain#reachingBackTo}); one with another signing key
     * replaces it (the sender started its chain again).
     */
    public GroupSenderKeys accept(SenderKeyDistribution distribution, IdentityPublicKey authenticatedSender) throws SenderKeyException {
        if (!Arrays.equals(distribution.groupId(), groupId)) {
            throw new SenderKeyException(SenderKeyException.Reason.WRONG_GROUP, "distribution is for another group");
        }
        if (!distribution.sender().equals(authenticatedSender)) {
            throw new SenderKeyException(SenderKeyException.Reason.SENDER_MISMATCH, "distribution names another sender than its session's peer");
        }
        if (distribution.sender().equals(ownIdentity)) {
            throw new SenderKeyException(SenderKeyException.Reason.SENDER_MISMATCH, "distribution names this member itself");
        }
        long epoch = distribution.epoch();
        if (!keeps(epoch)) {
            throw new SenderKeyException(SenderKeyException.Reason.EPOCH_OUT_OF_RANGE,
                    "epoch " + epoch + " is outside the kept range around " + currentEpoch());
        }
        ChainId id = new ChainId(epoch, distribution.sender());
        ReceivedSenderChain existing = received.get(id);
        if (existing != null && existing.signingKey().equals(distribution.signingKey())) {
            // The same chain again: it may reach back before the copy held (sent earlier, arrived later), never forward.
            ReceivedSenderChain extended = existing.reachingBackTo(distribution.chainKey());
            if (extended == existing) return this;
            TreeMap<ChainId, ReceivedSenderChain> next = new TreeMap<>(received);
            next.put(id, extended);
            keepSkippedKeysWithinTheGroupCap(next, id);
            return new GroupSenderKeys(groupId, ownIdentity, own, next);
        }
        if (existing == null && senders(epoch).size() >= SenderKeyLimits.MAX_SENDERS_PER_EPOCH) {
            throw new SenderKeyException(SenderKeyException.Reason.TOO_MANY_SENDERS,
                    "epoch " + epoch + " already holds " + SenderKeyLimits.MAX_SENDERS_PER_EPOCH + " senders");
        }
        TreeMap<ChainId, ReceivedSenderChain> next = new TreeMap<>(received);
        next.put(id, new ReceivedSenderChain(epoch, distribution.sender(), distribution.chainKey(), distribution.signingKey(), new LinkedHashMap<>()));
        return new GroupSenderKeys(groupId, ownIdentity, own, next);
    }

    /** As {@link #decrypt(SenderKeyMessage)}, decoding {@code message} first. */
    public Decrypted decrypt(byte[] message) throws SenderKeyException {
        return decrypt(SenderKeyMessage.decode(message));
    }

    /**
     * Verifies the signature of {@code message} with its sender's signing key of its epoch, then
     * decrypts it. On any refusal this state is unchanged and still the one to keep.
     */
    public Decrypted decrypt(SenderKeyMessage message) throws SenderKeyException {
        if (!Arrays.equals(message.groupId(), groupId)) {
            throw new SenderKeyException(SenderKeyException.Reason.WRONG_GROUP, "message is for another group");
        }
        ChainId id = new ChainId(message.epoch(), message.sender());
        ReceivedSenderChain chain = received.get(id);
        if (chain == null) {
            throw new SenderKeyException(SenderKeyException.Reason.NO_SENDER_KEY,
                    "no chain of this sender for epoch " + message.epoch() + " (current " + currentEpoch() + ")");
        }
        ReceivedSenderChain.Decrypted step = chain.decrypt(groupId, message);
        TreeMap<ChainId, ReceivedSenderChain> next = new TreeMap<>(received);
        next.put(id, step.next());
        keepSkippedKeysWithinTheGroupCap(next, id);
        return new Decrypted(message.sender(), message.epoch(), step.plaintext(), new GroupSenderKeys(groupId, ownIdentity, own, next));
    }

    /**
     * Drops skipped keys beyond {@link SenderKeyLimits#MAX_SKIPPED_KEYS_PER_GROUP}: from the chains
     * in order (oldest epoch first, then by sender), oldest keys first, the chain just read last.
     */
    private static void keepSkippedKeysWithinTheGroupCap(TreeMap<ChainId, ReceivedSenderChain> chains, ChainId justRead) {
        int excess = chains.values().stream().mapToInt(c -> c.skipped().size()).sum() - SenderKeyLimits.MAX_SKIPPED_KEYS_PER_GROUP;
        List<ChainId> order = new ArrayList<>(chains.keySet());
        order.remove(justRead);
        order.add(justRead);
        for (ChainId id : order) {
            if (excess <= 0) return;
            ReceivedSenderChain chain = chains.get(id);
            int drop = Math.min(excess, chain.skipped().size());
            if (drop > 0) chains.put(id, chain.withoutOldestSkipped(drop));
            excess -= drop;
        }
    }

    /**
     * Starts {@code newEpoch} (after a member was removed, or any re-key): a fresh chain and
     * signing key for this member, and the chains of epochs no longer kept dropped. Send the new
     * {@link #distribution()} to the remaining members only.
     */
    public GroupSenderKeys startEpoch(long newEpoch, SecureRandom random) {
        if (newEpoch <= currentEpoch()) {
            throw new IllegalArgumentException("new epoch " + newEpoch + " must be after the current " + currentEpoch());
        }
        OwnSenderChain fresh = OwnSenderChain.create(newEpoch, random);
        TreeMap<ChainId, ReceivedSenderChain> kept = new TreeMap<>();
        received.forEach((id, chain) -> {
            if (keeps(newEpoch, id.epoch())) kept.put(id, chain);
        });
        return new GroupSenderKeys(groupId, ownIdentity, fresh, kept);
    }

    public byte[] groupId() {
        return groupId.clone();
    }

    public IdentityPublicKey ownIdentity() {
        return ownIdentity;
    }

    public long currentEpoch() {
        return own.epoch();
    }

    /** True if this member holds {@code sender}'s chain of {@code epoch}. */
    public boolean hasChain(long epoch, IdentityPublicKey sender) {
        return received.containsKey(new ChainId(epoch, sender));
    }

    /** The senders whose chains of {@code epoch} this member holds. */
    public SequencedSet<IdentityPublicKey> senders(long epoch) {
        SequencedSet<IdentityPublicKey> out = new LinkedHashSet<>();
        received.keySet().stream().filter(id -> id.epoch() == epoch).forEach(id -> out.add(id.sender()));
        return out;
    }

    private boolean keeps(long epoch) {
        return keeps(currentEpoch(), epoch);
    }

    private static boolean keeps(long current, long epoch) {
        return epoch >= 0 && current - epoch < SenderKeyLimits.MAX_EPOCHS_KEPT && epoch - current <= SenderKeyLimits.MAX_EPOCHS_AHEAD;
    }

    /** The persisted form: own chain, received chains and their skipped keys, exactly. */
    public byte[] encode() {
        SenderKeyProto.GroupSenderKeysState.Builder state = SenderKeyProto.GroupSenderKeysState.newBuilder()
                .setGroupId(ByteString.copyFrom(groupId))
                .setOwnIdentity(ByteString.copyFrom(ownIdentity.raw()))
                .setCurrentEpoch(own.epoch())
                .setOwnChain(SenderKeyProto.OwnSenderChainState.newBuilder()
                        .setEpoch(own.epoch())
                        .setIteration(own.chainKey().iteration())
                        .setChainKey(ByteString.copyFrom(own.chainKey().key()))
                        .setSigningPrivateKey(ByteString.copyFrom(own.signingKey().marshalPrivateKey())));
        for (ReceivedSenderChain chain : received.values()) {
            SenderKeyProto.ReceivedSenderChainState.Builder encoded = SenderKeyProto.ReceivedSenderChainState.newBuilder()
                    .setEpoch(chain.epoch())
                    .setSender(ByteString.copyFrom(chain.sender().raw()))
                    .setIteration(chain.chainKey().iteration())
                    .setChainKey(ByteString.copyFrom(chain.chainKey().key()))
                    .setSigningPublicKey(ByteString.copyFrom(chain.signingKey().raw()))
                    .setStartIteration(chain.start());
            chain.skipped().forEach((iteration, key) -> encoded.addSkipped(SenderKeyProto.SkippedSenderMessageKey.newBuilder()
                    .setIteration(iteration)
                    .setMessageKey(ByteString.copyFrom(key))));
            state.addReceivedChains(encoded);
        }
        return state.build().toByteArray();
    }

    /**
     * Parses a persisted state, checking every field and bound.
     *
     * @throws SenderKeyException {@code TOO_LARGE} or {@code MALFORMED}
     */
    public static GroupSenderKeys decode(byte[] encoded) throws SenderKeyException {
        if (encoded.length > SenderKeyLimits.MAX_STATE_LENGTH) {
            throw new SenderKeyException(SenderKeyException.Reason.TOO_LARGE, "state of " + encoded.length + " bytes exceeds its limit");
        }
        SenderKeyProto.GroupSenderKeysState state;
        try {
            state = SenderKeyProto.GroupSenderKeysState.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            throw new SenderKeyException(SenderKeyException.Reason.MALFORMED, "not a group sender key state", e);
        }
        byte[] groupId = SenderKeyMessage.checkGroupId(state.getGroupId().toByteArray());
        IdentityPublicKey ownIdentity = SenderKeyMessage.identity(state.getOwnIdentity().toByteArray());
        long current = state.getCurrentEpoch();
        SenderKeyProto.OwnSenderChainState ownState = state.getOwnChain();
        if (current < 0 || !state.hasOwnChain() || ownState.getEpoch() != current) {
            throw SenderKeyMessage.malformed("own chain missing or not of the current epoch");
        }
        IdentityKeyPair signingKey;
        try {
            signingKey = IdentityKeyPair.unmarshalPrivateKey(ownState.getSigningPrivateKey().toByteArray());
        } catch (IllegalArgumentException e) {
            throw new SenderKeyException(SenderKeyException.Reason.MALFORMED, "own signing key is not an Ed25519 private key", e);
        }
        OwnSenderChain own = new OwnSenderChain(current, chainKey(ownState.getIteration(), ownState.getChainKey()), signingKey);

        TreeMap<ChainId, ReceivedSenderChain> received = new TreeMap<>();
        Map<Long, Integer> sendersPerEpoch = new TreeMap<>();
        int totalSkipped = 0;
        for (SenderKeyProto.ReceivedSenderChainState chain : state.getReceivedChainsList()) {
            long epoch = chain.getEpoch();
            if (!keeps(current, epoch)) throw SenderKeyMessage.malformed("received chain of an epoch that is not kept");
            IdentityPublicKey sender = SenderKeyMessage.identity(chain.getSender().toByteArray());
            if (sender.equals(ownIdentity)) throw SenderKeyMessage.malformed("received chain of this member itself");
            if (sendersPerEpoch.merge(epoch, 1, Integer::sum) > SenderKeyLimits.MAX_SENDERS_PER_EPOCH) {
                throw SenderKeyMessage.malformed("too many senders in epoch " + epoch);
            }
            SenderChainKey chainKey = chainKey(chain.getIteration(), chain.getChainKey());
            if (chain.getSkippedCount() > SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN) throw SenderKeyMessage.malformed("too many skipped keys");
            LinkedHashMap<Integer, byte[]> skipped = new LinkedHashMap<>();
            for (SenderKeyProto.SkippedSenderMessageKey key : chain.getSkippedList()) {
                byte[] messageKey = key.getMessageKey().toByteArray();
                if (key.getIteration() < 0 || key.getIteration() >= chainKey.iteration() || messageKey.length != SenderChainKey.KEY_LENGTH
                        || skipped.put(key.getIteration(), messageKey) != null) {
                    throw SenderKeyMessage.malformed("skipped message key out of range, of the wrong size or repeated");
                }
            }
            totalSkipped += skipped.size();
            if (totalSkipped > SenderKeyLimits.MAX_SKIPPED_KEYS_PER_GROUP) throw SenderKeyMessage.malformed("too many skipped keys in the group");
            ChainId id = new ChainId(epoch, sender);
            // A state written before starts were kept: its chain starts where it stands (nothing reopens).
            int start = chain.hasStartIteration() ? chain.getStartIteration() : chainKey.iteration();
            if (start < 0 || start > chainKey.iteration()) throw SenderKeyMessage.malformed("chain start past the chain");
            ReceivedSenderChain previous = received.put(id, new ReceivedSenderChain(epoch, sender, chainKey,
                    SenderKeyMessage.identity(chain.getSigningPublicKey().toByteArray()), skipped, start));
            if (previous != null) throw SenderKeyMessage.malformed("two chains for one epoch and sender");
        }
        return new GroupSenderKeys(groupId, ownIdentity, own, received);
    }

    private static SenderChainKey chainKey(int iteration, ByteString key) throws SenderKeyException {
        if (iteration < 0 || key.size() != SenderChainKey.KEY_LENGTH) throw SenderKeyMessage.malformed("chain key or iteration out of range");
        return new SenderChainKey(iteration, key.toByteArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupSenderKeys g && Arrays.equals(g.groupId, groupId) && g.ownIdentity.equals(ownIdentity)
                && g.own.equals(own) && g.received.equals(received);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(groupId) * 31 + own.hashCode();
    }

    @Override
    public String toString() {
        return "GroupSenderKeys[epoch=" + currentEpoch() + ", own=" + own + ", receivedChains=" + received.size() + "]";
    }
}
