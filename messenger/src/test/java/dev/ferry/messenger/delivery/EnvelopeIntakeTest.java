package dev.ferry.messenger.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.monitoring.Metrics;
import dev.ferry.store.ConversationId;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The intake with a real sealed envelope and an opener that only unseals (no session), against an in-memory store. */
class EnvelopeIntakeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final X25519.KeyPair recipient = X25519.generate(RANDOM);
    private final IdentityKeyPair sender = IdentityKeyPair.generate(RANDOM);
    private final InMemoryFerryStore store = InMemoryFerryStore.create(StoreLimits.DEFAULTS);
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final List<ReceivedMessage> delivered = new CopyOnWriteArrayList<>();
    private final IntakeMetrics metrics = new IntakeMetrics(Metrics.create());
    private final ConversationId conversation = ConversationId.of(sender.peerId().toBytes());

    private final EnvelopeIntake.EnvelopeOpener opener = new EnvelopeIntake.EnvelopeOpener() {
        @Override
        public EnvelopeIntake.Opening open(EnvelopeHeader header, byte[] ciphertext, Instant now) {
            try {
                InnerContent content = SealedEnvelope.open(recipient, header, ciphertext, now);
                ReceivedMessage message = new ReceivedMessage(sender.peerId(), Optional.empty(), 1, content.type(), content.payload(),
                        content.timestamp(), now);
                return new EnvelopeIntake.Opening.Accepted(content.ackSecret().bytes(), List.of(message),
                        batch -> batch.inbox().append(conversation, content.payload()));
            } catch (EnvelopeException e) {
                return new EnvelopeIntake.Opening.Refused(e.getMessage());
            }
        }

        @Override
        public Optional<byte[]> ackSecret(EnvelopeHeader header, byte[] ciphertext, Instant now) {
            try {
                return Optional.of(SealedEnvelope.open(recipient, header, ciphertext, now).ackSecret().bytes());
            } catch (EnvelopeException e) {
                return Optional.empty();
            }
        }
    };

    private final EnvelopeIntake intake = new EnvelopeIntake(store, opener, Clock.systemUTC(), executor, delivered::addAll, metrics);

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        store.close();
    }

    private SealedEnvelope.Sealed seal(X25519.KeyPair to) {
        Instant now = Instant.now();
        InnerContent content = InnerContent.create(ContentType.TEXT, sender.publicKey(), now, "hi".getBytes(), RANDOM);
        return SealedEnvelope.seal(content, to.publicKey(), Mailbox.keyFor(sender.peerId()), now, now.plusSeconds(600), RANDOM);
    }

    @Test
    void anEnvelopeIsDeliveredOnceAndItsCopiesStillGiveTheAckSecret() throws Exception {
        SealedEnvelope.Sealed sealed = seal(recipient);
        EnvelopeHeader header = sealed.directHeader();

        EnvelopeIntake.Result first = intake.accept(header, sealed.ciphertext()).get(5, TimeUnit.SECONDS);
        assertThat(first).isInstanceOfSatisfying(EnvelopeIntake.Result.Delivered.class,
                d -> assertThat(d.ackSecret()).isEqualTo(sealed.ackSecret().bytes()));
        EnvelopeIntake.Result again = intake.accept(header, sealed.ciphertext()).get(5, TimeUnit.SECONDS);
        assertThat(again).isInstanceOfSatisfying(EnvelopeIntake.Result.Duplicate.class,
                d -> assertThat(d.ackSecret()).isEqualTo(sealed.ackSecret().bytes()));

        assertThat(delivered).hasSize(1);
        assertThat(store.inbox().read(conversation, 0, 10)).hasSize(1);
        assertThat(store.tombstones().contains(EnvelopeId.of(header.envelopeId()))).isTrue();
        assertThat(metrics.messagesDelivered()).isEqualTo(1);
        assertThat(metrics.duplicates()).isEqualTo(1);
    }

    @Test
    void anEnvelopeForSomeoneElseIsRefusedAndLeavesNoTrace() throws Exception {
        SealedEnvelope.Sealed sealed = seal(X25519.generate(RANDOM));
        EnvelopeIntake.Result result = intake.accept(sealed.directHeader(), sealed.ciphertext()).get(5, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(EnvelopeIntake.Result.Refused.class);
        assertThat(delivered).isEmpty();
        assertThat(store.tombstones().contains(EnvelopeId.of(sealed.directHeader().envelopeId()))).isFalse();
        assertThat(metrics.envelopesRefused()).isEqualTo(1);
    }
}
