package dev.ferry.bench.jmh;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.x3dh.InitialMessage;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.PrekeyRing;
import dev.ferry.crypto.x3dh.X3dh;
import dev.ferry.crypto.x3dh.X3dhException;
import java.security.SecureRandom;
import java.time.Instant;
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
 * X3DH session set-up as a sender meets it: decode and verify a recipient's bundle (two Ed25519
 * signatures), initiate (three X25519 agreements and a key generation), and the recipient's side
 * (decode the initial message, one signature, three agreements).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class X3dhBenchmark {
    private final SecureRandom random = new SecureRandom();
    private final Instant now = Instant.parse("2026-12-01T10:00:00Z");
    private MessagingIdentity alice;
    private MessagingIdentity bob;
    private PrekeyRing bobPrekeys;
    private byte[] bundle;
    private byte[] initialMessage;

    @Setup
    public void setUp() throws X3dhException {
        alice = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
        bob = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
        bobPrekeys = PrekeyRing.create(bob.nodeKey(), now, random);
        bundle = PrekeyBundle.of(bob, bobPrekeys.current()).encode();
        initialMessage = initiate().message().encode();
    }

    /** The sender: verify the fetched bundle and derive the session secret. */
    @Benchmark
    public X3dh.Initiation initiate() throws X3dhException {
        return X3dh.initiate(alice, PrekeyBundle.decode(bundle), bob.nodeKey().peerId(), now, PrekeyPolicy.DEFAULT, random);
    }

    /** The recipient: verify the initial message's identity and derive the same secret. */
    @Benchmark
    public X3dh.Agreement respond() throws X3dhException {
        return X3dh.respond(bob, bobPrekeys, InitialMessage.decode(initialMessage), now, PrekeyPolicy.DEFAULT);
    }
}
