package dev.ferry.messenger.delivery;

import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.StoreAccess;
import dev.ferry.store.StoreBatch;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
 * of an envelope arriving at once cannot both be delivered. Envelopes taken together
 * ({@link #acceptAll}, a mailbox's backlog) go into one store write: each is opened against the
 * writes of those before it, so a run of one sender's envelopes chains its session state through
 * the batch instead of writing it once per envelope.
 */
public final class EnvelopeIntake {
    /** Opens envelopes sealed to this node; the session layer implements it. */
    public interface EnvelopeOpener {
        /**
         * Opens and decrypts an envelope, reading (never writing) through {@code reads}: the
         * batch the envelopes taken before it in the same write are staged in.
         *
         * @param now this node's clock
         */
        Opening open(EnvelopeHeader header, byte[] ciphertext, Instant now, StoreAccess reads);

        /** Only unseals an envelope to read its ACK secret, for one already delivered; empty if it does not open. */
        Optional<byte[]> ackSecret(EnvelopeHeader header, byte[] ciphertext, Instant now);
    }

    /** What opening an envelope gave. */
    public sealed interface Opening {
        /**
         * A genuine envelope. {@code deliverable} may be empty (held until an earlier message
         * arrives) or hold several (a gap closed); {@code persist} writes the new session state
         * and the messages; {@code afterwards} runs once that is written (replies to send, say).
         * {@code changedOtherState}: opening it changed state kept outside the store's batch (a
         * group's, which {@code afterwards} installs), so no envelope after it may be opened
         * before this one is written and its {@code afterwards} ran.
         */
        record Accepted(byte[] ackSecret, List<ReceivedMessage> deliverable, Consumer<StoreBatch> persist, Runnable afterwards,
                boolean changedOtherState) implements Opening {
            /** Without work to do after the write. */
            public Accepted(byte[] ackSecret, List<ReceivedMessage> deliverable, Consumer<StoreBatch> persist) {
                this(ackSecret, deliverable, persist, () -> {}, false);
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

    /** An envelope for this node: its header and ciphertext. */
    public record Arrival(EnvelopeHeader header, byte[] ciphertext) {}

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
        return acceptAll(List.of(new Arrival(header, ciphertext))).getFirst();
    }

    /**
     * Takes envelopes addressed to this node, in this order, in as few store writes as it can:
     * one, unless an envelope changes state outside the store (a group control message), which
     * ends a write. If a write fails (a session record changed under it, the store refused), its
     * envelopes are taken again one by one, each in its own write, as {@link #accept} would.
     *
     * @return what became of each, in order; each completes once its write is done
     */
    public List<CompletableFuture<Result>> acceptAll(List<Arrival> arrivals) {
        List<CompletableFuture<Result>> results = arrivals.stream().map(a -> new CompletableFuture<Result>()).toList();
        try {
            executor.execute(() -> {
                try {
                    for (int next = 0; next < arrivals.size(); ) next = acceptRun(arrivals, results, next, arrivals.size() == 1);
                } catch (RuntimeException e) {
                    results.forEach(r -> r.completeExceptionally(e)); // a bug: fail what is left rather than leave it waiting
                }
            });
        } catch (RejectedExecutionException e) {
            results.forEach(r -> r.completeExceptionally(new IllegalStateException("the node is closing")));
        }
        return results;
    }

    /** What taking an envelope staged in a write, told once that write is done. */
    private sealed interface Staged {
        record Delivered(Opening.Accepted accepted) implements Staged {}

        record Duplicate(Result result) implements Staged {}

        record Refused(Result.Refused result) implements Staged {}
    }

    /**
     * Takes {@code arrivals} from {@code from} on in one write (only that one if {@code alone}), up
     * to and including the first that changes state outside the store; completes their results;
     * returns where the next run starts.
     */
    private int acceptRun(List<Arrival> arrivals, List<CompletableFuture<Result>> results, int from, boolean alone) {
        Instant now = clock.instant();
        int limit = alone ? from + 1 : arrivals.size();
        List<Staged> staged = new ArrayList<>();
        try {
            store.write(batch -> {
                staged.clear();
                for (int i = from; i < limit; i++) {
                    Staged one = stage(arrivals.get(i), now, batch);
                    staged.add(one);
                    if (one instanceof Staged.Delivered(Opening.Accepted accepted) && accepted.changedOtherState()) break;
                }
            });
        } catch (RuntimeException e) {
            if (alone) {
                results.get(from).completeExceptionally(e);
                return from + 1;
            }
            // One of them broke the write (the one being opened, or the write itself): each of
            // them again in its own write, so that only that one fails. Nothing of the broken
            // write was kept, and the session layer reads what is stored, not what it staged.
            int end = Math.min(limit, from + staged.size() + 1);
            for (int i = from; i < end; i++) acceptRun(arrivals, results, i, true);
            return end;
        }
        for (int i = 0; i < staged.size(); i++) results.get(from + i).complete(told(staged.get(i)));
        return from + staged.size();
    }

    /** Opens one envelope against {@code batch} and stages what it changes there; counts and tells nothing yet. */
    private Staged stage(Arrival arrival, Instant now, StoreBatch batch) {
        EnvelopeHeader header = arrival.header();
        EnvelopeId id = EnvelopeId.of(header.envelopeId());
        if (batch.tombstones().contains(id)) {
            return new Staged.Duplicate(opener.ackSecret(header, arrival.ciphertext(), now).<Result>map(Result.Duplicate::new)
                    .orElseGet(() -> new Result.Refused("a copy of a delivered envelope that does not open")));
        }
        return switch (opener.open(header, arrival.ciphertext(), now, batch)) {
            case Opening.Accepted accepted -> {
                accepted.persist().accept(batch);
                // Remembered until the envelope expires: a copy that comes back later is refused by its id.
                batch.tombstones().put(id, header.expires());
                yield new Staged.Delivered(accepted);
            }
            case Opening.AlreadyDelivered again -> {
                batch.tombstones().put(id, header.expires());
                yield new Staged.Duplicate(new Result.Duplicate(again.ackSecret()));
            }
            case Opening.Refused refused -> new Staged.Refused(new Result.Refused(refused.reason(), refused.later()));
        };
    }

    /** Once the write is done: counts, hands the messages to the listener, runs what was left for after. */
    private Result told(Staged staged) {
        return switch (staged) {
            case Staged.Delivered(Opening.Accepted accepted) -> {
                metrics.delivered(accepted.deliverable().size());
                if (!accepted.deliverable().isEmpty()) notifyListener(accepted.deliverable());
                try {
                    accepted.afterwards().run();
                } catch (RuntimeException e) {
                    metrics.listenerFailed();
                }
                yield new Result.Delivered(accepted.ackSecret(), accepted.deliverable().size());
            }
            case Staged.Duplicate(Result result) -> {
                metrics.duplicate();
                yield result;
            }
            case Staged.Refused(Result.Refused result) -> {
                metrics.refused();
                yield result;
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
