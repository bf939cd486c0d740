package dev.ferry.messenger.mailbox;

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
    RequestType type();

    record Store(long id, EnvelopeShard shard) implements MailboxRequest {
        @Override
        public RequestType type() {
            return RequestType.STORE;
        }
    }

    /** The cursor is as sent (empty, or what a page returned); the holder parses it. */
    record Fetch(long id, MailboxAuthorisation authorisation, byte[] cursor, int limit) implements MailboxRequest {
        @Override
        public RequestType type() {
            return RequestType.FETCH;
        }
    }

    record Watch(long id, MailboxAuthorisation authorisation) implements MailboxRequest {
        @Override
        public RequestType type() {
            return RequestType.WATCH;
        }
    }

    /** The secret is a secret: this record's {@code toString} leaves it out. */
    record Ack(long id, EnvelopeId envelope, byte[] secret) implements MailboxRequest {
        @Override
        public RequestType type() {
            return RequestType.ACK;
        }

        @Override
        public String toString() {
            return "Ack[id=" + id + ", " + envelope + "]";
        }
    }

    record Has(long id, EnvelopeId envelope) implements MailboxRequest {
        @Override
        public RequestType type() {
            return RequestType.HAS;
        }
    }

    record Handover(long id, List<EnvelopeShard> shards) implements MailboxRequest {
        public Handover {
            shards = List.copyOf(shards);
        }

        @Override
        public RequestType type() {
            return RequestType.HANDOVER;
        }
    }

    record PutPrekeys(long id, byte[] bundle) implements MailboxRequest {
        @Override
        public RequestType type() {
            return RequestType.PREKEYS_PUT;
        }
    }

    record GetPrekeys(long id, MailboxKey mailbox) implements MailboxRequest {
        @Override
        public RequestType type() {
            return RequestType.PREKEYS_GET;
        }
    }
}
