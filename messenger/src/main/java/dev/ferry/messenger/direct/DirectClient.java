package dev.ferry.messenger.direct;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.direct.DirectMetrics.Outcome;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers envelopes over {@code /ferry/direct/1.0.0}: one stream per envelope, one request,
 * one answer. A delivery counts as {@link DeliveryResult.Delivered} only when the returned
 * secret's SHA-256 is the header's ACK hash, so a recipient cannot claim an envelope it could
 * not open. The future always completes with a result, never exceptionally.
 */
public final class DirectClient {
    private final Host host;
    private final ScheduledExecutorService scheduler;
    private final DirectMetrics metrics;
    private final AtomicLong nextRequestId = new AtomicLong(1);

    /** @param scheduler runs the timeouts of deliveries */
    public DirectClient(Host host, ScheduledExecutorService scheduler, DirectMetrics metrics) {
        this.host = Objects.requireNonNull(host, "host");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Delivers the envelope to {@code peer}, which must be its recipient (who is online), and
     * completes with how it ended within {@code timeout}.
     */
    public CompletableFuture<DeliveryResult> deliver(PeerId peer, EnvelopeHeader header, byte[] ciphertext, Duration timeout) {
        long requestId = nextRequestId.getAndIncrement();
        byte[] request = DirectCodec.encodeRequest(requestId, header, ciphertext);
        CompletableFuture<DeliveryResult> result = new CompletableFuture<>();
        result.thenAccept(r -> metrics.delivery(switch (r) {
            case DeliveryResult.Delivered d -> Outcome.DELIVERED;
            case DeliveryResult.BadAck b -> Outcome.BAD_ACK;
            case DeliveryResult.Refused f -> Outcome.REFUSED;
            case DeliveryResult.Unreachable u -> Outcome.UNREACHABLE;
        }));
        try {
            ScheduledFuture<?> timer = scheduler.schedule(() -> result.complete(new DeliveryResult.Unreachable("no answer within " + timeout)),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> timer.cancel(false));
        } catch (RejectedExecutionException e) {
            result.complete(new DeliveryResult.Unreachable("the scheduler is shut down"));
            return result;
        }
        host.newStream(peer, DirectProtocol.PROTOCOL_ID).whenComplete((stream, failure) -> {
            if (failure != null) {
                result.complete(new DeliveryResult.Unreachable("no stream: " + rootMessage(failure)));
                return;
            }
            if (result.isDone()) {
                stream.reset();
                return;
            }
            stream.setReceiver(new OutboundRequest(requestId, header, result));
            result.whenComplete((r, e) -> {
                if (r instanceof DeliveryResult.Unreachable) stream.reset();
                else stream.closeWrite();
            });
            stream.write(LengthPrefixed.encode(ByteBufAllocator.DEFAULT, request)).whenComplete((v, e) -> {
                if (e != null) result.complete(new DeliveryResult.Unreachable("write failed: " + rootMessage(e)));
            });
        });
        return result;
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** The answer to one request; frames bytes and nothing else. */
    private final class OutboundRequest extends MessageReceiver {
        private final long requestId;
        private final EnvelopeHeader header;
        private final CompletableFuture<DeliveryResult> result;

        OutboundRequest(long requestId, EnvelopeHeader header, CompletableFuture<DeliveryResult> result) {
            super(DirectProtocol.MAX_RESPONSE_SIZE);
            this.requestId = requestId;
            this.header = header;
            this.result = result;
        }

        @Override
        protected void onMessage(Stream stream, ByteBuf message) {
            if (result.isDone()) return;
            DirectCodec.Response response;
            try {
                response = DirectCodec.decodeResponse(ByteBufUtil.getBytes(message));
            } catch (DirectCodec.MalformedException e) {
                malformed("malformed answer: " + e.getMessage());
                return;
            }
            if (response.requestId() != requestId) {
                malformed("answer to request " + response.requestId() + ", not " + requestId);
                return;
            }
            DirectAnswer answer = response.answer();
            if (answer.status() != DirectStatus.ACKNOWLEDGED) {
                result.complete(new DeliveryResult.Refused(answer.status(), answer.detail()));
            } else if (answer.ackSecret().orElseThrow().matches(header.ackHash())) {
                result.complete(new DeliveryResult.Delivered(answer.ackSecret().get()));
            } else {
                result.complete(new DeliveryResult.BadAck("the returned secret does not hash to the envelope's ACK hash"));
            }
        }

        private void malformed(String reason) {
            metrics.answerMalformed();
            result.complete(new DeliveryResult.Unreachable(reason));
        }

        @Override
        protected void onMalformed(Stream stream, String reason) {
            malformed(reason);
            stream.reset();
        }

        @Override
        public void onRemoteClosed(Stream stream) {
            result.complete(new DeliveryResult.Unreachable("the recipient closed the stream without answering"));
        }

        @Override
        public void onClosed(Stream stream, Throwable cause) {
            super.onClosed(stream, cause);
            result.complete(new DeliveryResult.Unreachable(cause == null ? "stream closed without an answer" : "stream reset"));
        }
    }
}
