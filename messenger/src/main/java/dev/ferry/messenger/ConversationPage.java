package dev.ferry.messenger;

import java.util.List;

/**
 * A page of a conversation.
 *
 * @param messages the messages shown, oldest first
 * @param next the position to ask for the next page after: past everything this page looked at,
 *     the pieces of files it passed over included
 */
public record ConversationPage(List<ChatMessage> messages, long next) {
    /** Copies the list. */
    public ConversationPage {
        messages = List.copyOf(messages);
    }
}
