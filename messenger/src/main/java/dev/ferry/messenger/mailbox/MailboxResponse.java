package dev.ferry.messenger.mailbox;

import java.util.List;
import java.util.Optional;

/**
 * A decoded answer. Every answer carries its request's id, a status and a detail sentence; some
 * carry a body, which is present only with {@link MailboxStatus#OK}.
 */
sealed interface MailboxResponse {
    long id();

    MailboxStatus status();

    String detail();

    /** A status alone: STORE, ACK, PREKEYS PUT, the start and end of a WATCH, and every refusal. */
    record Plain(long id, MailboxStatus status, String detail) implements MailboxResponse {}

    /** A FETCH page; {@code next} is the opaque cursor of the next page, empty after the last. */
    record Page(long id, MailboxStatus status, String detail, List<EnvelopeShard> shards, Optional<byte[]> next)
            implements MailboxResponse {
        public Page {
            shards = List.copyOf(shards);
        }
    }

    /** A WATCH notice: a shard newly stored for the watched mailbox. */
    record Notice(long id, MailboxStatus status, String detail, byte[] header, int index) implements MailboxResponse {}

    /** A HAS answer. */
    record Held(long id, MailboxStatus status, String detail, boolean acknowledged, List<Integer> indices,
            java.util.Optional<EnvelopeShard> shard) implements MailboxResponse {
        public Held {
            indices = List.copyOf(indices);
        }
    }

    /** A HANDOVER answer: one outcome per shard, in the request's order. */
    record HandoverResults(long id, MailboxStatus status, String detail, List<MailboxReply> results)
            implements MailboxResponse {
        public HandoverResults {
            results = List.copyOf(results);
        }
    }

    /**
     * An ACKED answer: for each envelope asked about, in order, whether it was acknowledged here.
     * Decoded, it has a multiple of 8 entries; those past the envelopes asked about are false.
     */
    record AckedAnswer(long id, MailboxStatus status, String detail, List<Boolean> acknowledged) implements MailboxResponse {
        public AckedAnswer {
            acknowledged = List.copyOf(acknowledged);
        }
    }

    /** A BATCH answer: one answer per request, in order. */
    record BatchAnswers(long id, MailboxStatus status, String detail, List<MailboxResponse> responses) implements MailboxResponse {
        public BatchAnswers {
            responses = List.copyOf(responses);
        }
    }

    /** A PREKEYS GET answer with the bundle held. */
    record Bundle(long id, MailboxStatus status, String detail, byte[] bundle) implements MailboxResponse {}

    /** A plain answer. */
    static MailboxResponse plain(long id, MailboxReply reply) {
        return new Plain(id, reply.status(), reply.detail());
    }
}
