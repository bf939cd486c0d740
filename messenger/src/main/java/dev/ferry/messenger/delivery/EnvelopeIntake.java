package dev.ferry.messenger.delivery;

import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.StoreBatch;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Where every envelope for this node arrives, whichever way it came (directly, or rebuilt from a
 * mailbox's shards): it is opened at most once, what it carries is persisted in one batch with the
 * session state that opened it and a record of its id, and only then handed to the application.
 * An envelope seen before is not delivered again, but its ACK secret is still returned, so that
 * holders that missed the first ACK can delete their shards.
 *
 * <p>One thread (the given executor, which may block on the store) does all of it, so two copies
 * of an envelope arriving at once cannot both be delivered.
 */
public final class EnvelopeIntake {
    /** Opens envelopes sealed to this node; the session layer implements it. */
    public interface EnvelopeOpener {
        /**
         * Opens and decrypts an envelope, reading (never writing) the store.
         *
         * @param now this node's clock
         */
        Opening open(EnvelopeHeader header, byte[] ciphertext, Instant now);

        /** Only unseals an envelope to read its ACK secret, for one already delivered; empty if it does not open. */
        Optional<byte[]> ackSecret(EnvelopeHeader header, byte[] ciphertext, Instant now);
    }

    /** What opening an envelope gave. */
    public sealed interface Opening {
        /**
         * A genuine envelope. {@code deliverable} may be empty (held until an earlier message
         * arrives) or hold several (a gap closed); {@code persist} writes the new session state
         * and the messages; {@code afterwards} runs once that is written (replies to send, say).
         */
        record Accepted(byte[] ackSecret, List<ReceivedMessage> deliverable, Consumer<StoreBatch> persist, Runnable afterwards)
                implements Opening {
            /** Without work to do after the write. */
            public Accepted(byte[] ackSecret, List<ReceivedMessage> deliverable, Consumer<StoreBatch> persist) {
                this(ackSecret, deliverable, persist, () -> {});
            }
        }

        /** Opened, but what it carries was delivered already (a copy with another id). */
        record AlreadyDelivered(byte[] ackSecret) implements Opening {}

        /**
         * Not for this node, tampered with, a replay the session refuses, or malformed; or, when
         * {@code later}, not yet: it may open once the messages sealed before it are in.
         */
        record Refused(String reason, boolean later) implements Opening {
            public Refused(String reason) {
                this(reason, false);
            }
        }
    }

    /** What became of an envelope. */
    public sealed interface Result {
        /** Delivered now (its messages went to the listener); acknowledge with {@code ackSecret}. */
        record Delivered(byte[] ackSecret, int messages) implements Result {}

        /** Delivered before; acknowledge again with {@code ackSecret}. */
        record Duplicate(byte[] ackSecret) implements Result {}

        /** Refused; do not acknowledge. When {@code later}, offer it again once earlier messages are in. */
        record Refused(String reason, boolean later) implements Result {
            public Refused(String reason) {
                this(reason, false);
            }
        }
    }

    private final FerryStore store;
    private final EnvelopeOpener opener;
    private final Clock clock;
    private final Executor executor;
    private final Consumer<List<ReceivedMessage>> listener;
    private final IntakeMetrics metrics;

    /**
     * @param executor the thread that opens and persists (it may block on the store)
     * @param listener told the messages each envelope made deliverable, after they are persisted,
     *     on the executor's thread; must not block
     */
    public EnvelopeIntake(FerryStore store, EnvelopeOpener opener, Clock clock, Executor executor,
            Consumer<List<ReceivedMessage>> listener, IntakeMetrics metrics) {
        this.store = store;
        this.opener = opener;
        this.clock = clock;
        this.executor = executor;
        this.listener = listener;
        this.metrics = metrics;
    }

    /** Takes one envelope addressed to this node. */
    public CompletableFuture<Result> accept(EnvelopeHeader header, byte[] ciphertext) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(acceptNow(header, ciphertext));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the node is closing"));
        }
        return result;
    }

    private Result acceptNow(EnvelopeHeader header, byte[] ciphertext) {
        Instant now = clock.instant();
        EnvelopeId id = EnvelopeId.of(header.envelopeId());
        if (store.tombstones().contains(id)) {
            metrics.duplicate();
            return opener.ackSecret(header, ciphertext, now).<Result>map(Result.Duplicate::new)
                    .orElseGet(() -> new Result.Refused("a copy of a delivered envelope that does not open"));
        }
        return switch (opener.open(header, ciphertext, now)) {
            case Opening.Accepted accepted -> {
                store.write(batch -> {
                    accepted.persist().accept(batch);
                    // Remembered until the envelope expires: a copy that comes back later is refused by its id.
                    batch.tombstones().put(id, header.expires());
                });
                metrics.delivered(accepted.deliverable().size());
                if (!accepted.deliverable().isEmpty()) notifyListener(accepted.deliverable());
                try {
                    accepted.afterwards().run();
                } catch (RuntimeException e) {
                    metrics.listenerFailed();
                }
                yield new Result.Delivered(accepted.ackSecret(), accepted.deliverable().size());
            }
            case Opening.AlreadyDelivered again -> {
                store.tombstones().put(id, header.expires());
                metrics.duplicate();
                yield new Result.Duplicate(again.ackSecret());
            }
            case Opening.Refused refused -> {
                metrics.refused();
                yield new Result.Refused(refused.reason(), refused.later());
            }
        };
    }

    private void notifyListener(List<ReceivedMessage> messages) {
        try {
            listener.accept(List.copyOf(messages));
        } catch (RuntimeException e) {
            metrics.listenerFailed();
        }
    }
}
