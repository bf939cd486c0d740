package dev.ferry.crypto.envelope;

import dev.ferry.crypto.X25519;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A recipient's recent X25519 agreements with senders' ephemeral sealing keys, so that a run of
 * envelopes sealed with one ephemeral key (see {@link SealingKeys}) costs one agreement, not one
 * each. The agreement is a pure function of the two keys, so an envelope opens with a remembered
 * secret exactly as it would with a fresh one. At most {@link #MAX_ENTRIES} are kept, the least
 * recently used dropped (and wiped) first; in memory only. Thread-safe.
 */
public final class OpeningKeys {
    /** Agreements kept at once. */
    public static final int MAX_ENTRIES = 1_024;

    private final X25519.KeyPair identity;
    private final Map<ByteBuffer, byte[]> shared = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
            if (size() <= MAX_ENTRIES) return false;
            Arrays.fill(eldest.getValue(), (byte) 0);
            return true;
        }
    };

    /** Agreements of {@code identity}, the recipient's X25519 identity key. */
    public OpeningKeys(X25519.KeyPair identity) {
        this.identity = identity;
    }

    /** The recipient's key these agreements are made with. */
    public X25519.KeyPair identity() {
        return identity;
    }

    /**
     * The shared secret of the identity key and {@code ephemeralPublic} (a copy the caller may wipe).
     *
     * @throws IllegalArgumentException when {@code ephemeralPublic} is a low-order point
     */
    synchronized byte[] agree(byte[] ephemeralPublic) {
        byte[] known = shared.get(ByteBuffer.wrap(ephemeralPublic));
        if (known == null) {
            known = X25519.agree(identity.privateKey(), ephemeralPublic);
            shared.put(ByteBuffer.wrap(ephemeralPublic.clone()), known);
        }
        return known.clone();
    }

    /** Agreements kept now. */
    public synchronized int size() {
        return shared.size();
    }

    @Override
    public String toString() {
        return "OpeningKeys[" + size() + " agreements]";
    }
}
