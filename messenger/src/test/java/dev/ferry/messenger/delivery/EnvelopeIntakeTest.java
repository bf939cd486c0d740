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
import dev.ferry.store.FerryStore;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.StoreAccess;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        public EnvelopeIntake.Opening open(EnvelopeHeader header, byte[] ciphertext, Instant now, StoreAccess reads) {
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
        return seal(to, "hi");
    }

    private SealedEnvelope.Sealed seal(X25519.KeyPair to, String text) {
        Instant now = Instant.now();
        InnerContent content = InnerContent.create(ContentType.TEXT, sender.publicKey(), now, text.getBytes(), RANDOM);
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

    /** Writes made through {@link #countingStore}. */
    private final AtomicInteger writes = new AtomicInteger();
    private final FerryStore countingStore = counting(writes);
    private final CountingOpener countingOpener = new CountingOpener();

    /** The store, counting the writes made through it. */
    private FerryStore counting(AtomicInteger writes) {
        return (FerryStore) Proxy.newProxyInstance(FerryStore.class.getClassLoader(), new Class<?>[] {FerryStore.class}, (proxy, method, args) -> {
            if (method.getName().equals("write") || method.getName().equals("writeReturning")) writes.incrementAndGet();
            try {
                return method.invoke(store, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /**
     * Opens as a session layer does: reads a counter kept under the sender (its "session") through
     * {@code reads}, and stages the next value with a check that the counter is still the one read.
     * Envelopes whose text is "breaks" throw; those whose text is "group" change state elsewhere.
     */
    private final class CountingOpener implements EnvelopeIntake.EnvelopeOpener {
        final List<String> events = new CopyOnWriteArrayList<>();
        private final PeerBytes key = PeerBytes.of(sender.peerId().toBytes());

        @Override
        public EnvelopeIntake.Opening open(EnvelopeHeader header, byte[] ciphertext, Instant now, StoreAccess reads) {
            InnerContent content;
            try {
                content = SealedEnvelope.open(recipient, header, ciphertext, now);
            } catch (EnvelopeException e) {
                return new EnvelopeIntake.Opening.Refused(e.getMessage());
            }
            String text = new String(content.payload());
            if (text.equals("breaks")) throw new IllegalStateException("a bug in the opener");
            Optional<byte[]> read = reads.sessions().get(key);
            long count = read.map(b -> Long.parseLong(new String(b))).orElse(0L);
            events.add("open " + text);
            ReceivedMessage message = new ReceivedMessage(sender.peerId(), Optional.empty(), count, content.type(), content.payload(),
                    content.timestamp(), now);
            return new EnvelopeIntake.Opening.Accepted(content.ackSecret().bytes(), List.of(message), batch -> {
                Optional<byte[]> found = batch.sessions().get(key);
                if (found.isPresent() != read.isPresent() || (found.isPresent() && !java.util.Arrays.equals(found.get(), read.get()))) {
                    throw new IllegalStateException("the counter changed since it was read");
                }
                batch.sessions().put(key, Long.toString(count + 1).getBytes());
                batch.inbox().append(conversation, content.payload());
            }, () -> events.add("after " + text), text.equals("group"));
        }

        @Override
        public Optional<byte[]> ackSecret(EnvelopeHeader header, byte[] ciphertext, Instant now) {
            return opener.ackSecret(header, ciphertext, now);
        }
    }

    private List<EnvelopeIntake.Result> acceptAll(EnvelopeIntake intake, String... texts) throws Exception {
        List<EnvelopeIntake.Arrival> arrivals = new java.util.ArrayList<>();
        for (String text : texts) {
            SealedEnvelope.Sealed sealed = seal(recipient, text);
            arrivals.add(new EnvelopeIntake.Arrival(sealed.directHeader(), sealed.ciphertext()));
        }
        List<EnvelopeIntake.Result> results = new java.util.ArrayList<>();
        for (var result : intake.acceptAll(arrivals)) {
            try {
                results.add(result.get(5, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                results.add(null); // failed
            }
        }
        return results;
    }

    private List<String> inboxTexts() {
        return store.inbox().read(conversation, 0, 100).stream().map(m -> new String(m.body())).toList();
    }

    @Test
    void aRunOfEnvelopesIsTakenInOneWriteEachOpenedOnTheChangesOfThoseBeforeIt() throws Exception {
        EnvelopeIntake batched = new EnvelopeIntake(countingStore, countingOpener, Clock.systemUTC(), executor, delivered::addAll, metrics);

        List<EnvelopeIntake.Result> results = acceptAll(batched, "a", "b", "c", "d", "e");

        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(EnvelopeIntake.Result.Delivered.class));
        assertThat(writes).as("one write for the five").hasValue(1);
        assertThat(store.sessions().get(PeerBytes.of(sender.peerId().toBytes()))).hasValueSatisfying(
                b -> assertThat(new String(b)).isEqualTo("5"));
        assertThat(delivered).extracting(ReceivedMessage::sequence).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(inboxTexts()).containsExactly("a", "b", "c", "d", "e");
        assertThat(metrics.messagesDelivered()).isEqualTo(5);
    }

    @Test
    void anEnvelopeThatBreaksTheWriteFailsAloneAndTheOthersAreTakenEachInItsOwnWrite() throws Exception {
        EnvelopeIntake batched = new EnvelopeIntake(countingStore, countingOpener, Clock.systemUTC(), executor, delivered::addAll, metrics);

        List<EnvelopeIntake.Result> results = acceptAll(batched, "a", "breaks", "b", "c");

        assertThat(results.get(0)).isInstanceOf(EnvelopeIntake.Result.Delivered.class);
        assertThat(results.get(1)).as("failed").isNull();
        assertThat(results.subList(2, 4)).allSatisfy(r -> assertThat(r).isInstanceOf(EnvelopeIntake.Result.Delivered.class));
        // Nothing of the broken write was kept: "a" is taken again on its own, once.
        assertThat(inboxTexts()).containsExactly("a", "b", "c");
        assertThat(delivered).extracting(ReceivedMessage::sequence).containsExactly(0L, 1L, 2L);
        assertThat(metrics.messagesDelivered()).isEqualTo(3);
        assertThat(writes).as("the broken one, then one each for a and breaks, then b and c together").hasValue(4);
    }

    @Test
    void anEnvelopeThatChangesStateOutsideTheStoreEndsTheWriteAndItsAfterwardsRunsBeforeTheNextIsOpened() throws Exception {
        EnvelopeIntake batched = new EnvelopeIntake(countingStore, countingOpener, Clock.systemUTC(), executor, delivered::addAll, metrics);

        List<EnvelopeIntake.Result> results = acceptAll(batched, "a", "group", "b", "c");

        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(EnvelopeIntake.Result.Delivered.class));
        assertThat(writes).hasValue(2);
        assertThat(countingOpener.events).containsExactly("open a", "open group", "after a", "after group", "open b", "open c", "after b",
                "after c");
        assertThat(inboxTexts()).containsExactly("a", "group", "b", "c");
    }
}
