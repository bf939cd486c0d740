package dev.ferry.crypto.envelope;

import dev.ferry.crypto.X25519;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A sender's ephemeral sealing keys: one per recipient key, used for at most {@link #MAX_USES}
 * envelopes and for at most {@link #MAX_AGE}, then replaced. A burst of envelopes to one recipient
 * then costs one X25519 key generation and one agreement instead of one each per envelope; every
 * envelope still gets its own AES-GCM key and nonce from a fresh random salt (see
 * {@link SealedEnvelope}).
 *
 * <p>What it costs: holders can tell that the envelopes sealed with one key came from one sender
 * (not which one). A holder already learns that much, and more, from the connection a STORE
 * arrives on. The key pairs and shared secrets stay in memory only, wiped when replaced; at most
 * {@link #MAX_RECIPIENTS} are kept, the least recently used dropped first. Thread-safe.
 */
public final class SealingKeys {
    /** Envelopes sealed with one ephemeral key at most. */
    public static final int MAX_USES = 1_000;

    /** How long one ephemeral key is used at most. */
    public static final Duration MAX_AGE = Duration.ofMinutes(1);

    /** Recipients whose keys are kept at once. */
    public static final int MAX_RECIPIENTS = 1_024;

    /** The current ephemeral key for one recipient key, and its agreement with it. */
    private static final class Current {
        final byte[] ephemeralPublic;
        final byte[] shared;
        final long createdNanos;
        int uses;

        Current(byte[] ephemeralPublic, byte[] shared, long createdNanos) {
            this.ephemeralPublic = ephemeralPublic;
            this.shared = shared;
            this.createdNanos = createdNanos;
        }

        void wipe() {
            Arrays.fill(shared, (byte) 0);
        }
    }

    /** What one seal uses: the ephemeral public key, the shared secret (a copy) and a fresh salt. */
    record Use(byte[] ephemeralPublic, byte[] shared, byte[] salt) {
        @Override
        public String toString() {
            return "SealingKeys.Use[shared secret hidden]";
        }
    }

    private final SecureRandom random;
    private final LongSupplier nanoTime;
    private final int maxUses;
    private final Map<ByteBuffer, Current> byRecipient = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Current> eldest) {
            if (size() <= MAX_RECIPIENTS) return false;
            eldest.getValue().wipe();
            return true;
        }
    };

    /** Keys drawn from {@code random}. */
    public SealingKeys(SecureRandom random) {
        this(random, System::nanoTime, MAX_USES);
    }

    SealingKeys(SecureRandom random, LongSupplier nanoTime, int maxUses) {
        this.random = random;
        this.nanoTime = nanoTime;
        this.maxUses = maxUses;
    }

    /**
     * The key to seal one more envelope to {@code recipientPublic} with.
     *
     * @throws IllegalArgumentException for a key of the wrong length or a low-order point
     */
    synchronized Use next(byte[] recipientPublic) {
        long now = nanoTime.getAsLong();
        Current current = byRecipient.get(ByteBuffer.wrap(recipientPublic));
        if (current == null || current.uses >= maxUses || now - current.createdNanos >= MAX_AGE.toNanos()) {
            if (current != null) current.wipe();
            X25519.KeyPair ephemeral = X25519.generate(random);
            byte[] shared = X25519.agree(ephemeral.privateKey(), recipientPublic);
            current = new Current(ephemeral.publicKey(), shared, now);
            byRecipient.put(ByteBuffer.wrap(recipientPublic.clone()), current);
        }
        current.uses++;
        return new Use(current.ephemeralPublic.clone(), current.shared.clone(), salt(random));
    }

    /** A one-off key for one envelope, used nowhere else. */
    static Use oneOff(byte[] recipientPublic, SecureRandom random) {
        X25519.KeyPair ephemeral = X25519.generate(random);
        return new Use(ephemeral.publicKey(), X25519.agree(ephemeral.privateKey(), recipientPublic), salt(random));
    }

    private static byte[] salt(SecureRandom random) {
        byte[] salt = new byte[SealedEnvelope.SALT_LENGTH];
        random.nextBytes(salt);
        return salt;
    }

    /** Recipients with a key now. */
    public synchronized int size() {
        return byRecipient.size();
    }

    @Override
    public String toString() {
        return "SealingKeys[" + size() + " recipients]";
    }
}
