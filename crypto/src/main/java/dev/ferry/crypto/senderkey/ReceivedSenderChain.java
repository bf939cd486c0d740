package dev.ferry.crypto.senderkey;

import dev.ferry.crypto.Aes256Gcm;
import dev.ferry.crypto.IdentityPublicKey;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Another member's chain for one epoch as this member holds it: the chain key at the next
 * expected iteration, the sender's signing key, and the message keys of skipped iterations
 * (oldest first, at most {@link SenderKeyLimits#MAX_SKIPPED_KEYS_PER_CHAIN}). Immutable:
 * {@link #decrypt} returns the next chain and leaves this one as it was.
 */
final class ReceivedSenderChain {
    private final long epoch;
    private final IdentityPublicKey sender;
    private final SenderChainKey chainKey;
    private final IdentityPublicKey signingKey;
    private final SequencedMap<Integer, byte[]> skipped;

    ReceivedSenderChain(long epoch, IdentityPublicKey sender, SenderChainKey chainKey, IdentityPublicKey signingKey,
            SequencedMap<Integer, byte[]> skipped) {
        if (skipped.size() > SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN) throw new IllegalArgumentException("too many skipped keys");
        this.epoch = epoch;
        this.sender = sender;
        this.chainKey = chainKey;
        this.signingKey = signingKey;
        this.skipped = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(skipped));
    }

    record Decrypted(byte[] plaintext, ReceivedSenderChain next) {}

    /** Verifies, then decrypts {@code message}; throws with the state untouched on any refusal. */
    Decrypted decrypt(byte[] groupId, SenderKeyMessage message) throws SenderKeyException {
        if (!message.verify(signingKey)) {
            throw new SenderKeyException(SenderKeyException.Reason.BAD_SIGNATURE, "signature does not verify with the sender's signing key");
        }
        int iteration = message.iteration();
        byte[] associatedData = GroupMessageCipher.associatedData(groupId, epoch, sender.raw(), iteration);
        if (iteration < chainKey.iteration()) {
            byte[] messageKey = skipped.get(iteration);
            if (messageKey == null) {
                throw new SenderKeyException(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD,
                        "iteration " + iteration + " was read already or its key was dropped");
            }
            byte[] plaintext = open(messageKey, message, associatedData);
            LinkedHashMap<Integer, byte[]> remaining = new LinkedHashMap<>(skipped);
            remaining.remove(iteration);
            return new Decrypted(plaintext, new ReceivedSenderChain(epoch, sender, chainKey, signingKey, remaining));
        }
        if ((long) iteration - chainKey.iteration() > SenderKeyLimits.MAX_FORWARD || iteration == SenderChainKey.MAX_ITERATION) {
            throw new SenderKeyException(SenderKeyException.Reason.TOO_FAR_AHEAD,
                    "iteration " + iteration + " is more than " + SenderKeyLimits.MAX_FORWARD + " ahead of " + chainKey.iteration());
        }
        LinkedHashMap<Integer, byte[]> nextSkipped = new LinkedHashMap<>(skipped);
        SenderChainKey current = chainKey;
        while (current.iteration() < iteration) {
            nextSkipped.put(current.iteration(), current.messageKey());
            current = current.next();
        }
        byte[] messageKey = current.messageKey();
        try {
            byte[] plaintext = open(messageKey, message, associatedData);
            Iterator<Map.Entry<Integer, byte[]>> oldestFirst = nextSkipped.entrySet().iterator();
            while (nextSkipped.size() > SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN) {
                oldestFirst.next(); // not wiped: the arrays are shared with the previous, still valid, state
                oldestFirst.remove();
            }
            return new Decrypted(plaintext, new ReceivedSenderChain(epoch, sender, current.next(), signingKey, nextSkipped));
        } finally {
            SenderChainKey.wipe(messageKey);
        }
    }

    /** This chain without its {@code count} oldest skipped keys. */
    ReceivedSenderChain withoutOldestSkipped(int count) {
        LinkedHashMap<Integer, byte[]> remaining = new LinkedHashMap<>(skipped);
        Iterator<Integer> oldestFirst = remaining.keySet().iterator();
        for (int i = 0; i < count && oldestFirst.hasNext(); i++) {
            oldestFirst.next();
            oldestFirst.remove();
        }
        return new ReceivedSenderChain(epoch, sender, chainKey, signingKey, remaining);
    }

    private static byte[] open(byte[] messageKey, SenderKeyMessage message, byte[] associatedData) throws SenderKeyException {
        try {
            return GroupMessageCipher.decrypt(messageKey, message.ciphertext(), associatedData);
        } catch (Aes256Gcm.AuthenticationException e) {
            throw new SenderKeyException(SenderKeyException.Reason.DECRYPTION_FAILED, "ciphertext does not authenticate");
        }
    }

    long epoch() {
        return epoch;
    }

    IdentityPublicKey sender() {
        return sender;
    }

    SenderChainKey chainKey() {
        return chainKey;
    }

    IdentityPublicKey signingKey() {
        return signingKey;
    }

    /** The skipped message keys by iteration, oldest first (the caller must not change the arrays). */
    SequencedMap<Integer, byte[]> skipped() {
        return skipped;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReceivedSenderChain c)) return false;
        if (c.epoch != epoch || !c.sender.equals(sender) || !c.chainKey.equals(chainKey) || !c.signingKey.equals(signingKey)
                || c.skipped.size() != skipped.size()) {
            return false;
        }
        Iterator<Map.Entry<Integer, byte[]>> theirs = c.skipped.entrySet().iterator();
        for (Map.Entry<Integer, byte[]> mine : skipped.entrySet()) {
            Map.Entry<Integer, byte[]> other = theirs.next();
            if (!mine.getKey().equals(other.getKey()) || !MessageDigest.isEqual(mine.getValue(), other.getValue())) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(epoch) * 31 + sender.hashCode()) * 31 + chainKey.hashCode();
    }

    @Override
    public String toString() {
        return "ReceivedSenderChain[epoch=" + epoch + ", sender=" + sender + ", iteration=" + chainKey.iteration()
                + ", skipped=" + skipped.size() + "]";
    }
}
