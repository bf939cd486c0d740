package dev.ferry.messenger.direct;

import static dev.ferry.messenger.direct.DirectTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.messenger.direct.DirectTestNetwork.TestEnvelope;
import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.host.OverlayNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DirectDeliveryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final DirectTestNetwork network = new DirectTestNetwork();
    private final OverlayNode recipient = network.host();
    private final OverlayNode sender = network.host();
    private final DirectMetrics recipientMetrics = DirectMetrics.register(Metrics.create());
    private final DirectMetrics senderMetrics = DirectMetrics.register(Metrics.create());
    private final DirectClient client = new DirectClient(sender.host(), network.scheduler, senderMetrics);

    @AfterEach
    void close() {
        network.close();
    }

    private DirectServer serve(DirectHandler handler) {
        return serve(handler, DirectConfig.DEFAULT);
    }

    private DirectServer serve(DirectHandler handler, DirectConfig config) {
        DirectServer server = network.serve(recipient, handler, config, recipientMetrics);
        DirectTestNetwork.connect(sender, recipient);
        return server;
    }

    private DeliveryResult deliver(TestEnvelope envelope) {
        return deliver(envelope, TIMEOUT);
    }

    private DeliveryResult deliver(TestEnvelope envelope, Duration timeout) {
        return join(client.deliver(recipient.host().peerId(), envelope.header(), envelope.ciphertext(), timeout));
    }

    @Test
    void anEnvelopeAcknowledgedByItsRecipientIsDelivered() {
        AtomicReference<String> handlerThread = new AtomicReference<>();
        List<byte[]> received = new CopyOnWriteArrayList<>();
        TestEnvelope envelope = DirectTestNetwork.envelope(recipient.host().peerId(), 1000);
        serve((from, header, ciphertext) -> {
            handlerThread.set(Thread.currentThread().getName());
            assertThat(from).isEqualTo(sender.host().peerId());
            received.add(ciphertext);
            return CompletableFuture.completedFuture(DirectAnswer.acknowledged(envelope.ackSecret()));
        });

        DeliveryResult result = deliver(envelope);

        assertThat(result).isInstanceOfSatisfying(DeliveryResult.Delivered.class,
                d -> assertThat(d.ackSecret()).isEqualTo(envelope.ackSecret()));
        assertThat(received).singleElement().isEqualTo(envelope.ciphertext());
        assertThat(handlerThread.get()).as("the handler runs off the event loop").isEqualTo(DirectTestNetwork.HANDLER_THREAD);
        assertThat(senderMetrics.deliveryCount(DirectMetrics.Outcome.DELIVERED)).isEqualTo(1);
    }

    @Test
    void anAckThatDoesNotHashToTheAckHashIsDetected() {
        serve((from, header, ciphertext) -> CompletableFuture.completedFuture(
                DirectAnswer.acknowledged(AckSecret.generate(DirectTestNetwork.RANDOM))));
        assertThat(deliver(DirectTestNetwork.envelope(recipient.host().peerId(), 10))).isInstanceOf(DeliveryResult.BadAck.class);
        assertThat(senderMetrics.deliveryCount(DirectMetrics.Outcome.BAD_ACK)).isEqualTo(1);
    }

    @Test
    void aRefusalComesBackWithItsStatusAndDetail() {
        serve((from, header, ciphertext) -> CompletableFuture.completedFuture(DirectAnswer.refused(DirectStatus.REFUSED, "not now")));
        assertThat(deliver(DirectTestNetwork.envelope(recipient.host().peerId(), 10)))
                .isEqualTo(new DeliveryResult.Refused(DirectStatus.REFUSED, "not now"));
    }

    @Test
    void aHandlerThatFailsIsAnsweredInternalError() {
        serve((from, header, ciphertext) -> {
            throw new IllegalStateException("store closed");
        });
        assertThat(deliver(DirectTestNetwork.envelope(recipient.host().peerId(), 10)))
                .isInstanceOfSatisfying(DeliveryResult.Refused.class, r -> assertThat(r.status()).isEqualTo(DirectStatus.INTERNAL_ERROR));
    }

    @Test
    void aRecipientThatDoesNotAnswerInTimeIsUnreachable() {
        serve((from, header, ciphertext) -> new CompletableFuture<>());
        assertThat(deliver(DirectTestNetwork.envelope(recipient.host().peerId(), 10), Duration.ofMillis(300)))
                .isInstanceOfSatisfying(DeliveryResult.Unreachable.class, u -> assertThat(u.reason()).contains("no answer"));
    }

    @Test
    void aPeerThatDoesNotServeTheProtocolIsUnreachable() {
        DirectTestNetwork.connect(sender, recipient);
        assertThat(deliver(DirectTestNetwork.envelope(recipient.host().peerId(), 10))).isInstanceOf(DeliveryResult.Unreachable.class);
        assertThat(senderMetrics.deliveryCount(DirectMetrics.Outcome.UNREACHABLE)).isEqualTo(1);
    }

    @Test
    void deliveriesPastThePerPeerLimitAreAnsweredBusyWithoutReachingTheHandler() {
        List<CompletableFuture<DirectAnswer>> pending = new CopyOnWriteArrayList<>();
        DirectServer server = serve((from, header, ciphertext) -> {
            CompletableFuture<DirectAnswer> answer = new CompletableFuture<>();
            pending.add(answer);
            return answer;
        }, new DirectConfig(2, 8, Duration.ofSeconds(10)));
        List<TestEnvelope> envelopes = new ArrayList<>();
        List<CompletableFuture<DeliveryResult>> results = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TestEnvelope e = DirectTestNetwork.envelope(recipient.host().peerId(), 10);
            envelopes.add(e);
            results.add(client.deliver(recipient.host().peerId(), e.header(), e.ciphertext(), TIMEOUT));
        }
        await().atMost(DirectTestNetwork.WAIT).until(() -> pending.size() == 2);

        // On a stream of its own (this client's would queue it behind the two in progress).
        TestEnvelope third = DirectTestNetwork.envelope(recipient.host().peerId(), 10);
        try (DirectClient other = new DirectClient(sender.host(), network.scheduler, senderMetrics)) {
            assertThat(join(other.deliver(recipient.host().peerId(), third.header(), third.ciphertext(), TIMEOUT)))
                    .isInstanceOfSatisfying(DeliveryResult.Refused.class, r -> assertThat(r.status()).isEqualTo(DirectStatus.BUSY));
        }
        assertThat(server.inFlight()).isEqualTo(2);

        for (int i = 0; i < 2; i++) pending.get(i).complete(DirectAnswer.acknowledged(envelopes.get(i).ackSecret()));
        results.forEach(r -> assertThat(join(r)).isInstanceOf(DeliveryResult.Delivered.class));
        await().atMost(DirectTestNetwork.WAIT).until(() -> server.inFlight() == 0);
        // With the slots free again, the next delivery reaches the handler.
        TestEnvelope next = DirectTestNetwork.envelope(recipient.host().peerId(), 10);
        CompletableFuture<DeliveryResult> nextResult = client.deliver(recipient.host().peerId(), next.header(), next.ciphertext(), TIMEOUT);
        await().atMost(DirectTestNetwork.WAIT).until(() -> pending.size() == 3);
        pending.get(2).complete(DirectAnswer.acknowledged(next.ackSecret()));
        assertThat(join(nextResult)).isInstanceOf(DeliveryResult.Delivered.class);
    }

    @Test
    void manyDeliveriesToOneRecipientShareAFewStreamsAndEachGetsItsOwnAck() {
        java.util.Map<java.nio.ByteBuffer, AckSecret> secrets = new java.util.concurrent.ConcurrentHashMap<>();
        serve((from, header, ciphertext) -> CompletableFuture.completedFuture(
                DirectAnswer.acknowledged(secrets.get(java.nio.ByteBuffer.wrap(header.envelopeId())))));
        List<TestEnvelope> envelopes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            TestEnvelope e = DirectTestNetwork.envelope(recipient.host().peerId(), 10 + i);
            envelopes.add(e);
            secrets.put(java.nio.ByteBuffer.wrap(e.header().envelopeId()), e.ackSecret());
        }
        List<CompletableFuture<DeliveryResult>> results = new ArrayList<>();
        for (TestEnvelope e : envelopes) results.add(client.deliver(recipient.host().peerId(), e.header(), e.ciphertext(), TIMEOUT));

        for (int i = 0; i < results.size(); i++) {
            AckSecret expected = envelopes.get(i).ackSecret();
            assertThat(join(results.get(i))).isInstanceOfSatisfying(DeliveryResult.Delivered.class,
                    d -> assertThat(d.ackSecret()).isEqualTo(expected));
        }
        assertThat(client.streamsTo(recipient.host().peerId())).isBetween(1, 2);
        assertThat(senderMetrics.deliveryCount(DirectMetrics.Outcome.DELIVERED)).isEqualTo(200);
    }

    @Test
    void anOversizeFrameResetsTheStreamAndCounts() {
        serve((from, header, ciphertext) -> CompletableFuture.completedFuture(DirectAnswer.refused(DirectStatus.REFUSED, "")));
        ByteBuf prefix = Unpooled.buffer();
        LengthPrefixed.writeVarint(prefix, DirectProtocol.MAX_REQUEST_SIZE + 1);
        Stream stream = rawStream();
        stream.write(prefix);
        assertResetByTheRecipient(stream);
        await().atMost(DirectTestNetwork.WAIT).until(() -> recipientMetrics.inboundMalformedCount() == 1);
    }

    @Test
    void bytesThatAreNotARequestResetTheStreamAndCount() {
        serve((from, header, ciphertext) -> CompletableFuture.completedFuture(DirectAnswer.refused(DirectStatus.REFUSED, "")));
        Stream stream = rawStream();
        stream.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, new byte[] {(byte) 0xff, (byte) 0xff, 0x01}));
        assertResetByTheRecipient(stream);
        await().atMost(DirectTestNetwork.WAIT).until(() -> recipientMetrics.inboundMalformedCount() == 1);
    }

    @Test
    void aRequestWhoseCiphertextIsNotTheOneItsHeaderCommitsToIsAnsweredMalformed() {
        List<Object> handled = new CopyOnWriteArrayList<>();
        serve((from, header, ciphertext) -> {
            handled.add(header);
            return CompletableFuture.completedFuture(DirectAnswer.refused(DirectStatus.REFUSED, ""));
        });
        TestEnvelope envelope = DirectTestNetwork.envelope(recipient.host().peerId(), 10);
        byte[] other = envelope.ciphertext().clone();
        other[0] ^= 1;
        DeliveryResult result = join(client.deliver(recipient.host().peerId(), envelope.header(), other, TIMEOUT));
        assertThat(result).isInstanceOfSatisfying(DeliveryResult.Refused.class, r -> assertThat(r.status()).isEqualTo(DirectStatus.MALFORMED));
        assertThat(handled).isEmpty();
    }

    private static void assertResetByTheRecipient(Stream stream) {
        Throwable cause = join(stream.closeFuture().handle((v, e) -> e));
        assertThat(cause).as("the stream ends in a reset").isNotNull().hasMessageContaining("reset");
    }

    /** A stream to the recipient's direct protocol that the test writes raw bytes on. */
    private Stream rawStream() {
        Stream stream = join(sender.host().newStream(recipient.host().peerId(), DirectProtocol.PROTOCOL_ID));
        stream.setReceiver(new StreamReceiver() {
            @Override
            public void onData(Stream s, ByteBuf data) {}
        });
        return stream;
    }
}
