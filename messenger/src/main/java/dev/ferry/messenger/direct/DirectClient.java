package dev.ferry.messenger.direct;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.direct.DirectMetrics.Outcome;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.framing.PipelinedRequests;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers envelopes over {@code /ferry/direct/1.0.0}: requests to one recipient share a couple
 * of long-lived streams, a few unanswered on each ({@link PipelinedRequests}). A delivery counts
 * as {@link DeliveryResult.Delivered} only when the returned secret's SHA-256 is the header's ACK
 * hash, so a recipient cannot claim an envelope it could not open. The future always completes
 * with a result, never exceptionally.
 */
public final class DirectClient implements AutoCloseable {
    /** Streams to one recipient: the outbox keeps a few envelopes per recipient on their way. */
    private static final int STREAMS_PER_PEER = 2;
    /** Deliveries waiting for room on a recipient's streams before more are refused at once. */
    private static final int MAX_WAITING_PER_PEER = 256;
    /** A stream to a recipient with nothing on its way is closed after this long. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final DirectMetrics metrics;
    private final PipelinedRequests requests;
    private final AtomicLong nextRequestId = new AtomicLong(1);

    /** @param scheduler runs the timeouts of deliveries */
    public DirectClient(Host host, ScheduledExecutorService scheduler, DirectMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.requests = new PipelinedRequests(Objects.requireNonNull(host, "host"), DirectProtocol.PROTOCOL_ID,
                new PipelinedRequests.Settings(DirectProtocol.MAX_RESPONSE_SIZE, DirectProtocol.MAX_QUEUED_REQUESTS_PER_STREAM,
                        STREAMS_PER_PEER, MAX_WAITING_PER_PEER, IDLE_TIMEOUT),
                Objects.requireNonNull(scheduler, "scheduler"));
    }

    /**
     * Delivers the envelope to {@code peer}, which must be its recipient (who is online), and
     * completes with how it ended within {@code timeout}.
     */
    public CompletableFuture<DeliveryResult> deliver(PeerId peer, EnvelopeHeader header, byte[] ciphertext, Duration timeout) {
        long requestId = nextRequestId.getAndIncrement();
        byte[] request = DirectCodec.encodeRequest(requestId, header, ciphertext);
        return requests.request(peer, request, timeout).handle((bytes, failure) -> {
            DeliveryResult result = failure != null ? unreachable(failure, timeout) : interpret(bytes, requestId, header);
            metrics.delivery(switch (result) {
                case DeliveryResult.Delivered d -> Outcome.DELIVERED;
                case DeliveryResult.BadAck b -> Outcome.BAD_ACK;
                case DeliveryResult.Refused f -> Outcome.REFUSED;
                case DeliveryResult.Unreachable u -> Outcome.UNREACHABLE;
            });
            return result;
        });
    }

    /** Streams open or opening to {@code peer}; for tests. */
    int streamsTo(PeerId peer) {
        return requests.streams(peer);
    }

    /** Resets the streams; deliveries on their way end unreachable. */
    @Override
    public void close() {
        requests.close();
    }

    private DeliveryResult interpret(byte[] bytes, long requestId, EnvelopeHeader header) {
        DirectCodec.Response response;
        try {
            response = DirectCodec.decodeResponse(bytes);
        } catch (DirectCodec.MalformedException e) {
            metrics.answerMalformed();
            return new DeliveryResult.Unreachable("malformed answer: " + e.getMessage());
        }
        if (response.requestId() != requestId) {
            metrics.answerMalformed();
            return new DeliveryResult.Unreachable("answer to request " + response.requestId() + ", not " + requestId);
        }
        DirectAnswer answer = response.answer();
        if (answer.status() != DirectStatus.ACKNOWLEDGED) return new DeliveryResult.Refused(answer.status(), answer.detail());
        if (answer.ackSecret().orElseThrow().matches(header.ackHash())) return new DeliveryResult.Delivered(answer.ackSecret().get());
        return new DeliveryResult.BadAck("the returned secret does not hash to the envelope's ACK hash");
    }

    private static DeliveryResult unreachable(Throwable failure, Duration timeout) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof TimeoutException)) t = t.getCause();
        if (t instanceof TimeoutException) return new DeliveryResult.Unreachable("no answer within " + timeout);
        return new DeliveryResult.Unreachable(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }
}
