package dev.ferry.bench.jmh;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.senderkey.GroupSenderKeys;
import dev.ferry.crypto.senderkey.SenderKeyException;
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
 * One 100-byte group message through sender keys: the sender encrypts and signs (Ed25519), the
 * receiver verifies and decrypts, each step returning the next immutable state. The cost of a
 * group message before gossip and storage.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SenderKeyBenchmark {
    private final byte[] plaintext = new byte[100];
    private GroupSenderKeys sender;
    private GroupSenderKeys receiver;

    @Setup
    public void setUp() throws SenderKeyException {
        SecureRandom random = new SecureRandom();
        byte[] group = new byte[32];
        random.nextBytes(group);
        IdentityKeyPair alice = IdentityKeyPair.generate(random);
        IdentityKeyPair bob = IdentityKeyPair.generate(random);
        sender = GroupSenderKeys.create(group, alice.publicKey(), 0, random);
        receiver = GroupSenderKeys.create(group, bob.publicKey(), 0, random).accept(sender.distribution(), alice.publicKey());
    }

    @Benchmark
    public byte[] encryptAndDecrypt() throws SenderKeyException {
        GroupSenderKeys.Encrypted encrypted = sender.encrypt(plaintext);
        sender = encrypted.next();
        GroupSenderKeys.Decrypted decrypted = receiver.decrypt(encrypted.message());
        receiver = decrypted.next();
        return decrypted.plaintext();
    }
}
