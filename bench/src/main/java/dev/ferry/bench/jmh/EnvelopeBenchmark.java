package dev.ferry.bench.jmh;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.OpeningKeys;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.crypto.envelope.SealingKeys;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sealing an envelope to a recipient's X25519 key and opening it (HKDF, AES-256-GCM, the header's
 * id and ciphertext hash), for a short message and a 64 KiB chunk: with a fresh ephemeral key
 * (a key generation and two X25519 agreements each), and as one envelope of a run, whose
 * ephemeral key and agreements the sender's {@link SealingKeys} and the recipient's
 * {@link OpeningKeys} keep.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeBenchmark {
    @Param({"100", "65536"})
    int size;

    private final SecureRandom random = new SecureRandom();
    private final Instant created = Instant.parse("2026-12-05T12:00:00Z");
    private X25519.KeyPair recipient;
    private byte[] mailbox;
    private InnerContent content;
    private SealingKeys sealingKeys;
    private OpeningKeys openingKeys;

    @Setup
    public void setUp() {
        recipient = X25519.generate(random);
        IdentityKeyPair sender = IdentityKeyPair.generate(random);
        mailbox = Mailbox.keyFor(IdentityKeyPair.generate(random).peerId());
        content = InnerContent.create(ContentType.SESSION_MESSAGE, sender.publicKey(), created, new byte[size], random);
        sealingKeys = new SealingKeys(random);
        openingKeys = new OpeningKeys(recipient);
    }

    @Benchmark
    public InnerContent sealAndOpen() throws EnvelopeException {
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, recipient.publicKey(), mailbox, created,
                created.plus(Duration.ofDays(7)), random);
        EnvelopeHeader header = sealed.directHeader();
        return SealedEnvelope.open(recipient, header, sealed.ciphertext(), created);
    }

    @Benchmark
    public InnerContent sealAndOpenInARun() throws EnvelopeException {
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, recipient.publicKey(), mailbox, created,
                created.plus(Duration.ofDays(7)), sealingKeys);
        EnvelopeHeader header = sealed.directHeader();
        return SealedEnvelope.open(openingKeys, header, sealed.ciphertext(), created);
    }
}
