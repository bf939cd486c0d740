package dev.ferry.bench.jmh;

import dev.ferry.crypto.X25519;
import dev.ferry.crypto.ratchet.RatchetException;
import dev.ferry.crypto.ratchet.RatchetSession;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One encrypt + decrypt pair of a 100-byte message through the Double Ratchet: in steady state
 * (the same sending chain, no DH step: two KDF_CK steps, two HKDF expansions, AES-GCM both ways),
 * and with a DH ratchet step on every message (the two parties take turns, so each decrypt
 * generates a key pair and does two X25519 agreements).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RatchetBenchmark {
    private final byte[] plaintext = new byte[100];
    private SecureRandom random;
    private RatchetSession alice;
    private RatchetSession bob;

    @Setup
    public void setUp() throws RatchetException {
        random = new SecureRandom();
        byte[] sharedSecret = new byte[32];
        random.nextBytes(sharedSecret);
        byte[] associatedData = new byte[72];
        X25519.KeyPair bobPrekey = X25519.generate(random);
        alice = RatchetSession.initAsInitiator(sharedSecret, associatedData, bobPrekey.publicKey(), random);
        bob = RatchetSession.initAsResponder(sharedSecret, associatedData, bobPrekey);
        RatchetSession.Encrypted first = alice.encrypt(plaintext);
        alice = first.next();
        bob = bob.decrypt(first.message(), random).next();
    }

    /** Alice to Bob, always the same chain. */
    @Benchmark
    public byte[] steadyStatePair() throws RatchetException {
        RatchetSession.Encrypted e = alice.encrypt(plaintext);
        alice = e.next();
        RatchetSession.Decrypted d = bob.decrypt(e.message(), random);
        bob = d.next();
        return d.plaintext();
    }

    /** Alternating directions: every decrypt is a DH ratchet step. */
    @Benchmark
    public byte[] dhStepPair() throws RatchetException {
        RatchetSession.Encrypted e = alice.encrypt(plaintext);
        alice = e.next();
        RatchetSession.Decrypted d = bob.decrypt(e.message(), random);
        bob = d.next();
        RatchetSession swap = alice;
        alice = bob;
        bob = swap;
        return d.plaintext();
    }
}
