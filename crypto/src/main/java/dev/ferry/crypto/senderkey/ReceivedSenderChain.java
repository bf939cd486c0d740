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
 * expected iteration, the sender's signing key, the message keys of skipped iterations (oldest
 * first, at most {@link SenderKeyLimits#MAX_SKIPPED_KEYS_PER_CHAIN}), and its start: the earliest
 * iteration a distribution gave. Nothing below the start was ever readable here, so an earlier
 * distribution of the same chain may lower it without reopening a message already read.
 * Immutable: {@link #decrypt} returns the next chain and leaves this one as it was.
 */
final class ReceivedSenderChain {
    private final long epoch;
    private final IdentityPublicKey sender;
    private final SenderChainKey chainKey;
    private final IdentityPublicKey signingKey;
    private final SequencedMap<Integer, byte[]> skipped;
    private final int start;

    /** A chain as a distribution gives it: it starts at the distribution's iteration. */
    ReceivedSenderChain(long epoch, IdentityPublicKey sender, SenderChainKey chainKey, IdentityPublicKey signingKey,
            SequencedMap<Integer, byte[]> skipped) {
        this(epoch, sender, chainKey, signingKey, skipped, chainKey.iteration());
    }

    ReceivedSenderChain(long epoch, IdentityPublicKey sender, SenderChainKey chainKey, IdentityPublicKey signingKey,
            SequencedMap<Integer, byte[]> skipped, int start) {
        if (skipped.size() > SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN) throw new IllegalArgumentException("too many skipped keys");
        if (start < 0 || start > chainKey.iteration()) throw new IllegalArgumentException("start " + start + " is past the chain");
        this.start = start;
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
            return new Decrypted(plaintext, new ReceivedSenderChain(epoch, sender, chainKey, signingKey, remaining, start));
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
            return new Decrypted(plaintext, new ReceivedSenderChain(epoch, sender, current.next(), signingKey, nextSkipped, start));
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
        return new ReceivedSenderChain(epoch, sender, chainKey, signingKey, remaining, start);
    }

    /**
     * This chain reaching back to {@code earlier}, an earlier point of the same chain (a distribution
     * sent before the one this chain came from, arriving after it): the message keys from there up
     * to the start become readable, as skipped keys. A message sent before the later distribution
     * was made is then not lost because that distribution overtook the first. Returns this chain
     * if {@code earlier} is not earlier, lies more than {@link SenderKeyLimits#MAX_FORWARD} behind,
     * or is not a point of this chain.
     */
    ReceivedSenderChain reachingBackTo(SenderChainKey earlier) {
        if (earlier.iteration() >= start || chainKey.iteration() - earlier.iteration() > SenderKeyLimits.MAX_FORWARD) return this;
        LinkedHashMap<Integer, byte[]> keys = new LinkedHashMap<>();
        SenderChainKey step = earlier;
        while (step.iteration() < chainKey.iteration()) {
            if (step.iteration() < start) keys.put(step.iteration(), step.messageKey());
            step = step.next();
        }
        // Only a point of this very chain: stepped forward, it must reach the chain key held.
        if (!step.equals(chainKey)) {
            keys.values().forEach(SenderChainKey::wipe);
            return this;
        }
        keys.putAll(skipped);
        Iterator<Integer> oldestFirst = keys.keySet().iterator();
        while (keys.size() > SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN) {
            oldestFirst.next();
            oldestFirst.remove();
        }
        return new ReceivedSenderChain(epoch, sender, chainKey, signingKey, keys, earlier.iteration());
    }

    /** The earliest iteration a distribution gave: nothing below it was readable here. */
    int start() {
        return start;
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
                || c.skipped.size() != skipped.size() || c.start != start) {
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
