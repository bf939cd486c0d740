package dev.ferry.store;

import java.util.Objects;

/**
 * A decrypted message kept in a conversation of the inbox. Its body is secret: it never appears
 * in {@link #toString()}.
 *
 * @param conversation the conversation it belongs to
 * @param sequence its position in the conversation: 1 for the first, one more for each next
 * @param body the message as the layer above serialized it
 */
public record InboxMessage(ConversationId conversation, long sequence, byte[] body) {
    /** Checks the fields and copies the body. */
    public InboxMessage {
        Objects.requireNonNull(conversation, "conversation");
        body = body.clone();
    }

    /** A copy of the body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InboxMessage that && conversation.equals(that.conversation)
                && sequence == that.sequence && java.util.Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return conversation.hashCode() * 31 + Long.hashCode(sequence);
    }

    @Override
    public String toString() {
        return "InboxMessage[" + conversation + " #" + sequence + ", " + body.length + " bytes]";
    }
}
