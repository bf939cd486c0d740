package dev.ferry.store;

import java.util.List;
import java.util.Optional;

/**
 * Decrypted messages by conversation, each with a sequence number that only grows: 1, 2, 3...
 * per conversation, never reused even after deletes. Append a message in the same
 * {@link FerryStore#write batch} as the ratchet session that decrypted it, so that a crash never
 * keeps one without the other.
 */
public interface Inbox {
    /** How many messages one {@link #read} call returns at most. */
    int MAX_READ = 1000;

    /**
     * Appends a message to a conversation.
     *
     * @return its sequence number
     */
    long append(ConversationId conversation, byte[] body);

    /** Up to {@code limit} (at most {@link #MAX_READ}) messages with a sequence above {@code afterSequence}, oldest first. */
    List<InboxMessage> read(ConversationId conversation, long afterSequence, int limit);

    /** One message, if present. */
    Optional<InboxMessage> get(ConversationId conversation, long sequence);

    /** The sequence number of the last message appended to the conversation, 0 when none ever was. */
    long lastSequence(ConversationId conversation);

    /**
     * Deletes one message.
     *
     * @return whether it was there
     */
    boolean delete(ConversationId conversation, long sequence);
}
