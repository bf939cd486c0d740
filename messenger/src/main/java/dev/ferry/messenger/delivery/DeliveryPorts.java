package dev.ferry.messenger.delivery;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.store.EnvelopeId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the outbox needs from the network, as three small interfaces, so that the delivery logic
 * is told results instead of reaching into the protocols: the node implements them with the DHT,
 * {@code /ferry/direct/1.0.0} and {@code /ferry/mailbox/1.0.0}.
 */
public final class DeliveryPorts {
    private DeliveryPorts() {}

    /** Finds the peers that hold a mailbox. */
    public interface HolderDirectory {
        /**
         * The peers closest to {@code mailbox}, closest first, without this node and without
         * {@code owner} (a mailbox is for when its owner is away, so it never holds its own).
         */
        CompletableFuture<List<PeerId>> holders(byte[] mailbox, PeerId owner);
    }

    /** How a direct delivery ended. */
    public enum DirectOutcome {
        /** The recipient answered with the envelope's ACK secret. */
        DELIVERED,
        /** The recipient answered but did not take it (or answered with a wrong secret). */
        REFUSED,
        /** Not reachable: no connection could be made. */
        UNREACHABLE,
        /** Connected, but no answer in time (the recipient is busy): this envelope goes to the mailbox, later ones still try directly. */
        TIMED_OUT
    }

    /** Delivers an envelope to a recipient who is online. */
    public interface DirectTransport {
        CompletableFuture<DirectOutcome> deliver(PeerId recipient, EnvelopeHeader header, byte[] ciphertext, Duration timeout);

        /** Whether we hold a connection to {@code recipient} now. */
        boolean connected(PeerId recipient);
    }

    /**
     * How a holder answered a STORE.
     *
     * @param status the holder's status, or empty when it did not answer
     */
    public record StoreOutcome(Optional<MailboxStatus> status) {
        /** Stored (or already held). */
        public static final StoreOutcome STORED = of(MailboxStatus.OK);
        /** The envelope was acknowledged already. */
        public static final StoreOutcome ACKNOWLEDGED = of(MailboxStatus.TOMBSTONED);
        /** No answer. */
        public static final StoreOutcome UNREACHABLE = new StoreOutcome(Optional.empty());

        /** Checks the field. */
        public StoreOutcome {
            Objects.requireNonNull(status, "status");
        }

        /** The holder answered {@code status}. */
        public static StoreOutcome of(MailboxStatus status) {
            return new StoreOutcome(Optional.of(status));
        }

        /** What became of the shard, by the status. */
        public Kind kind() {
            return status.map(s -> s.isOk() ? Kind.STORED : s == MailboxStatus.TOMBSTONED ? Kind.ACKNOWLEDGED : Kind.REFUSED)
                    .orElse(Kind.UNREACHABLE);
        }

        /** The holder's status as the metrics name it ({@code peer_quota}), or {@code unreachable}. */
        public String reason() {
            return status.map(MailboxStatus::label).orElse("unreachable");
        }

        /** What became of a shard. */
        public enum Kind {
            /** Stored (or already held). */
            STORED,
            /** The envelope was acknowledged already: it needs no more storing. */
            ACKNOWLEDGED,
            /** Refused for a reason that another holder may not have (quota, full). */
            REFUSED,
            /** No answer. */
            UNREACHABLE
        }
    }

    /** Talks to mailbox holders on the sender's behalf. */
    public interface ShardTransport {
        CompletableFuture<StoreOutcome> store(PeerId holder, EnvelopeHeader header, int index, byte[] shard);

        /**
         * Which of {@code envelopes} (at most {@link #MAX_ACKED_QUERY}) {@code holder} knows were
         * acknowledged.
         */
        CompletableFuture<Set<EnvelopeId>> acknowledged(PeerId holder, List<EnvelopeId> envelopes);

        /** Envelopes asked about in one {@link #acknowledged} call at most. */
        int MAX_ACKED_QUERY = 256;
    }
}
