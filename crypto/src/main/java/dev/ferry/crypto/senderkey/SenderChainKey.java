package dev.ferry.crypto.senderkey;

import dev.ferry.crypto.Hkdf;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * One link of a sender's symmetric chain: CK_i at iteration i. The message key of iteration i is
 * HMAC-SHA-256(CK_i, 0x01) and CK_{i+1} = HMAC-SHA-256(CK_i, 0x02), as in libsignal's sender
 * keys. Immutable; the key never appears in {@link #toString()}.
 */
final class SenderChainKey {
    /** Chain keys and message keys are HMAC-SHA-256 outputs. */
    static final int KEY_LENGTH = Hkdf.HASH_LENGTH;
    /**
     * The last usable iteration: iterations travel as a non-negative 32-bit number. A sender
     * reaching it (two billion messages) must start a new epoch.
     */
    static final int MAX_ITERATION = Integer.MAX_VALUE;

    private static final byte[] MESSAGE_KEY_INPUT = {0x01};
    private static final byte[] CHAIN_KEY_INPUT = {0x02};

    private final int iteration;
    private final byte[] key;

    SenderChainKey(int iteration, byte[] key) {
        if (iteration < 0) throw new IllegalArgumentException("iteration must not be negative");
        if (key.length != KEY_LENGTH) throw new IllegalArgumentException("chain keys are " + KEY_LENGTH + " bytes");
        this.iteration = iteration;
        this.key = key.clone();
    }

    int iteration() {
        return iteration;
    }

    byte[] key() {
        return key.clone();
    }

    /** The message key of this iteration. */
    byte[] messageKey() {
        return Hkdf.hmacSha256(key, MESSAGE_KEY_INPUT);
    }

    boolean hasNext() {
        return iteration < MAX_ITERATION;
    }

    /** The chain key of the next iteration. */
    SenderChainKey next() {
        if (!hasNext()) throw new IllegalStateException("sender chain exhausted; start a new epoch");
        return new SenderChainKey(iteration + 1, Hkdf.hmacSha256(key, CHAIN_KEY_INPUT));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SenderChainKey k && k.iteration == iteration && MessageDigest.isEqual(k.key, key);
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(iteration);
    }

    @Override
    public String toString() {
        return "SenderChainKey[iteration=" + iteration + "]";
    }

    static void wipe(byte[] secret) {
        Arrays.fill(secret, (byte) 0);
    }
}
