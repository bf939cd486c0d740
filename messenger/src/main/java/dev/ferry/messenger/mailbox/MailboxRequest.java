package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import java.util.List;

/**
 * A decoded request: every field has passed the codec's structural checks (sizes, counts), none
 * its meaning (the holder checks that and answers with a {@link MailboxStatus}).
 */
sealed interface MailboxRequest {
    /** The id the answer carries back. */
    long id();

    /** The kind of request, for metrics. */
    default RequestType type() {
        return switch (this) {
            case Store s -> RequestType.STORE;
            case Fetch f -> RequestType.FETCH;
            case Watch w -> RequestType.WATCH;
            case Ack a -> RequestType.ACK;
            case Has h -> RequestType.HAS;
            case Handover h -> RequestType.HANDOVER;
            case PutPrekeys p -> RequestType.PREKEYS_PUT;
            case GetPrekeys g -> RequestType.PREKEYS_GET;
            case Acked a -> RequestType.ACKED;
            case Batch b -> RequestType.BATCH;
        };
    }

    record Store(long id, EnvelopeShard shard) implements MailboxRequest {}

    /** The cursor is as sent (empty, or what a page returned); the holder parses it. */
    record Fetch(long id, MailboxAuthorisation authorisation, byte[] cursor, int limit) implements MailboxRequest {}

    record Watch(long id, MailboxAuthorisation authorisation) implements MailboxRequest {}

    /**
     * {@code notified}: holders the sender acknowledges to as well, which the holder need not
     * forward to; {@code shardCount}: the envelope's k + m, with which the holder reads its shards
     * by key, or 0 when not said. The secret is a secret: this record's {@code toString} leaves it out.
     */
    record Ack(long id, EnvelopeId envelope, byte[] secret, List<PeerId> notified, int shardCount) implements MailboxRequest {
        public Ack {
            notified = List.copyOf(notified);
            if (notified.size() > MailboxLimits.MAX_ACK_NOTIFIED) {
                throw new IllegalArgumentException(notified.size() + " notified holders, at most " + MailboxLimits.MAX_ACK_NOTIFIED);
            }
            if (shardCount < 0 || shardCount > EnvelopeLimits.MAX_TOTAL_SHARDS) {
                throw new IllegalArgumentException("shardCount must be 0.." + EnvelopeLimits.MAX_TOTAL_SHARDS + ", got " + shardCount);
            }
        }

        Ack(long id, EnvelopeId envelope, byte[] secret, List<PeerId> notified) {
            this(id, envelope, secret, notified, 0);
        }

        Ack(long id, EnvelopeId envelope, byte[] secret) {
            this(id, envelope, secret, List.of(), 0);
        }

        @Override
        public String toString() {
            return "Ack[id=" + id + ", " + envelope + "]";
        }
    }

    /** Which of {@code envelopes} (1 to {@link MailboxLimits#MAX_ACKED_QUERY}) were acknowledged at the holder. */
    record Acked(long id, List<EnvelopeId> envelopes) implements MailboxRequest {
        public Acked {
            envelopes = List.copyOf(envelopes);
            if (envelopes.isEmpty() || envelopes.size() > MailboxLimits.MAX_ACKED_QUERY) {
                throw new IllegalArgumentException(envelopes.size() + " envelopes, allowed 1.." + MailboxLimits.MAX_ACKED_QUERY);
            }
        }
    }

    /**
     * Several requests answered in one message, in order: 1 to {@link MailboxLimits#MAX_BATCH_REQUESTS}
     * of the kinds {@link #batchable} allows.
     */
    record Batch(long id, List<MailboxRequest> requests) implements MailboxRequest {
        public Batch {
            requests = List.copyOf(requests);
            if (requests.isEmpty() || requests.size() > MailboxLimits.MAX_BATCH_REQUESTS) {
                throw new IllegalArgumentException(requests.size() + " requests, allowed 1.." + MailboxLimits.MAX_BATCH_REQUESTS);
            }
            for (MailboxRequest request : requests) {
                if (!batchable(request)) throw new IllegalArgumentException(request.type() + " cannot go in a batch");
            }
        }
    }

    /**
     * Whether {@code request} may go in a {@link Batch}: one answered at once from the store. A
     * FETCH (a page), a WATCH (a stream), a HANDOVER (many shards already) and a batch may not.
     */
    static boolean batchable(MailboxRequest request) {
        return switch (request) {
            case Store s -> true;
            case Ack a -> true;
            case Has h -> true;
            case Acked a -> true;
            case PutPrekeys p -> true;
            case GetPrekeys g -> true;
            case Fetch f -> false;
            case Watch w -> false;
            case Handover h -> false;
            case Batch b -> false;
        };
    }

    record Has(long id, EnvelopeId envelope, java.util.OptionalInt wantShard) implements MailboxRequest {
        Has(long id, EnvelopeId envelope) {
            this(id, envelope, java.util.OptionalInt.empty());
        }
    }

    record Handover(long id, List<EnvelopeShard> shards) implements MailboxRequest {
        public Handover {
            shards = List.copyOf(shards);
        }
    }

    record PutPrekeys(long id, byte[] bundle) implements MailboxRequest {}

    record GetPrekeys(long id, MailboxKey mailbox) implements MailboxRequest {}
}
